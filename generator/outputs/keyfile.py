"""The IndexNow key and its key file ``/<key>.txt``, which the build deploys with the site.

The key is settled here, below both the build (which writes the file) and publishing
(which sends the key), so that neither has to import the other.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from generator.config import Settings
from generator.errors import BuildError, PublishError
from generator.files import write_text
from generator.outputs.context import BuildContext

KEY_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,128}$")


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise PublishError(
            "the IndexNow key must be 8 to 128 characters of letters, digits and '-' "
            f"(got {len(key)} characters{'' if key.isascii() else ', not all ASCII'})"
        )
    return key


def resolve_key(explicit: str | None, settings: Settings) -> str | None:
    """--key, else $INDEXNOW_KEY, else mkdocs.yml extra.indexnow.key; None when unset."""
    indexnow = settings.extra.get("indexnow") or {}
    key = (
        explicit
        or os.environ.get("INDEXNOW_KEY")
        or (indexnow.get("key") if isinstance(indexnow, dict) else None)
    )
    return check_key(str(key)) if key else None


def key_file_name(key: str) -> str:
    return f"{key}.txt"


def write_key_file(ctx: BuildContext, site_dir: Path) -> list[Path]:
    """The key file /<key>.txt at the site's root, when a key is configured (UTF-8, the key
    alone)."""
    if ctx.settings.prefix:
        return []
    try:
        key = resolve_key(None, ctx.settings)
    except PublishError as exc:
        raise BuildError(str(exc)) from exc
    return [write_text(site_dir, key_file_name(key), key)] if key else []
