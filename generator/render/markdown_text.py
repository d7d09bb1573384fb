"""Rulebook Markdown rendered safely, once, for every output.

Rulebook text is untrusted: it arrives in pull requests. Each field is parsed on its own
by markdown-it (CommonMark, raw HTML off), so no syntax of the site engine's extensions
(attribute lists, admonitions, …) applies and no reference definition leaks from one field
into another. nh3 (the Ammonia sanitiser) then keeps only an allow-list of tags, attributes
and URL schemes. From that sanitised HTML come

* the pages: the same HTML with every ASCII punctuation character in text and attributes
  written as a character reference, on one line, so the engine's Markdown finds no syntax
  in it and passes it through (`engine_html`);
* the Markdown twins: Markdown converted back from the same HTML by markdownify, escaped
  (`twin_markdown`);
* plain text for titles, descriptions, JSON-LD and feeds (`to_text`), and the API's
  ``*_html`` fields (`to_html`).

Safety is decided on this output, not on patterns in the input: whatever a field says,
pages get only allow-listed markup.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable
from functools import cache
from html import escape
from html.parser import HTMLParser

import lxml.html
import nh3
from bs4 import MarkupResemblesLocatorWarning, Tag
from markdown_it import MarkdownIt
from markdownify import MarkdownConverter

#: The markup rulebook text may produce. Levels 1-3 are the page's own sections.
BLOCK_TAGS = frozenset(
    {"p", "ul", "ol", "li", "pre", "blockquote", "hr", "h4", "h5", "h6"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
INLINE_TAGS = frozenset({"a", "code", "em", "strong", "br", "img"})
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Elements whose text is never linked to the glossary.
_NO_LINKS = frozenset({"a", "code", "pre"})
_VOID = frozenset({"br", "hr", "img"})
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")

Link = Callable[[str], str]
"""Maps a site-relative link in rulebook text (``rules/http-429/``) to the URL a page uses."""
Gloss = Callable[[str], list[tuple[str, str | None]]]
"""Splits a text node into pieces, each with the URL of the glossary entry it names or None."""


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    # Images come from this site only: an image from another host is a tracking pixel
    # and a request the pages promise never to make (check refuses them with their line).
    if element == "img" and attribute == "src" and _ABSOLUTE.match(value):
        return None
    return value


def _clean(html: str, tags: frozenset[str]) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        attributes={k: v for k, v in ATTRIBUTES.items() if k in tags},
        url_schemes=set(URL_SCHEMES),
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
    )


@cache
def to_html(text: str) -> str:
    """A block field as sanitised HTML (several paragraphs, lists and code allowed)."""
    return _clean(_parser().render(text), BLOCK_TAGS | INLINE_TAGS).strip()


@cache
def inline_html(text: str, *, links: bool = True) -> str:
    """A one-line field as sanitised inline HTML: line breaks are spaces, and no block
    syntax applies (a title cannot start a heading or a list). ``links=False`` for
    text that is itself a link's label."""
    tags = INLINE_TAGS if links else INLINE_TAGS - {"a"}
    return _clean(_parser().renderInline(" ".join(text.split())), tags).strip()


@cache
def to_text(text: str) -> str:
    """What a reader sees of ``text`` on the page, as one plain string."""
    html = to_html(text)
    if not html:
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return " ".join(root.text_content().split())


