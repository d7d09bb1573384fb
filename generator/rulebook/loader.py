"""Load the rulebook: YAML -> shape validation -> semantic checks -> model.

Every problem is collected; nothing is raised for user mistakes until the end,
so an editor sees all of them in one run.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import gc
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from generator.rulebook.checks import CHECKS, Context, Kept
from generator.rulebook.model import CODE_PATTERN, SLUG_PATTERN, Rulebook
from generator.rulebook.problems import Problem, RulebookError, did_you_mean, sort_problems
from generator.rulebook.text_checks import TEXT_CHECKS
from generator.rulebook.yamlsource import PathT, Source, load_yaml

_ADAPTER = TypeAdapter(Rulebook)


@dataclass(frozen=True)
class Loaded:
    source: Source
    rulebook: Rulebook | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load(
    path: Path,
    *,
    strict: bool = False,
    display: str | None = None,
    today: dt.date | None = None,
) -> Loaded:
    """Load and check ``path``; problems are returned, not raised.

    ``today`` enables the review-date checks (stale reviews are warnings).
    """
    # Parsing creates about a million objects and no garbage cycles; the cyclic
    # collector would rescan them over and over (40 % of a 1,000-rule check).
    with _collector_paused():
        return _load(path, strict=strict, display=display, today=today)


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(path: Path, *, strict: bool, display: str | None, today: dt.date | None) -> Loaded:
    source = load_yaml(path, display)
    problems = list(source.problems)
    rulebook = None
    if source.root is not None:
        if not isinstance(source.data, dict):
            problems.append(source.problem((), "the rulebook must be a mapping of keys"))
        else:
            rulebook, kept, shape = validate_shape(source, strict=strict)
            problems += shape
            if rulebook is not None:
                problems += run_checks(rulebook, source, kept, today)
    if strict:
        problems = [dataclasses.replace(p, severity="error") for p in problems]
    return Loaded(source, rulebook, sort_problems(problems))


def run_checks(
    rulebook: Rulebook, source: Source, kept: Kept, today: dt.date | None = None
) -> list[Problem]:
    """Every check, structure and text, over the model: all problems, collected."""
    ctx = Context(rulebook, source, kept, today)
    return [problem for check in (*CHECKS, *TEXT_CHECKS) for problem in check(ctx)]


def load_or_raise(path: Path, *, strict: bool = False, display: str | None = None) -> Rulebook:
    loaded = load(path, strict=strict, display=display)
    if loaded.errors or loaded.rulebook is None:
        raise RulebookError(loaded.problems)
    return loaded.rulebook


def validate_shape(source: Source, *, strict: bool) -> tuple[Rulebook | None, Kept, list[Problem]]:
    """Check types and keys; return the largest valid part of the rulebook.

    Items of the top-level lists that fail are dropped so the semantic checks
    can still run over the rest: one bad rule must not hide another's mistakes.
    ``kept`` maps each list's model index back to its index in the file.
    """
    data: dict[str, Any] = source.data
    kept: Kept = {
        name: list(range(len(value))) for name, value in data.items() if isinstance(value, list)
    }
    already = {p.path for p in source.problems}
    problems: list[Problem] = []
    for _attempt in range(3):
        try:
            return _ADAPTER.validate_python(data), kept, problems
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        bad_items: set[tuple[str, int]] = set()
        unknown: list[PathT] = []
        for error in errors:
            loc: PathT = tuple(error["loc"])
            if error["type"] == "too_short" and any(
                tuple(e["loc"][: len(loc)]) == loc and len(e["loc"]) > len(loc) for e in errors
            ):
                continue  # an item below failed; that error says more
            problem = translate(source, error, strict=strict)
            if problem.path not in already:
                problems.append(problem)
            if error["type"] == "unexpected_keyword_argument":
                unknown.append(loc)
            elif len(loc) >= 2 and isinstance(loc[1], int):
                bad_items.add((str(loc[0]), loc[1]))
            elif problem.severity == "error":
                return None, kept, problems
        data = _without(data, unknown, bad_items)
        for name in {name for name, _ in bad_items}:
            kept[name] = [
                original for i, original in enumerate(kept[name]) if (name, i) not in bad_items
            ]
        already |= {p.path for p in problems}
    return None, kept, problems


def _without(data: dict[str, Any], unknown: list[PathT], bad: set[tuple[str, int]]) -> dict:
    """A copy of ``data`` without the unknown keys and without the failed items."""
    data = _deep_copy_path(data, unknown)
    for name in {name for name, _ in bad}:
        data[name] = [item for i, item in enumerate(data[name]) if (name, i) not in bad]
    return data


def _deep_copy_path(data: dict[str, Any], unknown: list[PathT]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for loc in unknown:
        parent: Any = data
        for part in loc[:-1]:
            parent = parent[part]
        parent.pop(loc[-1], None)
    return data


def translate(source: Source, error: Any, *, strict: bool) -> Problem:
    """Turn one pydantic error into a located, plain-words Problem."""
    loc: PathT = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":  # a mapping key failed (redirects): point at the key
        error = {**error, "loc": loc[:-1]}
        problem = translate(source, error, strict=strict)
        return source.problem(loc[:-1], problem.message, problem.hint, key=True)
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return source.problem(loc[:-1], f"required key '{loc[-1]}' is missing")
    if kind == "unexpected_keyword_argument":
        known = allowed_keys(loc[:-1])
        return source.problem(
            loc,
            f"unknown key '{loc[-1]}'",
            did_you_mean(str(loc[-1]), known) or f"allowed keys: {', '.join(known)}",
            key=True,
            severity="error" if strict else "warning",
        )
    message, hint = _MESSAGES.get(kind, (None, None))
    if kind == "string_pattern_mismatch":
        message, hint = _pattern_message(value, ctx.get("pattern", ""))
    elif kind == "literal_error":
        message = f"{value!r} is not one of {ctx.get('expected')}"
    elif kind in ("too_short", "string_too_short"):
        need = ctx.get("min_length", 1)
        message = (
            "must not be empty"
            if kind == "string_too_short"
            else (f"needs at least {need} entr{'y' if need == 1 else 'ies'}")
        )
    elif kind in ("too_long", "string_too_long"):
        message = f"is too long (at most {ctx.get('max_length'):,})"
        if "signatures" in loc:
            hint = "keep the error text itself, not the log around it: every page shows it"
    elif kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        message = f"must be {'at least' if kind == 'greater_than_equal' else 'at most'} {bound}"
    if message is None:
        message = error["msg"]
    if kind.endswith("_type") and value is not None and "got" not in message:
        message += f", got {_kind_of(value)}"
    if kind == "string_type" and isinstance(value, bool | int | float):
        written = source.scalar_at(loc) or str(value).lower()
        hint = f'YAML reads an unquoted {written} as {_kind_of(value)}: quote it, "{written}"'
    return source.problem(loc, message, hint)


_MESSAGES: dict[str, tuple[str | None, str | None]] = {
    "string_type": ("expected text", "quote the value"),
    "int_type": ("expected a whole number", None),
    "int_parsing": ("expected a whole number", None),
    "int_from_float": ("expected a whole number", None),
    "bool_type": ("expected true or false", None),
    "bool_parsing": ("expected true or false", None),
    "tuple_type": ("expected a list", "start each entry with '- '"),
    "list_type": ("expected a list", "start each entry with '- '"),
    "dataclass_type": ("expected a mapping of keys", None),
    "dataclass_args_type": ("expected a mapping of keys", None),
    "date_type": ("expected a date like 2026-11-20", None),
    "date_parsing": ("expected a date like 2026-11-20", None),
    "date_from_datetime_inexact": ("expected a date without a time", None),
    "date_from_datetime_parsing": ("expected a date like 2026-11-20", None),
}


def _pattern_message(value: Any, pattern: str) -> tuple[str, str]:
    if pattern == SLUG_PATTERN:
        suggestion = "-".join(
            "".join(c if c.isascii() and c.isalnum() else " " for c in str(value).lower()).split()
        )
        hint = "use lowercase letters, digits and single hyphens"
        if suggestion:
            hint += f", e.g. '{suggestion}'"
        return f"'{value}' is not a valid id", hint
    if pattern == CODE_PATTERN:
        return (
            f"'{value}' is not a valid code",
            "letters, digits, '_', '.' and '-' only, no spaces; put error texts in signatures",
        )
    return f"'{value}' does not match {pattern}", ""


def _kind_of(value: Any) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(type(value), type(value).__name__)


@cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _unwrap(tp: Any) -> Any:
    """The dataclass inside Annotated/tuple/Optional wrappers, if any."""
    while True:
        if dataclasses.is_dataclass(tp):
            return tp
        args = typing.get_args(tp)
        if not args:
            return None
        tp = next((a for a in args if a is not type(None) and a is not Ellipsis), None)


def allowed_keys(path: PathT) -> list[str]:
    """The keys a mapping at ``path`` may have, from the model."""
    cls: Any = Rulebook
    for part in path:
        if isinstance(part, int):
            continue
        cls = _unwrap(_field_types(cls).get(part))
        if cls is None:
            return []
    return [f.name for f in dataclasses.fields(cls)]
