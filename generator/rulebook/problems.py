"""Located problems and the three ways `check` prints them."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from generator.errors import GeneratorError

Severity = Literal["error", "warning"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def body(self) -> str:
        path = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        # Rulebook values reach messages: their control characters must not reach the
        # terminal (escape sequences) or a CI log, so they are shown as escapes.
        return _CONTROL.sub(_escape, f"{path}{self.message}{hint}")

    def text(self) -> str:
        label = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}:{self.column}: {label}{self.body()}"

    def github(self) -> str:
        # Workflow commands end at a newline; '%' must be escaped first.
        body = self.body().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} file={self.file},line={self.line},col={self.column}::{body}"


class RulebookError(GeneratorError):
    """The rulebook has problems; every one of them is attached."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in the rulebook")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path, p.message))


#: Beyond this many, more problems only bury the first ones (200,000 aliases or duplicate
#: keys would print 200,000 lines): the report ends with how many more there are.
MAX_SHOWN = 200


def capped(problems: list[Problem], limit: int = MAX_SHOWN) -> list[Problem]:
    if len(problems) <= limit:
        return problems
    rest = problems[limit:]
    more = Problem(
        rest[0].file,
        rest[0].line,
        rest[0].column,
        "",
        f"… and {len(rest):,} more problem(s) not shown",
        "fix the ones above first; they often cause the rest",
        "error" if any(p.severity == "error" for p in rest) else "warning",
    )
    return [*problems[:limit], more]


def format_problems(problems: list[Problem], fmt: str) -> str:
    problems = capped(problems)
    if fmt == "json":
        return json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)


def summary(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None
