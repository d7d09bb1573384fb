"""How plain words are compared: a light English stemmer shared by the diagnosis and the
site's search, in Python here and in their scripts (which read the suffixes from data, so
the two never drift). ``exceeded``, ``exceeds`` and ``exceeding`` all become ``exceed``;
a word keeps at least four letters, so short codes and words are left as written."""

from __future__ import annotations

#: Suffixes taken off plain lowercase words, longest first, keeping at least 4 letters.
SUFFIXES = ("ing", "ed", "es", "s", "e")
MIN_STEM = 4


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word
