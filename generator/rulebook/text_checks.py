"""Checks of the text fields: what their Markdown would become, and what must not be in them.

Rendering is safe whatever a field says (``generator.render.markdown_text``); these checks
tell the editor, with the line, what the site would refuse or change: raw HTML, unsafe
links, images from other hosts, headings that compete with the page's own, line breaks
in one-line fields, control characters, comments that cut a text short, secrets, and
words the glossary asks to avoid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Literal, NamedTuple

from markdown_it import MarkdownIt

from generator.rulebook.checks import Check, Context
from generator.rulebook.model import Rule, Rulebook
from generator.rulebook.problems import Problem
from generator.rulebook.secrets_scan import find_secrets_in
from generator.rulebook.yamlsource import PathT

SAFE_SCHEMES = ("http", "https", "mailto")


class TextField(NamedTuple):
    path: PathT
    text: str
    kind: Literal["block", "line", "code"]  # Markdown, one-line Markdown, or literal text


def iter_texts(rb: Rulebook) -> Iterator[TextField]:
    """Every text of the rulebook, with how it is rendered."""
    for name, items, fields in (
        ("layers", rb.layers, ("title", "summary")),
        ("evidence", rb.evidence, ("label", "how", "example")),
        ("boundaries", rb.boundaries, ("title", "text")),
        ("glossary", rb.glossary, ("term", "definition")),
    ):
        for i, item in enumerate(items):
            for field in fields:
                value = getattr(item, field)
                if value:
                    line = field in _LINE_FIELDS
                    yield TextField((name, i, field), value, "line" if line else "block")
    for field in ("intro", "layers_intro"):
        if getattr(rb.site, field):
            yield TextField(("site", field), getattr(rb.site, field), "block")
    for i, term in enumerate(rb.glossary):
        for j, alias in enumerate(term.aliases):
            yield TextField(("glossary", i, "aliases", j), alias, "line")
    for i, rule in enumerate(rb.rules):
        yield from _rule_texts(i, rule)


#: Fields shown on one line: titles, labels, questions, terms.
_LINE_FIELDS = frozenset({"title", "label", "term", "example", "q", "source"})


def _rule_texts(i: int, rule: Rule) -> Iterator[TextField]:
    base: PathT = ("rules", i)
    yield TextField((*base, "title"), rule.title, "line")
    for field in ("summary", "summary_en", "meaning"):
        if getattr(rule, field):
            yield TextField((*base, field), getattr(rule, field), "block")
    for field in ("causes", "checklist"):
        for j, text in enumerate(getattr(rule, field)):
            yield TextField((*base, field, j), text, "block")
    for j, text in enumerate(rule.signatures):
        yield TextField((*base, "signatures", j), text, "code")
    for j, faq in enumerate(rule.faq):
        yield TextField((*base, "faq", j, "q"), faq.q, "line")
        yield TextField((*base, "faq", j, "a"), faq.a, "block")
    for j, revision in enumerate(rule.revisions):
        yield TextField((*base, "revisions", j, "reason"), revision.reason, "block")
        if revision.source:
            yield TextField((*base, "revisions", j, "source"), revision.source, "line")
    for j, phrase in enumerate(rule.match):
        yield TextField((*base, "match", j), phrase, "code")  # literal phrases, never rendered
    for j, example in enumerate(rule.examples):
        yield TextField((*base, "examples", j, "code"), example.code, "code")
        if example.title:
            yield TextField((*base, "examples", j, "title"), example.title, "line")
    if rule.retry.note:
        yield TextField((*base, "retry", "note"), rule.retry.note, "block")


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    # markdown-it silently drops unsafe links; we want to see every link to report it.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MAYBE_MARKUP = re.compile(r"<|\]\(|\]:|\]\[|^\s{0,3}#|javascript:", re.IGNORECASE | re.MULTILINE)
#: Text that a browser would read as a tag, even where CommonMark does not (``<img/src=x>``).
_TAG_LIKE = re.compile(r"</?[A-Za-z][^\s>]*|<[!?]")
_PLACEHOLDER = re.compile(r"<[A-Za-z][\w.:-]*-[\w.:-]*>|<[A-Z_]+>")


def _raw_html(ctx: Context, path: PathT, snippet: str) -> Problem:
    snippet = snippet.strip()
    if _PLACEHOLDER.fullmatch(snippet):
        hint = f"a placeholder shows as typed in backticks: `{snippet}`"
    else:
        hint = "use Markdown, or put the text in `backticks` to show it literally"
    return ctx.problem(path, f"raw HTML is not allowed: {snippet[:40]!r}", hint)


def check_markdown(ctx: Context) -> Iterator[Problem]:
    """What the site would refuse or change in a text field, reported with its line: raw
    HTML, links with other schemes, images from other hosts, headings of levels 1-3 (the
    page's own sections). Rendering is safe regardless; this tells the editor why."""
    for path, text, kind in iter_texts(ctx.rulebook):
        if kind == "code" or not _MAYBE_MARKUP.search(text):
            continue
        html_seen = False
        for token in _walk_tokens(_markdown().parse(text)):
            snippet = None
            if token.type in ("html_inline", "html_block"):
                snippet = token.content
            elif token.type == "text" and (tag := _TAG_LIKE.search(token.content)):
                snippet = token.content[tag.start() :].split()[0]
            if snippet is not None and not html_seen:
                html_seen = True  # one message per text is enough
                yield _raw_html(ctx, path, snippet)
            elif token.type in ("link_open", "image"):
                attr = "href" if token.type == "link_open" else "src"
                url = str(token.attrs.get(attr, ""))
                scheme = url.split(":", 1)[0].lower() if ":" in url else ""
                if scheme and scheme not in SAFE_SCHEMES:
                    yield ctx.problem(
                        path,
                        f"link scheme '{scheme}:' is not allowed",
                        "links may use http, https, mailto or a relative path",
                    )
                elif token.type == "image" and (scheme or url.startswith("//")):
                    yield ctx.problem(
                        path,
                        f"image from another host: {url[:60]!r}",
                        "pages load nothing from other hosts; link to it instead: [text](url)",
                    )
            elif kind == "block" and token.type == "heading_open" and int(token.tag[1]) < 4:
                yield ctx.problem(
                    path,
                    f"a level-{token.tag[1]} heading would compete with the page's own sections",
                    "use #### or deeper, or **bold text**",
                )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def check_control_characters(ctx: Context) -> Iterator[Problem]:
    """Escapes in double-quoted YAML ("\\x1b", "\\u0007") produce characters that the file
    itself may not contain; they would break the feed and reach terminals."""
    for path, text, _ in iter_texts(ctx.rulebook):
        if found := _CONTROL.search(text):
            yield ctx.problem(
                path,
                f"contains the control character U+{ord(found.group()):04X}",
                "remove it; escapes such as \\x1b or \\u0007 in quoted text produce one",
            )


def check_single_lines(ctx: Context) -> Iterator[Problem]:
    """Titles, labels and questions are shown on one line: a line break in one would
    start a new block (a heading, a list) wherever it is printed."""
    for path, text, kind in iter_texts(ctx.rulebook):
        if kind == "line" and "\n" in text.strip():
            yield ctx.problem(
                path,
                "must be one line",
                "remove the line break; in YAML write it on one line, or fold it with >",
            )


def check_comments_in_text(ctx: Context) -> Iterator[Problem]:
    """In a plain (unquoted) value, ' #' starts a YAML comment: the rest of the line is
    silently dropped from the text."""
    comments = ctx.source.comments
    if not comments:
        return
    for path, _, kind in iter_texts(ctx.rulebook):
        where = comments.get(ctx.raw(path))
        if where and kind != "code":
            yield ctx.problem(
                path,
                "the text ends at ' #': YAML reads the rest of the line as a comment",
                "quote the value to keep the '#', or remove the comment",
                severity="warning",
                where=where,
            )


def _walk_tokens(tokens: list) -> Iterator:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk_tokens(token.children)


def check_no_secrets(ctx: Context) -> Iterator[Problem]:
    texts = list(iter_texts(ctx.rulebook))
    for field, hits in zip(texts, find_secrets_in([f.text for f in texts]), strict=True):
        path = field.path
        for kind, masked in hits:
            yield ctx.problem(
                path,
                f"text contains what looks like a secret ({kind}: {masked})",
                "use a placeholder such as sk-your-key or YOUR_API_KEY",
            )


#: What may name a concept by another word: code, quotations (a gateway's own message) and
#: parentheses (the gateway's word given beside ours).
_CITED = re.compile(r"`[^`]*`|“[^”]*”|‘[^’]*’|「[^」]*」|\"[^\"]*\"|（[^）]*）|\([^)]*\)")


def check_vocabulary(ctx: Context) -> Iterator[Problem]:
    """One word a concept: a glossary term's ``avoid`` words are reported where prose uses
    them, except in code, quotations, parentheses and longer glossary terms that hold
    them (an access token is a concept of its own, not a synonym of ``API Key``)."""
    avoided = {word: item.term for item in ctx.rulebook.glossary for word in item.avoid}
    if not avoided:
        return
    names = sorted(
        (n for item in ctx.rulebook.glossary for n in (item.term, *item.aliases)),
        key=len,
        reverse=True,
    )
    longer = [n for n in names if any(w in n and w != n for w in avoided)]
    for path, text, kind in iter_texts(ctx.rulebook):
        if kind == "code" or "revisions" in path:
            continue
        prose = _CITED.sub(" ", text)
        for name in longer:
            prose = prose.replace(name, " ")
        for word, term in avoided.items():
            if word in prose:
                yield ctx.problem(
                    path,
                    f"'{word}' names what this rulebook calls '{term}'",
                    f"write '{term}'; quote the gateway's own word or put it in parentheses",
                    severity="warning",
                )


TEXT_CHECKS: tuple[Check, ...] = (
    check_markdown,
    check_single_lines,
    check_control_characters,
    check_comments_in_text,
    check_no_secrets,
    check_vocabulary,
)
