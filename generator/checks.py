"""Semantic checks over the validated model: small named functions, all run.

Each check yields Problems located in the YAML file; `run_checks` collects
every one of them so an editor sees all mistakes in a single run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

from markdown_it import MarkdownIt

from generator.model import RESERVED_NAMES, Rule, Rulebook
from generator.problems import Problem, did_you_mean
from generator.secrets_scan import find_secrets_in
from generator.yamlsource import PathT, Source

SAFE_SCHEMES = ("http", "https", "mailto")
#: For each top-level list, the file index of every item that reached the model.
Kept = dict[str, list[int]]


@dataclass(frozen=True)
class Context:
    rulebook: Rulebook
    source: Source
    kept: Kept
    today: dt.date | None = None  # None: skip the review-date checks

    def raw(self, path: PathT) -> PathT:
        """Map a model path to the file's path (failed items were dropped)."""
        if len(path) >= 2 and isinstance(path[1], int) and str(path[0]) in self.kept:
            return (path[0], self.kept[str(path[0])][path[1]], *path[2:])
        return path

    def defined_ids(self, name: str) -> set[str]:
        """Ids in the file's ``name`` list, including items that failed shape validation,
        so one broken item does not make every reference to it an error too."""
        items = self.source.data.get(name) or []
        return {
            item["id"]
            for item in items
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }

    def problem(self, path: PathT, message: str, hint: str | None = None, **kw: object) -> Problem:
        return self.source.problem(self.raw(path), message, hint, **kw)  # type: ignore[arg-type]


Check = Callable[[Context], Iterable[Problem]]


def check_unique_ids(ctx: Context) -> Iterator[Problem]:
    rb = ctx.rulebook
    catalogues: dict[str, list[str]] = {
        "layers": [x.id for x in rb.layers],
        "evidence": [x.id for x in rb.evidence],
        "boundaries": [x.id for x in rb.boundaries],
        "rules": [x.id for x in rb.rules],
    }
    for name, ids in catalogues.items():
        first: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in first:
                line = ctx.source.locate(ctx.raw((name, first[ident], "id")))[0]
                yield ctx.problem(
                    (name, i, "id"), f"duplicate id '{ident}'", f"first used on line {line}"
                )
            else:
                first.setdefault(ident, i)
    terms = Counter(t.term.lower() for t in rb.glossary)
    for i, term in enumerate(rb.glossary):
        if terms[term.term.lower()] > 1 and _first_term(rb, term.term) != i:
            yield ctx.problem(("glossary", i, "term"), f"duplicate glossary term '{term.term}'")


def _first_term(rb: Rulebook, term: str) -> int:
    return next(i for i, t in enumerate(rb.glossary) if t.term.lower() == term.lower())


def check_references(ctx: Context) -> Iterator[Problem]:
    rb = ctx.rulebook
    raw_ids = {
        name: ctx.defined_ids(name) for name in ("layers", "evidence", "boundaries", "rules")
    }
    for i, rule in enumerate(rb.rules):
        if rule.layer not in raw_ids["layers"]:
            yield _unknown(ctx, ("rules", i, "layer"), "layer", rule.layer, raw_ids["layers"])
        for field, catalogue in (
            ("evidence", "evidence"),
            ("boundaries", "boundaries"),
            ("related", "rules"),
        ):
            refs: tuple[str, ...] = getattr(rule, field)
            for j, ref in enumerate(refs):
                if field == "related" and ref in rb.redirects and ref not in raw_ids["rules"]:
                    new = rb.redirects[ref]
                    yield ctx.problem(
                        ("rules", i, field, j),
                        f"'{ref}' was renamed or removed: redirects send it to '{new}'",
                        f"relate to '{new}' instead",
                    )
                elif ref not in raw_ids[catalogue]:
                    label = {"evidence": "evidence field", "boundaries": "boundary"}.get(
                        field, "rule"
                    )
                    yield _unknown(ctx, ("rules", i, field, j), label, ref, raw_ids[catalogue])
                elif field == "related" and ref == rule.id:
                    yield ctx.problem(("rules", i, field, j), "a rule cannot be related to itself")
            for j in _repeated(refs):
                yield ctx.problem((("rules", i, field, j)), f"'{refs[j]}' is listed twice")


