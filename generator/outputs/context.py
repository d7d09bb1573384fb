"""What every output writer receives: the validated model and the site settings.

Writers never read YAML; each one takes this context and the directory of the
site being built, and returns the paths it wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from jinja2 import Environment

from generator.config import Settings
from generator.render.messages import Messages
from generator.render.page import Page
from generator.render.pages import render_pages
from generator.render.templating import Templates
from generator.render.urls import url_path
from generator.rulebook.model import Rulebook


@dataclass(frozen=True)
class BuildContext:
    """Shared by the writers; what several of them need is computed once here."""

    rulebook: Rulebook
    settings: Settings
    pages: list[Page]  # generated pages, in navigation order
    templates: Templates
    hand_written: list[tuple[str, str]]  # (docs-relative path, title) of content/ pages

    @cached_property
    def page_dates(self) -> dict[str, dt.date | None]:
        """Site path -> last change of every page, generated and hand-written
        (hand-written pages have no true date)."""
        dates: dict[str, dt.date | None] = {page.url_path: page.lastmod for page in self.pages}
        dates.update((url_path(src), None) for src, _ in self.hand_written)
        return dates

    @cached_property
    def searchable_paths(self) -> frozenset[str]:
        """Site paths of the pages the search index is expected to hold: the searchable
        generated pages and the hand-written ones (a hand-written page may opt out)."""
        paths = {page.url_path for page in self.pages if page.searchable}
        return frozenset(paths | {url_path(src) for src, _ in self.hand_written})

    @cached_property
    def twins(self) -> dict[str, str]:
        """The Markdown twin of every generated page: ``{src: text}``."""
        return render_pages(self.rulebook, self.settings, self.templates, self.pages, twin=True)

    @cached_property
    def messages(self) -> Messages:
        """The words of this edition's language."""
        return self.templates.messages(self.settings.language)

    def environment(self, kind: str = "machine", *, autoescape: bool = False) -> Environment:
        """The templates of ``kind`` in this edition's language."""
        return self.templates.environment(kind, self.settings.language, autoescape=autoescape)


Writer = Callable[[BuildContext, Path], list[Path]]
