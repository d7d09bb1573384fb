"""The content security policy of the site, computed from the pages the engine wrote.

Scripts run only from the site itself and, inline, only the few the theme and the
templates emit, each named by its SHA-256 (computed here from the final HTML, so a
template change can never be forgotten). Anything else inline (an injected ``<script>``,
an ``onerror=`` attribute, a ``javascript:`` link) is refused by the browser, whatever
the sanitiser missed. Every page carries the policy in a ``<meta>`` element, which works
on any host; hosts that read ``_headers`` also send it as a header (with
``frame-ancestors``, which a meta policy cannot carry).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import lxml.html

#: Script types a browser executes; JSON-LD and the theme's JSON config are data.
EXECUTED = {"", "text/javascript", "application/javascript", "module"}
#: Where the policy goes: right after the charset, before any script can run.
CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)


def inline_script_hashes(pages: list[Path]) -> list[str]:
    found = set()
    for page in pages:
        root = lxml.html.parse(str(page)).getroot()
        for script in root.iter("script"):
            if script.get("src") is not None:
                continue
            if (script.get("type") or "").strip().lower() not in EXECUTED:
                continue
            digest = hashlib.sha256((script.text or "").encode("utf-8")).digest()
            found.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(found)


def policy(hashes: list[str]) -> str:
    """The policy every page carries (as a meta element: no frame-ancestors there)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(hashes),
            # Stylesheets from the site only: neither theme writes a style attribute or an
            # inline <style> (their scripts use the CSSOM, which the policy allows), and a
            # browser test would report the violation if one ever did.
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def add_policy_meta(page: Path, content: str) -> None:
    text = page.read_text(encoding="utf-8")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    found = CHARSET.search(text)
    if found:
        text = text[: found.end()] + "\n    " + meta + text[found.end() :]
    else:
        text = text.replace("<head>", "<head>\n    " + meta, 1)
    # Replaced whole: the build's second process may be reading the page right now.
    scratch = page.with_name(f".{page.name}.csp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(page)


def apply_policy(site_dir: Path) -> str:
    """Put the policy into every page of every edition and return it: one policy for the
    whole site, as hosts send one header for every page. Must run after every writer that
    changes HTML (the hashes are of the final scripts) and before the manifest."""
    pages = sorted(site_dir.rglob("*.html"))
    content = policy(inline_script_hashes(pages))
    for page in pages:
        add_policy_meta(page, content)
    return content


def extend_policy(pages: list[Path], content: str) -> bool:
    """Put the site's policy ``content`` into ``pages`` rendered again by a preview, if it
    admits every inline script they hold; False when it does not (a template gained a
    script: the whole site needs a new policy, and nothing was changed)."""
    if any(digest not in content for digest in inline_script_hashes(pages)):
        return False
    for page in pages:
        add_policy_meta(page, content)
    return True
