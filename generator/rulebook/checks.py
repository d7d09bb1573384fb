"""Semantic checks of the rulebook's structure: small named functions, all run.

Each check yields Problems located in the YAML file; `run_checks` collects
every one of them so an editor sees all mistakes in a single run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from generator.rulebook.model import RESERVED_NAMES, Rule, Rulebook
from generator.rulebook.problems import Problem, did_you_mean
from generator.rulebook.yamlsource import PathT, Source

#: Client errors that a later, unchanged request may get past (RFC 9110 §15.5, RFC 6585 §4,
#: RFC 8470 §5.2): a timeout, a conflict, too early, too many requests.
RETRYABLE_4XX = frozenset({"408", "409", "425", "429"})

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


def check_extractors(ctx: Context) -> Iterator[Problem]:
    """The diagnosis fills evidence from pasted text: never a 'never' field, and each kind
    of value into one field only."""
    first: dict[str, str] = {}
    for i, item in enumerate(ctx.rulebook.evidence):
        if item.extract is None:
            continue
        if item.sensitivity == "never":
            yield ctx.problem(
                ("evidence", i, "extract"),
                f"'{item.id}' is marked 'never': the diagnosis must not fill it",
                "remove extract, or the field is not 'never'",
            )
        elif item.extract in first:
            yield ctx.problem(
                ("evidence", i, "extract"),
                f"'{item.extract}' is already extracted into '{first[item.extract]}'",
                "each kind of value fills one field",
            )
        else:
            first[item.extract] = item.id


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
        if retry.policy != "backoff" and retry.respect_retry_after is not None:
            yield ctx.problem(
                ("rules", i, "retry", "respect_retry_after"),
                f"respect_retry_after only applies to the backoff policy, not '{retry.policy}'",
                "nothing retries automatically under this policy: remove the key",
                severity="warning",  # harmless, and older rulebooks wrote it: --strict refuses
            )
        if retry.policy == "backoff":
            for j, code in enumerate(rule.codes):
                if (
                    code.isdigit()
                    and len(code) == 3
                    and code[0] == "4"
                    and code not in RETRYABLE_4XX
                ):
                    yield ctx.problem(
                        ("rules", i, "codes", j),
                        f"status {code} is a client error that repeating cannot fix, "
                        "but the rule's retry policy is backoff",
                        "move the code to a rule whose policy is none or manual; "
                        f"only {', '.join(sorted(RETRYABLE_4XX))} may be retried automatically",
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


CHECKS: tuple[Check, ...] = (
    check_version,
    check_site_size,
    check_unique_ids,
    check_references,
    check_never_evidence,
    check_extractors,
    check_codes,
    check_file_names,
    check_retry,
    check_example_languages,
    check_redirects,
    check_revisions,
    check_review_dates,
)
