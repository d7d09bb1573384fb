"""A knowledge-base project: where its parts are, and the language editions it builds.

A project is a folder: ``rules/rulebook.yaml`` (and its translations
``rules/rulebook.<lang>.yaml``), ``mkdocs.yml``, hand-written pages in ``content/`` (for
another language, ``content.<lang>/``), and optionally ``templates/``, whose files replace
the package's templates of the same path. Paths come from the project, never from where
the config file happens to be.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from generator.config import Edition, Settings, load_settings
from generator.render.templating import Templates
from generator.rulebook.loader import load_or_raise
from generator.rulebook.model import Rulebook
from generator.rulebook.overlay import Translation, load_translation, overlay_files
from generator.rulebook.problems import RulebookError

WORK_DIR = ".triagebook"


@dataclass(frozen=True)
class Project:
    rules: Path
    config: Path
    #: The project folder; by default the folder that holds the site settings.
    root_dir: Path | None = field(default=None)
    #: The site engine for this build, over mkdocs.yml's ``extra.engine``.
    engine: str | None = field(default=None)

    @classmethod
    def at(cls, root: Path) -> Project:
        return cls(root / "rules" / "rulebook.yaml", root / "mkdocs.yml", root)

    @property
    def root(self) -> Path:
        return (self.root_dir or self.config.parent).resolve()

    @property
    def content(self) -> Path:
        return self.root / "content"

    def content_for(self, edition: Edition) -> Path:
        """Hand-written pages of an edition: ``content/`` for the default language,
        ``content.<lang>/`` for another."""
        return self.content if not edition.prefix else self.root / f"content.{edition.language}"

    @cached_property
    def templates(self) -> Templates:
        return Templates.of_project(self.root)

    @property
    def work(self) -> Path:
        return self.root / WORK_DIR


@dataclass(frozen=True)
class EditionBuild:
    """One language of the site, ready to render: its settings and its rulebook."""

    edition: Edition
    settings: Settings
    rulebook: Rulebook


def load_translations(project: Project, rb: Rulebook, language: str) -> list[Translation]:
    """Every translation beside the rulebook (not the source language itself)."""
    return [
        load_translation(path, lang, rb, display=_shown(project, path))
        for lang, path in overlay_files(project.rules).items()
        if lang != language
    ]


def _shown(project: Project, path: Path) -> str:
    return str(path.relative_to(project.root)) if path.is_relative_to(project.root) else str(path)


def editions(project: Project, rulebook: Rulebook | None = None) -> list[EditionBuild]:
    """The default edition at the site's root, then one per translation under ``<lang>/``.
    A translation with errors stops the build; its warnings (missing or stale texts, shown
    in the source language) do not."""
    settings = load_settings(project.config)
    rb = rulebook or load_or_raise(project.rules)
    translations = load_translations(project, rb, settings.language)
    errors = [p for t in translations for p in t.problems if p.severity == "error"]
    if errors:
        raise RulebookError(errors)
    default = Edition(settings.language, "", settings.site_name, settings.description)
    others = [
        Edition(
            t.language,
            f"{t.language}/",
            t.site.get("name", settings.site_name),
            t.site.get("description", settings.description),
        )
        for t in translations
    ]
    every = (default, *others)
    base = dataclasses.replace(settings, editions=every)
    english = next((t.rulebook for t in translations if t.language == "en"), None)
    builds = [EditionBuild(default, base.for_edition(default), _with_english(rb, english))]
    builds += [
        EditionBuild(edition, base.for_edition(edition), t.rulebook)
        for edition, t in zip(others, translations, strict=True)
    ]
    return builds


def _with_english(rb: Rulebook, english: Rulebook | None) -> Rulebook:
    """The English edition's summaries as the source's ``summary_en``: what answer engines
    and the API quote in English."""
    if english is None:
        return rb
    rules = tuple(
        dataclasses.replace(rule, summary_en=translated.summary)
        if translated.summary != rule.summary
        else rule
        for rule, translated in zip(rb.rules, english.rules, strict=True)
    )
    return dataclasses.replace(rb, rules=rules)