def _repeated(values: tuple[str, ...]) -> Iterator[int]:
    seen: set[str] = set()
    for j, value in enumerate(values):
        if value in seen:
            yield j
        seen.add(value)


def _unknown(ctx: Context, path: PathT, label: str, ref: str, known: set[str]) -> Problem:
    return ctx.problem(path, f"unknown {label} '{ref}'", did_you_mean(ref, sorted(known)))


def check_never_evidence(ctx: Context) -> Iterator[Problem]:
    by_id = ctx.rulebook.evidence_by_id
    for i, rule in enumerate(ctx.rulebook.rules):
        for j, ref in enumerate(rule.evidence):
            item = by_id.get(ref)
            if item and item.sensitivity == "never":
                yield ctx.problem(
                    ("rules", i, "evidence", j),
                    f"evidence field '{ref}' is marked 'never' and must not be collected",
                    "remove it from the rule; the checklist states what never to send",
                )


def check_file_names(ctx: Context) -> Iterator[Problem]:
    """Ids and codes become file and folder names: none may be a reserved device name, and
    no id may take the place of a hub (``index``)."""
    rb = ctx.rulebook
    named: list[tuple[PathT, str]] = [(("rules", i, "id"), r.id) for i, r in enumerate(rb.rules)]
    named += [(("layers", i, "id"), x.id) for i, x in enumerate(rb.layers)]
    named += [
        (("rules", i, "codes", j), code)
        for i, r in enumerate(rb.rules)
        for j, code in enumerate(r.codes)
    ]
    named += [(("redirects", old), old) for old in rb.redirects]
    for path, name in named:
        is_id = path[-1] == "id" or path[0] == "redirects"
        if is_id and name == "index":  # rules/index/, topics/index/ would replace the hubs
            yield ctx.problem(
                path,
                "'index' is reserved: it is the address of a hub page",
                "choose another id",
                key=path[0] == "redirects",
            )
        elif name.split(".")[0].lower() in RESERVED_NAMES:
            yield ctx.problem(
                path,
                f"'{name}' is a reserved file name on Windows",
                "choose another id or code",
                key=path[0] == "redirects",
            )


def check_version(ctx: Context) -> Iterator[Problem]:
    """YAML's true and 1.0 pass as 1 in a lenient comparison; the format version is the
    integer 1 and nothing else."""
    value = ctx.source.data.get("version")
    if type(value) is not int:
        yield ctx.problem(("version",), f"version must be the number 1, got {value!r}")


#: sitemaps.org: one sitemap file holds at most 50,000 URLs, and the theme reads only one.
MAX_SITE_URLS = 50_000
#: Pages that exist whatever the rulebook holds: home, hubs, catalogues, hand-written pages.
_FIXED_PAGES = 20


def check_site_size(ctx: Context) -> Iterator[Problem]:
    rb = ctx.rulebook
    urls = 2 * len(rb.rules) + 2 * len(rb.layers) + 2 * len(rb.redirects) + _FIXED_PAGES
    if urls > MAX_SITE_URLS:
        yield ctx.problem(
            ("rules",),
            f"the site would have about {urls:,} page URLs; one sitemap holds {MAX_SITE_URLS:,}",
            "split the knowledge base into several sites",
        )


def check_codes(ctx: Context) -> Iterator[Problem]:
    codes: dict[str, str] = {}
    for i, rule in enumerate(ctx.rulebook.rules):
        for j, code in enumerate(rule.codes):
            spelled = codes.setdefault(code.lower(), code)
            if spelled != code:
                yield ctx.problem(
                    ("rules", i, "codes", j),
                    f"code '{code}' is spelled '{spelled}' elsewhere",
                    "use one spelling: codes become file names, and some file systems ignore case",
                )
    for i, rule in enumerate(ctx.rulebook.rules):
        lowered = [code.lower() for code in rule.codes]
        for j in _repeated(tuple(lowered)):
            yield ctx.problem(("rules", i, "codes", j), f"code '{rule.codes[j]}' is listed twice")


def check_retry(ctx: Context) -> Iterator[Problem]:
    for i, rule in enumerate(ctx.rulebook.rules):
        retry = rule.retry
        if retry.policy == "backoff" and retry.max_attempts is None:
            yield ctx.problem(
                ("rules", i, "retry"),
                "a backoff policy needs max_attempts",
                "unbounded retries turn one failure into a flood",
            )
        if retry.policy != "backoff" and retry.max_attempts is not None:
            yield ctx.problem(
                ("rules", i, "retry", "max_attempts"),
                f"max_attempts only applies to the backoff policy, not '{retry.policy}'",
            )


