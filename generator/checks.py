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
                if ref not in raw_ids[catalogue]:
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
    """Ids and codes become file and folder names: none may be a reserved device name."""
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
        if name.split(".")[0].lower() in RESERVED_NAMES:
            yield ctx.problem(
                path,
                f"'{name}' is a reserved file name on Windows",
                "choose another id or code",
                key=path[0] == "redirects",
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


def iter_texts(rb: Rulebook) -> Iterator[tuple[PathT, str, bool]]:
    """Every text of the rulebook: ``(path, text, is_markdown)``; code is not Markdown."""
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
                    yield (name, i, field), value, True
    for i, term in enumerate(rb.glossary):
        for j, alias in enumerate(term.aliases):
            yield ("glossary", i, "aliases", j), alias, True
    for i, rule in enumerate(rb.rules):
        yield from _rule_texts(i, rule)


def _rule_texts(i: int, rule: Rule) -> Iterator[tuple[PathT, str, bool]]:
    base: PathT = ("rules", i)
    for field in ("title", "summary", "summary_en", "meaning"):
        yield (*base, field), getattr(rule, field), True
    for field in ("causes", "checklist"):
        for j, text in enumerate(getattr(rule, field)):
            yield (*base, field, j), text, True
    for j, text in enumerate(rule.signatures):
        yield (*base, "signatures", j), text, False
    for j, faq in enumerate(rule.faq):
        yield (*base, "faq", j, "q"), faq.q, True
        yield (*base, "faq", j, "a"), faq.a, True
    for j, revision in enumerate(rule.revisions):
        yield (*base, "revisions", j, "reason"), revision.reason, True
        if revision.source:
            yield (*base, "revisions", j, "source"), revision.source, True
    for j, example in enumerate(rule.examples):
        yield (*base, "examples", j, "code"), example.code, False
        if example.title:
            yield (*base, "examples", j, "title"), example.title, True
    if rule.retry.note:
        yield (*base, "retry", "note"), rule.retry.note, True


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    # markdown-it silently drops javascript: links; we want to see every link to refuse it,
    # because Python-Markdown (the site engine) would render it.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MAYBE_MARKUP = re.compile(r"<|\]\(|\]:|javascript:", re.IGNORECASE)


def check_markdown(ctx: Context) -> Iterator[Problem]:
    """Refuse raw HTML and unsafe link schemes (Markdown is rendered into pages)."""
    for path, text, is_markdown in iter_texts(ctx.rulebook):
        if not is_markdown or not _MAYBE_MARKUP.search(text):
            continue
        html_seen = False
        for token in _walk_tokens(_markdown().parse(text)):
            if token.type in ("html_inline", "html_block") and not html_seen:
                html_seen = True  # one message per text is enough
                yield ctx.problem(
                    path,
                    f"raw HTML is not allowed: {token.content.strip()[:40]!r}",
                    "use Markdown, or put the text in `backticks` to show it literally",
                )
            elif token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                scheme = href.split(":", 1)[0].lower() if ":" in href else ""
                if scheme and scheme not in SAFE_SCHEMES:
                    yield ctx.problem(
                        path,
                        f"link scheme '{scheme}:' is not allowed",
                        "links may use http, https, mailto or a relative path",
                    )


def _walk_tokens(tokens: list) -> Iterator:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk_tokens(token.children)


def check_no_secrets(ctx: Context) -> Iterator[Problem]:
    texts = list(iter_texts(ctx.rulebook))
    for (path, _, _), hits in zip(texts, find_secrets_in([t for _, t, _ in texts]), strict=True):
        for kind, masked in hits:
            yield ctx.problem(
                path,
                f"text contains what looks like a secret ({kind}: {masked})",
                "use a placeholder such as sk-your-key or YOUR_API_KEY",
            )


CHECKS: tuple[Check, ...] = (
    check_unique_ids,
    check_references,
    check_never_evidence,
    check_codes,
    check_file_names,
    check_retry,
    check_redirects,
    check_revisions,
    check_review_dates,
    check_markdown,
    check_no_secrets,
)


def run_checks(
    rulebook: Rulebook, source: Source, kept: Kept, today: dt.date | None = None
) -> list[Problem]:
    ctx = Context(rulebook, source, kept, today)
    return [problem for check in CHECKS for problem in check(ctx)]
