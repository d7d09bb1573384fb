"""Where templates come from, and the Jinja2 environment that renders them: strict, with
Markdown-safe filters and the message catalogue of the page's language (``_("key")``)."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape as html_escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from generator.render.markdown_text import (
    Gloss,
    Link,
    engine_html,
    inline_html,
    to_html,
    to_text,
    twin_markdown,
)
from generator.render.messages import Messages, load_messages
from generator.render.urls import url_path

#: The templates triagebook ships: pages, machine files, the theme's overrides, assets
#: and message catalogues.
PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Templates:
    """The template folders, searched in order: a project's own ``templates/`` first (any
    file there replaces the package's file of the same path), then the package's."""

    roots: tuple[Path, ...] = (PACKAGE_TEMPLATES,)

    @classmethod
    def of_project(cls, project_dir: Path) -> Templates:
        own = project_dir / "templates"
        return cls((own, PACKAGE_TEMPLATES) if own.is_dir() else (PACKAGE_TEMPLATES,))

    def folders(self, kind: str) -> list[Path]:
        """The existing ``kind`` folders (``pages``, ``theme``, ``assets``), first wins."""
        return [root / kind for root in self.roots if (root / kind).is_dir()]

    def messages(self, language: str) -> Messages:
        return _messages(self, language)

    def environment(self, kind: str, language: str, *, autoescape: bool = False) -> Environment:
        return _environment(self, kind, language, autoescape)


@cache
def _messages(templates: Templates, language: str) -> Messages:
    return load_messages(language, templates.roots)


def yaml_scalar(value: object) -> str:
    """A front-matter value: JSON strings are valid YAML and need no further escaping."""
    return json.dumps(value, ensure_ascii=False)


def table_cell(value: object) -> str:
    """Rendered text on one line, so it stays inside one Markdown table cell. Rendered
    rulebook text has no raw ``|`` (pages encode it, twins escape it)."""
    return re.sub(r"\s*\n\s*", " ", str(value))


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


@lru_cache(maxsize=1 << 16)  # pages link the same targets from the same folders
def site_relative(target: str, here: str) -> str:
    """The URL of site path ``target`` (``rules/x/``, ``glossary/#a``) from the page at ``here``."""
    path, sep, fragment = target.lstrip("/").partition("#")
    relative = posixpath.relpath(path or ".", here or ".")
    if relative == ".":
        relative = "./"
    elif path.endswith("/") or not path:
        relative += "/"
    return relative + sep + fragment


def _links(context: Context) -> Link:
    """How site-relative links in rulebook text are written on the page being rendered."""
    settings = context["settings"]
    if context.get("twin"):
        return lambda target: str(settings.url(target.lstrip("/")))
    if context.get("root_links"):  # a page served at any address: the 404 page
        return lambda target: settings.base_path + target.lstrip("/")
    here = context["page"].url_path
    return lambda target: site_relative(target, here)


def _gloss(context: Context) -> Gloss:
    """Links the first mention of each glossary term on this page to its definition."""
    glossary, seen, link = context["glossary"], context["glossary_seen"], _links(context)
    page = link("glossary/")
    return lambda text: [
        (piece, f"{page}#{target}" if target else None)
        for piece, target in glossary.split(text, seen)
    ]


@pass_context
def site_url(context: Context, target: str) -> str:
    """The URL of a site path (``api/v1/diagnose.json``) from the page being rendered;
    absolute in twins."""
    return _links(context)(target)


@pass_context
def heading_id(context: Context, name: str, css_class: str = "") -> str:
    """A heading's stable id on the site (attr_list), the same in every language, so a
    link to a section survives a translated or reworded heading; twins carry none."""
    if context.get("twin"):
        return ""
    return f" {{ #{name} .{css_class} }}" if css_class else f" {{ #{name} }}"


@pass_context
def page_url(context: Context, src: str) -> str:
    """The URL of a generated page from its source (``rules/x.md``), for links written as
    HTML, which the engine does not rewrite as it does Markdown links."""
    return site_url(context, url_path(src))


@pass_context
def markdown(context: Context, text: str, *, gloss: bool = False, block: bool = False) -> str:
    """A block field of the rulebook, safe for the output being rendered: sanitised HTML
    that the engine cannot read as Markdown on pages, escaped Markdown in twins.
    ``gloss`` links glossary terms; ``block`` keeps a lone paragraph's ``<p>``."""
    html = to_html(text)
    gloss_fn = _gloss(context) if gloss else None
    if context.get("twin"):
        return twin_markdown(html, _links(context), gloss_fn)
    return engine_html(html, _links(context), gloss_fn, inline=not block)


@pass_context
def markdown_line(context: Context, text: str, *, links: bool = True) -> str:
    """A one-line field (title, question, label): inline markup only, on one line.
    ``links=False`` for a field that is itself a link's label."""
    html = inline_html(text, links=links)
    if context.get("twin"):
        return twin_markdown(html, _links(context))
    return engine_html(html, _links(context))


@cache
def _environment(templates: Templates, kind: str, language: str, autoescape: bool) -> Environment:
    """The strict Jinja2 environment for ``kind`` templates in ``language``.

    Markdown templates do not autoescape (their values are Markdown; raw HTML is
    refused at check time); XML and HTML templates do (``autoescape=True``).
    """
    env = Environment(
        loader=FileSystemLoader(templates.folders(kind)),
        undefined=StrictUndefined,
        autoescape=autoescape,  # noqa: S701 - Markdown callers pass False, see above
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    messages = templates.messages(language)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        messages.gettext, messages.ngettext, newstyle=True
    )
    env.globals["id"] = heading_id
    env.filters.update(
        yaml=yaml_scalar,
        cell=table_cell,
        fenced=fenced,
        code=inline_code,
        one_line=one_line,
        text=to_text,
        md=markdown,
        url=site_url,
        page_url=page_url,
        md_line=markdown_line,
        rel=relative,
        mermaid=mermaid_label,
        quote=blockquote,
        link_title=link_title,
        link_url=link_url,
        html=html_escape,
    )
    return env