@cache
def code_languages() -> frozenset[str]:
    """Every name the highlighter knows a lexer by."""
    from pygments.lexers import get_all_lexers

    return frozenset(alias for _, aliases, _, _ in get_all_lexers() for alias in aliases)


def check_example_languages(ctx: Context) -> Iterator[Problem]:
    known = code_languages()
    for i, rule in enumerate(ctx.rulebook.rules):
        for j, example in enumerate(rule.examples):
            if example.lang not in known:
                yield ctx.problem(
                    ("rules", i, "examples", j, "lang"),
                    f"unknown language '{example.lang}'",
                    did_you_mean(example.lang, sorted(known))
                    or "use a Pygments lexer name such as python, bash, go, yaml or text",
                )


def check_redirects(ctx: Context) -> Iterator[Problem]:
    rules = ctx.defined_ids("rules")
    for old, new in ctx.rulebook.redirects.items():
        if old in rules:
            yield ctx.problem(
                ("redirects", old),
                f"'{old}' is still a rule; a redirect would hide its page",
                "remove the redirect, or the rule",
                key=True,
            )
        if new in ctx.rulebook.redirects:
            yield ctx.problem(
                ("redirects", old),
                f"redirect to '{new}', which is itself redirected",
                f"point it at '{ctx.rulebook.redirects[new]}' directly",
            )
        elif new not in rules:
            yield ctx.problem(
                ("redirects", old),
                f"redirect to unknown rule '{new}'",
                did_you_mean(new, sorted(rules)),
            )


def check_revisions(ctx: Context) -> Iterator[Problem]:
    for i, rule in enumerate(ctx.rulebook.rules):
        dates = [revision.date for revision in rule.revisions]
        if dates != sorted(dates, reverse=True):
            yield ctx.problem(("rules", i, "revisions"), "revisions must be listed newest first")
        if dates and max(dates) > rule.reviewed:
            yield ctx.problem(
                ("rules", i, "reviewed"),
                f"reviewed {rule.reviewed} is older than the latest revision {max(dates)}",
                "a revision is a review: set reviewed to that date or later",
            )


def stale_rules(rb: Rulebook, today: dt.date) -> list[tuple[int, Rule, int]]:
    """``(index, rule, days overdue)`` of every rule past its review date, most overdue first."""
    interval = dt.timedelta(days=rb.review_interval_days)
    overdue = [
        (i, rule, (today - rule.reviewed - interval).days) for i, rule in enumerate(rb.rules)
    ]
    return sorted((x for x in overdue if x[2] > 0), key=lambda x: (-x[2], x[1].id))


def check_review_dates(ctx: Context) -> Iterator[Problem]:
    if ctx.today is None:
        return
    for i, rule in enumerate(ctx.rulebook.rules):
        if rule.reviewed > ctx.today:
            yield ctx.problem(("rules", i, "reviewed"), f"{rule.reviewed} is in the future")
    for i, rule, days in stale_rules(ctx.rulebook, ctx.today):
        owner = f", owner {rule.owner}" if rule.owner else ""
        yield ctx.problem(
            ("rules", i, "reviewed"),
            f"review is {days} day(s) overdue: last reviewed {rule.reviewed}, "
            f"interval {ctx.rulebook.review_interval_days} days{owner}",
            "check the rule is still right, then update reviewed",
            severity="warning",
        )


# ---- text fields -------------------------------------------------------------------------------


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


CHECKS: tuple[Check, ...] = (
    check_version,
    check_site_size,
    check_unique_ids,
    check_references,
    check_never_evidence,
    check_codes,
    check_file_names,
    check_retry,
    check_example_languages,
    check_redirects,
    check_revisions,
    check_review_dates,
    check_markdown,
    check_single_lines,
    check_control_characters,
    check_comments_in_text,
    check_no_secrets,
)


def run_checks(
    rulebook: Rulebook, source: Source, kept: Kept, today: dt.date | None = None
) -> list[Problem]:
    ctx = Context(rulebook, source, kept, today)
    return [problem for check in CHECKS for problem in check(ctx)]
