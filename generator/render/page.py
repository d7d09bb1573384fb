"""One generated page: where it goes, what it shows, and when it last changed.

Its own module so that the page list (``pages``) and the structured data of each page
(``jsonld``) can both use it without importing each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from generator.render.urls import url_path


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes, what it shows, and when it last changed."""

    src: str  # docs-relative path, e.g. "rules/http-429.md"
    template: str
    title: str
    description: str
    kind: str  # home | rule | checklist | faq | topic | catalogue | hub
    lastmod: dt.date | None  # None: no true date (catalogues)
    context: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def searchable(self) -> bool:
        """Search finds rules, topics and catalogues. Checklists and FAQ pages repeat their
        rules' text, and hubs and tools only list or link: indexing them would bury the
        rule a reader looks for under pages that merely mention it."""
        return self.kind in ("rule", "topic", "catalogue")

    @property
    def url_path(self) -> str:
        """Site path with directory URLs: "rules/http-429/", "" for the home page."""
        return url_path(self.src)
