"""``/.well-known/security.txt`` (RFC 9116): where to report a vulnerability, written when
mkdocs.yml names a contact::

    extra:
      security_txt:
        contact: mailto:security@example.com   # or an https:// address; one or a list
        expires: 2027-06-30                     # required by the RFC; renew before then
        policy: https://example.com/security/   # optional

``triagebook check`` warns 30 days before ``expires`` (and after it): an expired file tells
researchers the address may be dead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from generator.errors import GeneratorError
from generator.files import write_text
from generator.outputs.context import BuildContext

PATH = ".well-known/security.txt"
WARN_DAYS = 30


def security_settings(extra: dict[str, Any]) -> dict[str, Any] | None:
    found = extra.get("security_txt")
    if not found:
        return None
    if not isinstance(found, dict) or not found.get("contact") or not found.get("expires"):
        raise GeneratorError(
            "extra.security_txt needs a contact (mailto: or https://) and an expires date"
        )
    return found


def expires(found: dict[str, Any]) -> dt.date:
    value = found["expires"]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise GeneratorError(f"extra.security_txt.expires is not a date: {value!r}") from None


def security_txt(contexts: list[BuildContext]) -> str | None:
    settings = contexts[0].settings
    found = security_settings(settings.extra)
    if found is None:
        return None
    contacts = found["contact"] if isinstance(found["contact"], list) else [found["contact"]]
    end = dt.datetime.combine(expires(found), dt.time(0, 0), tzinfo=dt.UTC)
    lines = [f"Contact: {contact}" for contact in contacts]
    lines.append(f"Expires: {end.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    if found.get("policy"):
        lines.append(f"Policy: {found['policy']}")
    languages = ", ".join(ctx.settings.language for ctx in contexts)
    lines.append(f"Preferred-Languages: {languages}")
    lines.append(f"Canonical: {(settings.root_url or settings.site_url)}{PATH}")
    return "\n".join(lines) + "\n"


def write_security_txt(contexts: list[BuildContext], site_dir: Path) -> list[Path]:
    text = security_txt(contexts)
    return [write_text(site_dir, PATH, text)] if text else []
