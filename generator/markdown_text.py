"""Rulebook Markdown rendered for machine outputs: safe HTML and plain text.

Raw HTML is disabled, so rulebook text can only produce the markup CommonMark
itself produces; links keep markdown-it's own scheme check (no javascript:).
"""

from __future__ import annotations

from functools import cache

import lxml.html
from markdown_it import MarkdownIt


@cache
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@cache
def to_html(text: str) -> str:
    return _md().render(text).strip()


@cache
def to_text(text: str) -> str:
    """What a reader sees of ``text`` on the page, as one plain string."""
    html = to_html(text)
    if not html:
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return " ".join(root.text_content().split())
