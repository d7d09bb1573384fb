"""Glossary links: the first mention of a term on a page links to its definition."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from generator.rulebook.model import Rule, Rulebook


def anchor(term: str) -> str:
    """A stable heading id for a term: readable for ASCII terms, hashed otherwise."""
    ascii_slug = "-".join(re.findall(r"[a-z0-9]+", term.lower()))
    if ascii_slug and term.isascii():
        return f"term-{ascii_slug}"
    return "term-" + hashlib.sha1(term.encode("utf-8")).hexdigest()[:8]  # noqa: S324 - an id


@dataclass(frozen=True)
class Glossary:
    rulebook: Rulebook

    @cached_property
    def _names(self) -> dict[str, str]:
        """Every spelling (lowercased) -> the term it names."""
        names: dict[str, str] = {}
        for item in self.rulebook.glossary:
            for name in (item.term, *item.aliases):
                names.setdefault(name.lower(), item.term)
        return names

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self._names:
            return None
        parts = []
        for name in sorted(self._names, key=len, reverse=True):
            escaped = re.escape(name)
            if re.fullmatch(r"[\w .-]+", name, re.ASCII):  # a word: match whole words only
                # The check of the character before comes after the name (a lookbehind
                # over both): a pattern that starts with its names lets the engine skip
                # to where one may start, twice as fast on a site's texts.
                escaped = rf"{escaped}(?<![\w-]{escaped})(?![\w-])"
            parts.append(escaped)
        return re.compile("|".join(parts), re.IGNORECASE)

    @cached_property
    def users(self) -> dict[str, list[Rule]]:
        """Term -> the rules whose linked texts mention it (under any of its spellings)."""
        found: dict[str, list[Rule]] = {}
        pattern = self._pattern
        if pattern is None:
            return found
        for rule in self.rulebook.rules:
            texts = (rule.meaning, *rule.causes, *rule.checklist, *(item.a for item in rule.faq))
            terms = {self._names[name] for t in texts for name in _mentions(pattern, t)}
            for term in sorted(terms):
                found.setdefault(term, []).append(rule)
        return found

    def split(self, text: str, seen: set[str]) -> list[tuple[str, str | None]]:
        """``text`` in pieces, each first unseen mention of a term with its anchor;
        updates ``seen``. Callers pass plain text (never code or an existing link)."""
        pattern = self._pattern
        pieces: list[tuple[str, str | None]] = []
        start = 0
        for begin, end, spelling in _found(pattern, text) if pattern else ():
            term = self._names[spelling.lower()]
            if term in seen:
                continue
            seen.add(term)
            pieces += [(text[start:begin], None), (spelling, anchor(term))]
            start = end
        pieces.append((text[start:], None))
        return [(piece, target) for piece, target in pieces if piece]


@lru_cache(maxsize=1 << 18)
def _found(pattern: re.Pattern[str], text: str) -> tuple[tuple[int, int, str], ...]:
    """Where ``pattern`` matches ``text``: (start, end, spelling). Kept: every page and
    its twin scan the same texts, and a long-running process (serve) asks again for
    every text an edit left alone."""
    return tuple((match.start(), match.end(), match.group(0)) for match in pattern.finditer(text))


def _mentions(pattern: re.Pattern[str], text: str) -> frozenset[str]:
    """The spellings (lowercased) that ``pattern`` finds in ``text``."""
    return frozenset(spelling.lower() for _, _, spelling in _found(pattern, text))
