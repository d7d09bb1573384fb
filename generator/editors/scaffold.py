"""``triagebook new``: a small working knowledge base to start from, in one language.

The scaffolds ship in the package (``templates/scaffold/<language>/``): site settings, a
valid rulebook of two rules and one hand-written page. Files ending in ``.j2`` are filled
in first (today's date as the rules' review date, so a new project has no review due).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import jinja2

from generator.errors import GeneratorError
from generator.render.templating import PACKAGE_TEMPLATES

SCAFFOLDS = PACKAGE_TEMPLATES / "scaffold"


def scaffold_languages() -> list[str]:
    return sorted(p.name for p in SCAFFOLDS.iterdir() if p.is_dir())


def scaffold(target: Path, language: str, today: dt.date) -> list[Path]:
    """Write a new project into ``target`` (missing or empty); return the files written."""
    source = SCAFFOLDS / language
    if not source.is_dir():
        raise GeneratorError(
            f"no scaffold for language '{language}'; available: " + ", ".join(scaffold_languages())
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GeneratorError(f"{target} exists and is not empty; choose a new folder")
    # YAML and Markdown, not HTML: nothing to escape, and the only value is a date.
    env = jinja2.Environment(  # noqa: S701
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    written = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".j2":
            out = out.with_suffix("")
            text = env.from_string(path.read_text(encoding="utf-8")).render(today=today)
            out.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(path, out)
        written.append(out)
    shutil.copyfile(SCAFFOLDS / "gitignore", target / ".gitignore")
    return [*written, target / ".gitignore"]
