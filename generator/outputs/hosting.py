"""What a host needs to serve the site as intended, in the files the common hosts read:
``_headers`` and ``_redirects`` (Cloudflare Pages, Netlify).

- every page: the content security policy as a header, with ``frame-ancestors 'none'``
  (which a meta policy cannot carry), ``nosniff``, a referrer policy and a minimal
  permissions policy;
- caching: fingerprinted files (the theme's ``bundle.<hash>.min.js`` …, the search index
  under its content key) are immutable for a year; pages, the API, the feed, the sitemaps
  and the llms files are revalidated on every visit;
- ``Link: <…/index.md>; rel="alternate"; type="text/markdown"`` on every page with a twin;
- a real 301 for every page of every renamed or removed rule id (the refresh pages stay
  for hosts that read neither file).

The same rules for nginx are in ``_nginx.conf`` (see ``outputs/nginx.py``).
``extra.hosting`` in mkdocs.yml turns each file off:
``{headers: false, redirects: false, nginx: false}``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.outputs.nginx import IMMUTABLE, NGINX, REVALIDATE, nginx_snippet
from generator.outputs.security_txt import write_security_txt
from generator.render.urls import rule_id_paths, url_path

#: The theme's fingerprinted files: a content hash in the name.
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)$")
#: The files beside the pages that change with the rulebook.
REVALIDATED_FILES = ("sitemap.xml", "feed.xml", "llms.txt", "llms-full.txt", "robots.txt")
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def _enabled(ctx: BuildContext, name: str) -> bool:
    hosting = ctx.settings.extra.get("hosting") or {}
    return not isinstance(hosting, dict) or hosting.get(name, True) is not False


def immutable_paths(contexts: list[BuildContext], site_dir: Path) -> list[str]:
    """Host paths of files that never change under their name: the theme's fingerprinted
    files, and each search index's content-keyed folder (ending in ``/``)."""
    base = urlsplit(contexts[0].settings.root_url or contexts[0].settings.site_url).path
    found = sorted(
        base + (Path(folder) / name).relative_to(site_dir).as_posix()
        for folder, _, files in os.walk(site_dir)  # names only: no stat of every file
        for name in files
        if FINGERPRINTED.search(name)
    )
    for ctx in contexts:
        keys = sorted((site_dir / ctx.settings.prefix / "assets" / "search").glob("*/*/"))
        found += [base + key.relative_to(site_dir).as_posix() + "/" for key in keys]
    return found


def headers_file(
    contexts: list[BuildContext], site_dir: Path, policy: str, immutable: list[str]
) -> str:
    """The text of ``_headers``: one block a path, paths relative to the host's root."""
    blocks: list[tuple[str, dict[str, str]]] = [("/*", security_headers(policy))]
    for path in immutable:
        pattern = path + "*" if path.endswith("/") else path
        blocks.append((pattern, {"Cache-Control": IMMUTABLE}))
    for ctx in contexts:
        prefix = urlsplit(ctx.settings.site_url).path
        for fixed in ("api/*", "assets/triagebook/*", *REVALIDATED_FILES):
            if fixed.endswith("*") or (site_dir / ctx.settings.prefix / fixed).is_file():
                blocks.append((prefix + fixed, {"Cache-Control": REVALIDATE}))
        pages = [page.url_path for page in ctx.pages]
        pages += [url_path(src) for src, _ in ctx.hand_written]
        for page in sorted(set(pages)):
            found: dict[str, str] = {"Cache-Control": REVALIDATE}
            if (site_dir / ctx.settings.prefix / page / "index.md").is_file():
                twin = ctx.settings.url(page + "index.md")
                found["Link"] = f'<{twin}>; rel="alternate"; type="text/markdown"'
            blocks.append((prefix + page, found))
    lines = []
    for path, values in blocks:
        lines.append(path)
        lines += [f"  {name}: {value}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def security_headers(policy: str) -> dict[str, str]:
    """What every response carries; ``frame-ancestors`` works only in a header."""
    return {"Content-Security-Policy": f"{policy}; frame-ancestors 'none'", **SECURITY}


def redirect_pairs(contexts: list[BuildContext]) -> list[tuple[str, str]]:
    """(old, new) host paths of every page of every redirected rule id, every edition."""
    pairs = []
    for ctx in contexts:
        base = urlsplit(ctx.settings.site_url).path
        for old, new in sorted(ctx.rulebook.redirects.items()):
            for old_path, new_path in zip(rule_id_paths(old), rule_id_paths(new), strict=True):
                pairs.append((base + old_path, base + new_path))
    return pairs


def redirects_file(contexts: list[BuildContext]) -> str:
    """The text of ``_redirects``: ``old new 301``, every page of every redirected id."""
    return "".join(f"{old} {new} 301\n" for old, new in redirect_pairs(contexts))


def write_host_files(contexts: list[BuildContext], site_dir: Path, policy: str) -> list[Path]:
    written = []
    immutable = immutable_paths(contexts, site_dir)
    if _enabled(contexts[0], "headers"):
        headers = headers_file(contexts, site_dir, policy, immutable)
        written.append(write_text(site_dir, "_headers", headers))
    if _enabled(contexts[0], "redirects"):
        written.append(write_text(site_dir, "_redirects", redirects_file(contexts)))
    if _enabled(contexts[0], "nginx"):
        snippet = nginx_snippet(
            contexts[0].settings.root_url or contexts[0].settings.site_url,
            security_headers(policy),
            immutable,
            redirect_pairs(contexts),
        )
        written.append(write_text(site_dir, NGINX, snippet))
    return written + write_security_txt(contexts, site_dir)
