"""The 404 page: the engine builds it with the theme (its own URLs work at any address);
its content, in the site's language, with search and the diagnosis box, comes from the
page templates and goes into the slot the theme leaves for it."""

from __future__ import annotations

from pathlib import Path

from generator.errors import BuildError
from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.render.pages import render_not_found

SLOT = '<div data-triagebook-slot="not-found"></div>'


def write_not_found(ctx: BuildContext, site_dir: Path) -> list[Path]:
    page = site_dir / "404.html"
    html = page.read_text(encoding="utf-8") if page.is_file() else ""
    if html.count(SLOT) != 1:
        raise BuildError(
            "the theme's 404.html has no slot for the page's content: keep "
            "templates/theme/404.html, which holds it"
        )
    content = render_not_found(ctx.rulebook, ctx.settings, ctx.templates)
    return [write_text(site_dir, "404.html", html.replace(SLOT, content))]
