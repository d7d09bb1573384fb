"""Markdown twins: every generated page also at ``<page>/index.md`` for answer engines."""

from __future__ import annotations

from pathlib import Path

from generator.outputs import BuildContext, write_text
from generator.pages import render_pages


def twin_path(url_path: str) -> str:
    """Site-relative path of the twin of the page at ``url_path``."""
    return f"{url_path}index.md"


def write_twins(ctx: BuildContext, site_dir: Path) -> list[Path]:
    rendered = render_pages(ctx.rulebook, ctx.settings, ctx.templates, ctx.pages, twin=True)
    by_src = {page.src: page for page in ctx.pages}
    return [
        write_text(site_dir / twin_path(by_src[src].url_path), text)
        for src, text in rendered.items()
    ]
