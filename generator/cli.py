"""The `triagebook` command line. User errors are printed, never raised as tracebacks."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from generator.errors import GeneratorError
from generator.rulebook.problems import RulebookError, format_problems, summary

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        type=Path,
        default=Path("rules/rulebook.yaml"),
        help="the rulebook (default: rules/rulebook.yaml)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("mkdocs.yml"),
        help="site settings (default: mkdocs.yml)",
    )


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536 or any(c.isspace() for c in host):
        raise argparse.ArgumentTypeError(f"expected HOST:PORT such as 127.0.0.1:8000, got {text!r}")
    return host or "127.0.0.1", int(port)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-20: {text!r}") from None


class _VersionAction(argparse.Action):
    """Like argparse's "version" action, but reads the versions only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from generator.outputs.stack import version_text

        print(version_text())
        parser.exit()


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triagebook",
        description="Publish an error-code knowledge base from one YAML rulebook.",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the versions of triagebook and of the engine stack, then exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate the rulebook (exit 0 clean, 1 problems)")
    _common(check)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument(
        "--today",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="date for the review-due warnings (default: today)",
    )

    diff = sub.add_parser("diff", help="what a rulebook change does: rules and URLs affected")
    _common(diff)
    diff.add_argument("old", nargs="?", type=Path, help="the rulebook before")
    diff.add_argument("new", nargs="?", type=Path, help="the rulebook after")
    diff.add_argument(
        "--base",
        metavar="GITREF",
        help="compare the working copy of --rules with its version at GITREF",
    )
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    report = sub.add_parser("report", help="reports for editors")
    report.add_argument("what", choices=("stale",), help="stale: rules whose review is due")
    _common(report)
    report.add_argument("--today", type=_date, default=None, metavar="YYYY-MM-DD")
    report.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    build = sub.add_parser("build", help="build the site")
    _common(build)
    build.add_argument("--site-dir", type=Path, default=Path("site"))

    serve = sub.add_parser("serve", help="live preview; rebuilds on changes")
    _common(serve)
    serve.add_argument(
        "--dev-addr", type=_address, default=("127.0.0.1", 8000), metavar="HOST:PORT"
    )
    publish = sub.add_parser(
        "publish", help="ping IndexNow with the URLs changed since the last publish"
    )
    _common(publish)
    publish.add_argument("--site-dir", type=Path, default=Path("site"))
    publish.add_argument("--dry-run", action="store_true", help="print the URLs; send nothing")
    publish.add_argument(
        "--endpoint", default=None, help="default: https://api.indexnow.org/indexnow"
    )
    publish.add_argument("--key", default=None, help="default: $INDEXNOW_KEY, then mkdocs.yml")
    publish.add_argument(
        "--state", type=Path, default=None, help="default: .triagebook/indexnow-state.json"
    )
    publish.add_argument(
        "--force", action="store_true", help="also send URLs accepted less than 10 minutes ago"
    )
    publish.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up when the whole publish takes longer (default: 120)",
    )

    diagnose = sub.add_parser(
        "diagnose", help="rank the rules that answer a pasted error text (stdin without TEXT)"
    )
    _common(diagnose)
    diagnose.add_argument("text", nargs="?", help="the error text (default: standard input)")
    diagnose.add_argument("--file", type=Path, default=None, help="read the error text from F")
    diagnose.add_argument("--top", type=_positive, default=3, metavar="N", help="default: 3")
    diagnose.add_argument("--format", choices=("text", "json"), default="text")

    schema = sub.add_parser("schema", help="write the rulebook's JSON Schema for editors")
    schema.add_argument(
        "--output", type=Path, default=None, help="default: schema/rulebook.schema.json"
    )
    schema.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the committed schema is stale; write nothing",
    )
    return parser


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.rulebook.schema import SCHEMA_PATH, write_schema

    path = args.output or SCHEMA_PATH
    if write_schema(path, check=args.check):
        print(f"{path}: {'up to date' if args.check else 'written'}", file=sys.stderr)
        return EXIT_OK
    print(f"{path} is stale: run `triagebook schema` and commit it", file=sys.stderr)
    return EXIT_PROBLEMS


