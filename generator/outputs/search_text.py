"""How text becomes search tokens: the shared spec of the index and the page's script.

``assets/triagebook/search.js`` applies exactly these steps to a query (a browser test
compares the two on every page's text), so no tokenizer of the browser's decides what a
query means. The steps:

1. NFKC, then lowercase: full-width ``ＡＰＩ`` is ``api``.
2. Cut into runs. A CJK run is Han, kana or Hangul characters; a word run is letters,
   marks, digits and ``_``; everything else separates.
3. A word run is one token, whole, so ``overloaded_error`` and ``ETIMEDOUT`` are found
   as written; a run joined by ``_`` also yields its parts (``overloaded``, ``error``).
   A token of letters only counts by its stem (``generator/render/words.py``), so
   ``exceeded`` finds ``exceeds`` and ``refused`` finds ``refuse``.
4. A CJK run becomes its overlapping character pairs (a run ``ABCD`` → ``AB BC CD``),
   and a single character stands alone. Pairs need no dictionary, work for any CJK
   language, and make a query match only text holding its characters in that order.

The index also holds each CJK character alone, so a one-character query finds pages.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from generator.render.words import stem

#: Han (with extensions and compatibility ideographs), kana, Hangul syllables.
CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


def is_cjk(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in CJK_RANGES)


def is_word(char: str) -> bool:
    """Letters, marks, digits (Unicode L*, M*, N*) and ``_``: ECMAScript's
    ``[\\p{L}\\p{M}\\p{N}_]``."""
    return char == "_" or unicodedata.category(char)[0] in "LMN"


class _Kinds(dict[int, str]):
    """Code point -> "0" (separates), "1" (part of a word run) or "2" (part of a CJK
    run), for ``str.translate``: worked out once a character (a site's text holds a few
    thousand distinct characters and millions of them)."""

    def __missing__(self, point: int) -> str:
        char = chr(point)
        self[point] = kind = "2" if is_cjk(char) else "1" if is_word(char) else "0"
        return kind


_KINDS = _Kinds()
_RUN = re.compile(r"1+|2+")


def runs(text: str) -> list[tuple[str, bool]]:
    """``(run, is_cjk)`` for each run of step 2, in order."""
    text = unicodedata.normalize("NFKC", text).lower()
    kinds = text.translate(_KINDS)  # one character of kind for each of the text
    return [(text[m.start() : m.end()], m.group()[0] == "2") for m in _RUN.finditer(kinds)]


def word_tokens(run: str) -> list[str]:
    parts = [part for part in run.split("_") if part]
    found = [run, *parts] if len(parts) > 1 else [run] if parts else []
    return [stem(token) if token.isalpha() else token for token in found]


def part_count(run: str) -> int:
    """How many of ``word_tokens(run)`` are parts (they come last)."""
    parts = [part for part in run.split("_") if part]
    return len(parts) if len(parts) > 1 else 0


def cjk_tokens(run: str, *, singles: bool) -> list[str]:
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    if singles or len(run) == 1:
        return pairs + list(run)
    return pairs


@functools.lru_cache(maxsize=1 << 17)
def _run_tokens(run: str, cjk: bool, singles: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A run's tokens: those that count whole, then the parts that count half. Kept: a
    site's pages repeat the same words and sentences thousands of times."""
    if cjk:
        return tuple(cjk_tokens(run, singles=singles)), ()
    words = word_tokens(run)
    whole = len(words) - part_count(run)
    return tuple(words[:whole]), tuple(words[whole:])


def tokens(text: str, *, singles: bool = False) -> list[str]:
    """The tokens of ``text`` in order, repeats kept. ``singles`` adds every CJK
    character alone (the index does; a query uses pairs unless it is one character)."""
    return [token for token, _ in weighed(text, singles=singles)]


def weighed(text: str, *, singles: bool = False) -> list[tuple[str, float]]:
    """``tokens`` with what each counts: a part of a ``_``-joined word half as much as a
    whole word, so ``headers`` finds a page about headers before one whose code merely
    holds ``HEADERS``."""
    found: list[tuple[str, float]] = []
    for run, cjk in runs(text):
        whole, parts = _run_tokens(run, cjk, singles)
        found += [(token, 1.0) for token in whole]
        found += [(token, 0.5) for token in parts]
    return found


def token_counts(text: str, *, singles: bool = False) -> dict[str, float]:
    """How much each token of ``text`` counts in all: ``weighed``, summed by token."""
    whole: list[str] = []
    parts: list[str] = []
    for run, cjk in runs(text):
        run_whole, run_parts = _run_tokens(run, cjk, singles)
        whole += run_whole
        parts += run_parts
    counts = {token: float(n) for token, n in Counter(whole).items()}
    for token in parts:
        counts[token] = counts.get(token, 0.0) + 0.5
    return counts
