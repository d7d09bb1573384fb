"""What each command does: read the arguments, call the stage that does the work, print
its result. Errors are raised; ``generator.cli.main`` turns each into one message."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.rulebook.model import Rulebook
    from generator.rulebook.problems import Problem
    from generator.site.project import Project

from generator.rulebook.problems import format_problems, summary

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Wrong combination of arguments: exit status 2, like argparse's own errors."""


def _project(args: argparse.Namespace) -> Project:
    from generator.site.project import Project

    return Project(args.rules, args.config, args.project, getattr(args, "engine", None))


def cmd_translations(args: argparse.Namespace) -> int:
    from generator.config import load_settings
    from generator.editors.translations import stamp, status
    from generator.rulebook.loader import load_or_raise
    from generator.rulebook.overlay import overlay_files
    from generator.site.project import load_translations

    rulebook = load_or_raise(args.rules)
    project = _project(args)
    language = load_settings(args.config).language
    found = [
        t
        for t in load_translations(project, rulebook, language)
        if args.language in (None, t.language)
    ]
    if not found:
        print(
            f"no translation{' into ' + args.language if args.language else ''} beside "
            f"{args.rules} (rulebook.<language>.yaml)",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    if args.stamp:
        for translation in found:
            changed = stamp(overlay_files(args.rules)[translation.language], rulebook)
            print(f"{translation.source.file}: stamped {changed} entries", file=sys.stderr)
        found = load_translations(project, rulebook, language)
    for translation in found:
        s = status(translation, rulebook)
        print(
            f"{s.language}: {s.file}: {s.entries} entries, {s.missing} texts missing, "
            f"{s.stale} stale, {s.unstamped} not stamped"
        )
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from generator.editors.scaffold import scaffold

    written = scaffold(args.directory, args.language, dt.date.today())
    print(
        f"wrote {len(written)} files into {args.directory}; next: "
        f"triagebook build --project {args.directory}",
        file=sys.stderr,
    )
    return EXIT_OK


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
    problems = loaded.problems
    if loaded.rulebook is not None and not loaded.errors:
        problems = problems + _translation_problems(args, loaded.rulebook)
    problems = problems + _settings_problems(args, today)
    if args.format == "json":
        print(format_problems(problems, "json"))
    elif problems:
        print(format_problems(problems, args.format))
    if args.format == "text":
        if problems:
            print(summary(problems), file=sys.stderr)
        else:
            rules = len(loaded.rulebook.rules) if loaded.rulebook else 0
            print(f"{args.rules}: OK, {rules} rules", file=sys.stderr)
    return EXIT_PROBLEMS if any(p.severity == "error" for p in problems) else EXIT_OK


def _translation_problems(args: argparse.Namespace, rulebook: Rulebook) -> list[Problem]:
    """The translations beside the rulebook, checked like it (warnings become errors with
    --strict)."""
    from generator.config import load_settings
    from generator.site.project import load_translations

    language = load_settings(args.config).language if args.config.is_file() else ""
    found = [p for t in load_translations(_project(args), rulebook, language) for p in t.problems]
    if args.strict:
        found = [dataclasses.replace(p, severity="error") for p in found]
    return found


def _settings_problems(args: argparse.Namespace, today: dt.date) -> list[Problem]:
    """What the site settings need soon: a security.txt that expires within 30 days."""
    from generator.config import load_settings
    from generator.outputs.security_txt import WARN_DAYS, expires, security_settings
    from generator.rulebook.problems import Problem

    if not args.config.is_file():
        return []
    found = security_settings(load_settings(args.config).extra)
    if found is None or (expires(found) - today).days > WARN_DAYS:
        return []
    text = args.config.read_text(encoding="utf-8").splitlines()
    line = next((i for i, t in enumerate(text, 1) if t.strip().startswith("expires:")), 1)
    column = text[line - 1].index("expires:") + 1 if text and line <= len(text) else 1
    days = (expires(found) - today).days
    when = f"expires in {days} days" if days >= 0 else f"expired {-days} days ago"
    return [
        Problem(
            str(args.config),
            line,
            column,
            "extra.security_txt.expires",
            f"security.txt {when} ({expires(found).isoformat()})",
            "set a later date (RFC 9116 advises less than a year ahead)",
            "error" if args.strict else "warning",
        )
    ]


def cmd_build(args: argparse.Namespace) -> int:
    from generator.site.build import build

    project = _project(args)
    result = build(project, args.site_dir or project.root / "site")
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
    project = _project(args)
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

    root = _project(args).root
    options = PublishOptions(
        site_dir=args.site_dir or root / "site",
        state_file=args.state or root / DEFAULT_STATE,
        endpoint=args.endpoint or DEFAULT_ENDPOINT,
        key=args.key,
        dry_run=args.dry_run,
        force=args.force,
        **({"timeout": args.timeout} if args.timeout else {}),
    )
    publish(load_settings(args.config), options, say=lambda text: print(text, file=sys.stderr))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.site.serve import serve

    host, port = args.dev_addr
    serve(_project(args), host, port)
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from generator.site.preview import preview

    preview(args.site_dir or _project(args).root / "site", *args.dev_addr)
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
    "new": cmd_new,
    "translations": cmd_translations,
    "preview": cmd_preview,
}
