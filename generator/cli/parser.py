"""The command line's arguments: every command, its options and their types."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.config import ENGINES


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        help="the knowledge base's folder (default: the folder of --config, else the current one)",
    )
    parser.add_argument(
        "--rules", type=Path, help="the rulebook (default: PROJECT/rules/rulebook.yaml)"
    )
    parser.add_argument("--config", type=Path, help="site settings (default: PROJECT/mkdocs.yml)")


def _engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=None,
        help="the site engine for this build (default: extra.engine in mkdocs.yml, else mkdocs)",
    )


def fill_paths(args: argparse.Namespace) -> None:
    """Fill --rules and --config from --project: every path is the project's."""
    if "rules" not in args:
        return
    root = args.project or (args.config.parent if args.config else Path())
    args.rules = args.rules or root / "rules" / "rulebook.yaml"
    args.config = args.config or root / "mkdocs.yml"


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

    build = sub.add_parser("build", help="build the site")
    _common(build)
    build.add_argument("--site-dir", type=Path, default=None, help="default: PROJECT/site")
    _engine(build)

    preview = sub.add_parser(
        "preview", help="serve a built site as its host will: headers, 301s, Markdown twins"
    )
    _common(preview)
    preview.add_argument("--site-dir", type=Path, default=None, help="default: PROJECT/site")
    preview.add_argument(
        "--dev-addr", type=_address, default=("127.0.0.1", 8000), metavar="HOST:PORT"
    )

    serve = sub.add_parser("serve", help="live preview; rebuilds on changes")
    _common(serve)
    _engine(serve)
    serve.add_argument(
        "--dev-addr", type=_address, default=("127.0.0.1", 8000), metavar="HOST:PORT"
    )
    publish = sub.add_parser(
        "publish", help="ping IndexNow with the URLs changed since the last publish"
    )
    _common(publish)
    publish.add_argument("--site-dir", type=Path, default=None, help="default: PROJECT/site")
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

    _editors_commands(sub)
    return parser


def _editors_commands(sub: Any) -> None:
    """The commands beside the pipeline, for people who write the rulebook."""
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

    translations = sub.add_parser(
        "translations", help="where each translation stands; --stamp marks it up to date"
    )
    _common(translations)
    translations.add_argument(
        "--stamp",
        action="store_true",
        help="record in each entry the source texts it translates now (after updating them)",
    )
    translations.add_argument("--language", help="only this language (default: every one)")

    new = sub.add_parser("new", help="start a knowledge base: settings, a small rulebook, a page")
    new.add_argument("directory", type=Path, help="the new project's folder (missing or empty)")
    new.add_argument("--language", default="en", help="the site's language: en or zh (default: en)")

    schema = sub.add_parser("schema", help="write the rulebook's JSON Schema for editors")
    schema.add_argument(
        "--output", type=Path, default=None, help="default: schema/rulebook.schema.json"
    )
    schema.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the committed schema is stale; write nothing",
    )
