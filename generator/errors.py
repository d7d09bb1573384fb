"""The one small exception hierarchy; the CLI catches GeneratorError once.

RulebookError (a GeneratorError that carries located problems) lives beside Problem in
``generator.rulebook.problems``.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """A user-facing error: printed without a traceback, exit status 1."""


class BuildError(GeneratorError):
    """The build failed; the previous site was left as it was."""


class PublishError(GeneratorError):
    """Publishing failed; the publish state was not advanced."""
