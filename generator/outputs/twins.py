"""Markdown twins: every generated page also at ``<page>/index.md`` for answer engines."""

from __future__ import annotations

from pathlib import Path

from generator.files import write_text
from generator.outputs.context import BuildContext


def twin_path(url_path: str) -> str:
    """Site-relative path of the twin of the page at ``url_path``."""
    return f"{url_path}index.md"


def write_twins(ctx: BuildContext, site_dir: Path) -> list[Path]:
    return [
        write_text(site_dir, twin_path(page.url_path), ctx.twins[page.src]) for page in ctx.pages
    ]
