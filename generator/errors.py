"""The one small exception hierarchy; the CLI catches GeneratorError once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.problems import Problem


class GeneratorError(Exception):
    """A user-facing error: printed without a traceback, exit status 1."""


class RulebookError(GeneratorError):
    """The rulebook has problems; every one of them is attached."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in the rulebook")


class BuildError(GeneratorError):
    """The build failed; the previous site was left as it was."""


class PublishError(GeneratorError):
    """Publishing failed; the publish state was not advanced."""
