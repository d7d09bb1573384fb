"""The words of the pages: gettext message catalogues, one per language, read with Babel.

Every word a reader sees that is not rulebook content comes from here: headings, labels,
page titles, navigation, breadcrumbs, the machine files' sentences. Python code and
templates name a message by its key (``rule.meaning``); the catalogue of the site's
language (``theme.language`` in mkdocs.yml) gives the words. Catalogues live in
``templates/locales/<language>/LC_MESSAGES/triagebook.po``: the package ships ``zh`` and
``en``, and a project's own ``templates/locales`` adds a language or changes words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from generator.errors import BuildError

DOMAIN = "triagebook"


def catalogue_path(root: Path, language: str) -> Path:
    return root / "locales" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(roots: Sequence[Path]) -> list[str]:
    """The languages some root has a catalogue for."""
    return sorted({p.parent.parent.name for r in roots for p in (r / "locales").glob("*/*/*.po")})


@dataclass(frozen=True)
class Messages:
    language: str
    table: Mapping[str, str]

    def __call__(self, key: str, **params: Any) -> str:
        """The words of ``key``, with ``%(name)s`` filled from ``params``."""
        text = self.gettext(key)
        return text % params if params else text

    def gettext(self, key: str) -> str:
        try:
            return self.table[key]
        except KeyError:
            raise BuildError(
                f"the '{self.language}' message catalogue has no '{key}': "
                f"add it to templates/locales/{self.language}/LC_MESSAGES/{DOMAIN}.po"
            ) from None

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def load_messages(language: str, roots: Sequence[Path]) -> Messages:
    """The catalogue of ``language``: the package's, with a project's entries over it
    (``roots`` lists the project's templates first)."""
    table: dict[str, str] = {}
    found = False
    for root in reversed(roots):
        path = catalogue_path(root, language)
        if not path.is_file():
            continue
        found = True
        with path.open("rb") as fh:
            try:
                catalogue = read_po(fh, locale=None, abort_invalid=True)
            except Exception as exc:  # Babel raises its own PoFileError and ValueErrors
                raise BuildError(f"{path}: not a valid message catalogue: {exc}") from exc
        table.update(
            (m.id, m.string)
            for m in catalogue
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
        )
    if not found:
        raise BuildError(
            f"no message catalogue for the site's language '{language}' (theme.language in "
            f"mkdocs.yml); available: {', '.join(languages(roots)) or 'none'}"
        )
    return Messages(language, table)
