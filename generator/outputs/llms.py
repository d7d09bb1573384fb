"""``/llms.txt`` (llmstxt.org) and ``/llms-full.txt``.

The reference parser is strict: one-line summary, and inside sections only
``- [title](url): note`` lines. Titles lose square brackets, URLs have
parentheses percent-encoded, notes are single plain lines.
"""

from __future__ import annotations

from pathlib import Path

from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.outputs.twins import twin_path
from generator.render.markdown_text import to_text
from generator.render.page import Page
from generator.render.urls import url_path


def llms_txt(ctx: BuildContext) -> str:
    env = ctx.environment()
    settings = ctx.settings
    hand_written = [(settings.url(url_path(src)), title) for src, title in ctx.hand_written]
    return env.get_template("llms.txt.j2").render(
        settings=settings,
        intro=to_text(ctx.rulebook.site.intro) if ctx.rulebook.site.intro else "",
        pages=ctx.pages,
        hand_written=hand_written,
        twin=lambda page: settings.url(twin_path(page.url_path)),
    )


def llms_full_txt(ctx: BuildContext) -> str:
    """Every rule page and its checklist as clean Markdown, in navigation order."""
    wanted: list[Page] = [p for p in ctx.pages if p.kind in ("rule", "checklist")]
    twins = ctx.twins
    parts = [f"# {ctx.settings.site_name}\n\n> {ctx.settings.description}\n"]
    for page in wanted:
        source = ctx.messages("llms.source", url=ctx.settings.url(page.url_path))
        parts.append(f"{twins[page.src].strip()}\n\n{source}\n")
    return "\n---\n\n".join(parts)


def write_llms(ctx: BuildContext, site_dir: Path) -> list[Path]:
    return [
        write_text(site_dir, "llms.txt", llms_txt(ctx)),
        write_text(site_dir, "llms-full.txt", llms_full_txt(ctx)),
    ]