def cmd_check(args: argparse.Namespace) -> int:
    from generator.rulebook.loader import load

    today = args.today or dt.date.today()
    loaded = load(args.rules, strict=args.strict, display=str(args.rules), today=today)
    if args.format == "json":
        print(format_problems(loaded.problems, "json"))
    elif loaded.problems:
        print(format_problems(loaded.problems, args.format))
    if args.format == "text":
        if loaded.problems:
            print(summary(loaded.problems), file=sys.stderr)
        else:
            rules = len(loaded.rulebook.rules) if loaded.rulebook else 0
            print(f"{args.rules}: OK, {rules} rules", file=sys.stderr)
    return EXIT_PROBLEMS if loaded.errors else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from generator.site.build import Project, build

    result = build(Project(args.rules, args.config), args.site_dir)
    print(
        f"built {len(result.pages)} generated pages for {len(result.rulebook.rules)} rules "
        f"into {result.site_dir} in {result.seconds:.1f} s",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.config import load_settings
    from generator.editors.diff import diff_rulebooks, format_json, format_markdown, format_text
    from generator.editors.gitfiles import file_at, is_revision
    from generator.rulebook.loader import load_or_raise
    from generator.site.build import Project

    base: contextlib.AbstractContextManager[Path]
    if args.base:
        if args.old or args.new:
            raise UsageError("give either OLD NEW or --base GITREF, not both")
        if not is_revision(args.base):  # e.g. "-p": git would read it as an option
            raise UsageError(f"not a git revision: {args.base!r}")
        base = file_at(args.base, args.rules)
    elif args.old and args.new:
        base = contextlib.nullcontext(args.old)
    else:
        raise UsageError("diff needs OLD and NEW rulebooks, or --base GITREF")
    project = Project(args.rules, args.config)
    settings = load_settings(args.config)
    with base as old_path:
        shown = f"{args.rules}@{args.base}" if args.base else str(old_path)
        old = load_or_raise(old_path, display=shown)
    new = load_or_raise(args.new or args.rules)
    diff = diff_rulebooks(old, new, settings, project.templates)
    formats = {"text": format_text, "markdown": format_markdown, "json": format_json}
    print(formats[args.format](diff))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from generator.editors.report import format_stale
    from generator.rulebook.loader import load_or_raise

    rb = load_or_raise(args.rules)
    print(format_stale(rb, args.today or dt.date.today(), args.format))
    return EXIT_OK


def cmd_diagnose(args: argparse.Namespace) -> int:
    from generator.config import load_settings
    from generator.diagnose.report import read_input, report
    from generator.rulebook.loader import load_or_raise

    if args.text is not None and args.file is not None:
        raise UsageError("give the text or --file, not both")
    text = read_input(args.text, args.file)
    rulebook, settings = load_or_raise(args.rules), load_settings(args.config)
    matched = report(text, rulebook, settings, args.top, args.format)
    return EXIT_OK if matched else EXIT_PROBLEMS


def cmd_publish(args: argparse.Namespace) -> int:
    from generator.config import load_settings
    from generator.publish.changes import DEFAULT_STATE, PublishOptions, publish
    from generator.publish.indexnow import DEFAULT_ENDPOINT

    options = PublishOptions(
        site_dir=args.site_dir,
        state_file=args.state or DEFAULT_STATE,
        endpoint=args.endpoint or DEFAULT_ENDPOINT,
        key=args.key,
        dry_run=args.dry_run,
        force=args.force,
        **({"timeout": args.timeout} if args.timeout else {}),
    )
    publish(load_settings(args.config), options, say=lambda text: print(text, file=sys.stderr))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.site.build import Project
    from generator.site.serve import serve

    host, port = args.dev_addr
    serve(Project(args.rules, args.config), host, port)
    return EXIT_OK


COMMANDS = {
    "check": cmd_check,
    "build": cmd_build,
    "serve": cmd_serve,
    "schema": cmd_schema,
    "publish": cmd_publish,
    "diff": cmd_diff,
    "report": cmd_report,
    "diagnose": cmd_diagnose,
}


class UsageError(Exception):
    """Wrong combination of arguments: exit status 2, like argparse's own errors."""


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like an exception, so builds remove their temporary directory,
    # release their lock and leave the previous site in place.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
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
