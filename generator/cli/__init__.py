"""The `triagebook` command line. User errors are printed, never raised as tracebacks.

``parser`` declares the arguments, ``commands`` does the work of each command; this
module runs one and turns whatever goes wrong into one clear message and an exit status.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence

from generator.cli.commands import COMMANDS, EXIT_PROBLEMS, EXIT_USAGE, UsageError
from generator.cli.parser import fill_paths, make_parser
from generator.errors import GeneratorError
from generator.rulebook.problems import RulebookError, format_problems, summary

__all__ = ["main"]


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like an exception, so builds remove their temporary directory,
    # release their lock and leave the previous site in place.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    fill_paths(args)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("TRIAGEBOOK_DEBUG") and not isinstance(exc, GeneratorError):
            raise
        return _report(exc, args.command)


def _report(exc: Exception, command: str) -> int:
    """One clear message for whatever went wrong, and the exit status; never a traceback."""
    if isinstance(exc, UsageError):
        print(f"triagebook {command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, RulebookError):
        print(format_problems(exc.problems, "text"), file=sys.stderr)
        print(f"error: {summary(exc.problems)}; nothing was written", file=sys.stderr)
    elif isinstance(exc, GeneratorError):
        print(f"error: {exc}", file=sys.stderr)
    elif isinstance(exc, OSError):  # the environment: a folder that cannot be written
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
    else:  # a bug: say so in one line; the traceback is one switch away
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); please report it with the "
            "output of `triagebook --version` (TRIAGEBOOK_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
    return EXIT_PROBLEMS