class _Recorder(HTMLParser):
    """Sanitised HTML as the events a rewrite replays: tags, and text with what surrounds
    it (inside ``<pre>``, inside an element whose text is never glossed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[_Event] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not dict(attrs).get("src"):  # its source was refused: keep the words
            self.handle_data(dict(attrs).get("alt") or "")
            return
        self.events.append((_START, tag, tuple((name, raw or "") for name, raw in attrs)))
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass
        self.events.append((_END, tag, ()))

    def handle_data(self, data: str) -> None:
        pre = "pre" in self.open
        if not pre:
            data = re.sub(r"\s+", " ", data)
        kind = _TEXT_PRE if pre else _TEXT_PLAIN if _NO_LINKS.intersection(self.open) else _TEXT
        self.events.append((kind, data, ()))


_START, _END, _TEXT, _TEXT_PLAIN, _TEXT_PRE = range(5)
#: (kind, tag or text, attributes): text is glossed only when its kind is _TEXT.
_Event = tuple[int, str, tuple[tuple[str, str], ...]]


@functools.lru_cache(maxsize=65536)
def _events(html: str) -> tuple[_Event, ...]:
    """Each text is parsed once a build, though pages rewrite it many times (every page
    resolves links from its own address and links the glossary terms it has not yet)."""
    recorder = _Recorder()
    recorder.feed(html)
    recorder.close()
    return tuple(recorder.events)


def _resolved(url: str, link: Link) -> str:
    """A link of rulebook text as the page writes it: site-relative ones via ``link``."""
    return link(url) if url and not _ABSOLUTE.match(url) and url[:1] != "#" else url


def _rewrite(html: str, encode: Callable[[str, bool], str], link: Link, gloss: Gloss | None) -> str:
    """Re-serialises sanitised HTML: site-relative links resolved for the page, glossary
    terms linked, text written by ``encode``."""
    out: list[str] = []
    for kind, value, attrs in _events(html):
        if kind == _START:
            parts = [value]
            for name, raw in attrs:
                url = _resolved(raw, link) if name in ("href", "src") else raw
                parts.append(f'{name}="{encode(url, True)}"')
            out.append(f"<{' '.join(parts)}>")
        elif kind == _END:
            out.append(f"</{value}>")
        elif gloss and kind == _TEXT:
            for piece, href in gloss(value):
                text = encode(piece, False)
                out.append(f'<a href="{encode(href, True)}">{text}</a>' if href else text)
        else:
            out.append(encode(value, kind == _TEXT_PRE))
    return "".join(out)


def character_references(text: str) -> str:
    """Every ASCII punctuation character as a character reference: no Markdown extension
    of the engine finds syntax in text written so."""
    return _PUNCTUATION.sub(lambda m: f"&#{ord(m.group())};", text)


def _engine_text(text: str, keep_lines: bool) -> str:
    """Text the site engine's Markdown reads as nothing but text: every ASCII punctuation
    character and every line break becomes a character reference."""
    text = character_references(text)
    return text.replace("\n", "&#10;" if keep_lines else " ")


def engine_html(html: str, link: Link, gloss: Gloss | None = None, *, inline: bool = True) -> str:
    """Sanitised HTML as the site engine must receive it: one line, no Markdown syntax.

    With ``inline``, a single paragraph loses its ``<p>`` so the text sits inline wherever
    the template puts it (a table cell, a list item, a heading)."""
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return _rewrite(html, _engine_text, link, gloss).strip()


class _TwinConverter(MarkdownConverter):
    """Markdown for the twins, escaped so that no text becomes markup."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Only what could start markup: a readable twin keeps ``?key=`` and
        ``context_length_exceeded`` as they are (an underscore inside a word never starts
        emphasis in CommonMark)."""
        if not text:
            return ""
        text = _TWIN_SPECIAL.sub(r"\\\1", text)
        text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
        return _TWIN_LINE_START.sub(r"\1\\\2", text)

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        code = el.get_text()
        longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}\n{code.rstrip()}\n{fence}\n\n"


#: Characters that start inline markup anywhere, and block markers at a line's start.
_TWIN_SPECIAL = re.compile(r"([\\`*\[\]<>~|]|!(?=\[)|&(?=#?\w+;))")
_TWIN_LINE_START = re.compile(r"(?m)^(\s*)([#+=-]|\d+(?=[.)]))")

_TWIN = _TwinConverter(heading_style="ATX", bullets="-", autolinks=False)


def twin_markdown(html: str, link: Link, gloss: Gloss | None = None) -> str:
    """Sanitised HTML as Markdown for the twins (links absolute, via ``link``)."""
    events = _events(html)
    if _inline_only(events):
        return _inline_twin(events, link, gloss)
    return _converted(_rewrite(html, lambda text, _: escape(text, quote=True), link, gloss))


@functools.lru_cache(maxsize=65536)
def _inline_only(events: tuple[_Event, ...]) -> bool:
    """Whether ``events`` are one line or one paragraph of text, code spans and links of
    text (every text of this project's rulebook): ``_inline_twin`` converts them."""
    body = events[1:-1] if events and events[0][:2] == (_START, "p") else events
    if body is not events and events[-1][:2] != (_END, "p"):
        return False
    i = 0
    while i < len(body):
        kind, tag, _ = body[i]
        if kind == _TEXT:
            i += 1
        elif kind == _START and tag in ("code", "a") and body[i + 2 : i + 3] == ((_END, tag, ()),):
            if body[i + 1][0] != _TEXT_PLAIN:
                return False
            i += 3
        else:
            return False
    return True


def _inline_twin(events: tuple[_Event, ...], link: Link, gloss: Gloss | None) -> str:
    """What markdownify makes of the HTML that ``_rewrite`` writes for ``events`` (one
    text node between two tags; code spans fenced by one more backtick than the longest
    run inside; link texts and the texts around them escaped; first and last text
    stripped), written directly: converting the HTML again took most of a twin's time."""
    nodes: list[str] = []  # Markdown of each tag, and escaped text between them
    text: list[str] = []  # the text node being collected (glossary links split it)

    def end_text() -> None:
        if text:
            nodes.append(_TWIN.escape("".join(text), set()))
            text.clear()

    body = events[1:-1] if events and events[0][:2] == (_START, "p") else events
    i = 0
    while i < len(body):
        kind, value, attrs = body[i]
        if kind == _TEXT:
            for piece, href in gloss(value) if gloss else [(value, None)]:
                if href is None:
                    text.append(piece)
                else:
                    end_text()
                    nodes.append(_link_markdown(_TWIN.escape(piece, set()), href, None))
            i += 1
            continue
        end_text()
        inner = body[i + 1][1]
        if value == "code":
            nodes.append(_code_markdown(inner))
        else:
            found = dict(attrs)
            href = _resolved(found.get("href", ""), link)
            nodes.append(_link_markdown(_TWIN.escape(inner, set()), href, found.get("title")))
        i += 3
    end_text()
    return "".join(nodes).strip()


def _chomped(text: str, markup: Callable[[str], str]) -> str:
    """markdownify's ``chomp``: a space at either end of an inline element moves outside."""
    inner = text.strip()
    if not inner:
        return ""
    return (" " if text[:1] == " " else "") + markup(inner) + (" " if text[-1:] == " " else "")


def _code_markdown(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    return _chomped(code, lambda c: f"{fence} {c} {fence}" if longest else f"{fence}{c}{fence}")


def _link_markdown(text: str, href: str, title: str | None) -> str:
    if not href:
        return text.strip()
    title_part = ' "{}"'.format(title.replace('"', r"\"")) if title else ""
    return _chomped(text, lambda t: f"[{t}]({href}{title_part})")


@functools.lru_cache(maxsize=65536)
def _converted(html: str) -> str:
    """The same field appears on several pages (a rule, its checklist, its layer's FAQ)
    with the same absolute links: convert each text once a build."""
    with warnings.catch_warnings():
        # BeautifulSoup warns when a fragment looks like a URL or a file name: it is text here.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        markdown = _TWIN.convert(html)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()
