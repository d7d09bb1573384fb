"""The Jinja2 environment for generated Markdown: strict, with Markdown-safe filters."""

from __future__ import annotations

import json
import posixpath
import re
from functools import cache
from html import escape as html_escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from generator.markdown_text import to_text
from generator.urls import url_path


def yaml_scalar(value: object) -> str:
    """A front-matter value: JSON strings are valid YAML and need no further escaping."""
    return json.dumps(value, ensure_ascii=False)


def table_cell(value: object) -> str:
    """Text that stays inside one Markdown table cell."""
    return re.sub(r"\s*\n\s*", " ", str(value)).replace("|", "\\|")


def fenced(code: str, lang: str = "text") -> str:
    """A fenced code block whose fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{code.rstrip()}\n{fence}"


def inline_code(text: str) -> str:
    """Inline code that survives backticks in the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def one_line(text: str) -> str:
    """Markdown kept as Markdown, on one line: for list items and llms.txt notes.

    Code spans stay code spans: turning them into bare text would let a rulebook
    value such as `</script>` become raw HTML in a Markdown context.
    """
    return re.sub(r"\s+", " ", text).strip()


def link_title(text: str) -> str:
    """A link text without square brackets (they would end the link early)."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def link_url(url: str) -> str:
    """A link target without characters that end a Markdown link (llms.txt parsers)."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def blockquote(text: str) -> str:
    """Every line of ``text`` inside a Markdown blockquote."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def mermaid_label(text: str) -> str:
    """Text for a quoted Mermaid label: entity codes, so it cannot close the quote."""
    text = to_text(text)
    for char, code in (
        ("#", "#35;"),
        ('"', "#quot;"),
        ("<", "#lt;"),
        (">", "#gt;"),
        ("&", "#amp;"),
        ("%", "#37;"),
        ("`", "#96;"),
    ):
        text = text.replace(char, code)
    return text


@pass_context
def relative(context: Context, target: str) -> str:
    """Link from the page being rendered to ``target`` (a docs-relative .md path).

    Pages link relatively so MkDocs checks every link; twins link absolutely.
    """
    if context.get("twin"):
        return str(context["settings"].url(url_path(target)))
    here = posixpath.dirname(context["page_path"])
    return posixpath.relpath(target, here or ".")


@pass_context
def glossed(context: Context, text: str) -> str:
    """Link the first mention of each glossary term on this page to its definition."""
    glossary_page = relative(context, "glossary.md")
    return str(
        context["glossary"].link(text, context["glossary_seen"], lambda a: f"{glossary_page}#{a}")
    )


@cache
def environment(templates: Path, *, autoescape: bool = False) -> Environment:
    """The strict Jinja2 environment for ``templates``.

    Markdown templates do not autoescape (their values are Markdown; raw HTML is
    refused at check time); XML and HTML templates do (``autoescape=True``).
    """
    env = Environment(
        loader=FileSystemLoader(templates),
        undefined=StrictUndefined,
        autoescape=autoescape,  # noqa: S701 - Markdown callers pass False, see above
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        yaml=yaml_scalar,
        cell=table_cell,
        fenced=fenced,
        code=inline_code,
        one_line=one_line,
        text=to_text,
        rel=relative,
        mermaid=mermaid_label,
        quote=blockquote,
        link_title=link_title,
        link_url=link_url,
        glossed=glossed,
        html=html_escape,
    )
    return env
