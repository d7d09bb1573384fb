"""The YAML traps of prose, and a limit the parser lacks, handled before the walk.

* Depth: PyYAML's C composer recurses once per nesting level and can crash the interpreter
  far below the size limit, so a document that could nest deep is measured from the event
  stream first (``too_deep``), whatever limit the installed parser has of its own.
* ``: `` inside unquoted text: YAML reads it as a second key. ``colon_in_text`` quotes the
  value, so parsing can go on and report what follows, and says what to fix.
* Folded (``>``) Chinese or Japanese text: folding puts a space where the editor wrapped a
  line; ``join_cjk_folds`` takes it out again.
"""

from __future__ import annotations

import itertools
import json
import re

import yaml

from generator.rulebook.problems import Problem

try:  # events only: no tags are resolved
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

#: Refuse documents nested deeper than this (the rulebook needs about 5).
MAX_DEPTH = 32

# libyaml parses iteratively, but PyYAML's C composer recurses once per level and
# crashes the interpreter somewhere past 20,000 levels. Indented nesting costs
# quadratic bytes, so within MAX_BYTES only flow brackets and compact "- - -" /
# "? ?" runs can get that deep: when a file could, its depth is measured from
# the event stream first.
_COMPACT_PAIR = re.compile(r"[-?][ \t]+[-?][ \t]")
_COMPACT_RUN = re.compile(r"(?:[-?][ \t]+){64}")
_MANY_BRACKETS = 10_000


def too_deep(text: str) -> tuple[int, int] | None:
    """Where the document first nests deeper than MAX_DEPTH, if it might and does."""
    # Any width of blanks between the indicators ("-    -    -") nests just as deep.
    compact = _COMPACT_PAIR.search(text) is not None
    if text.count("[") + text.count("{") < _MANY_BRACKETS and not (
        compact and _COMPACT_RUN.search(text)
    ):
        return None
    depth = 0
    for event in yaml.parse(text, Loader=_EventLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH and event.start_mark is not None:
                return (event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


#: How many "text with ': '" mistakes one run repairs (to report the ones after them).
MAX_REPAIRS = 50
#: ``key: value`` (after any "- " list markers) where the value is plain text.
_PLAIN_PAIR = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?(?P<key>[A-Za-z_][\w-]*):\s+)(?P<value>[^\s'\"{\[&*!|>#].*)$"
)
#: ``- text`` of a list of texts (causes, checklist steps, signatures).
_PLAIN_ITEM = re.compile(r"^(?P<lead>\s*-\s+)(?P<value>[^\s'\"{\[&*!|>#-].*)$")


def colon_in_text(text: str, exc: yaml.MarkedYAMLError, file: str) -> tuple[str, Problem] | None:
    """The commonest YAML trap in prose: a plain value containing ': ' ("strict: true in
    a sentence"), which YAML reads as a second key. Returns the text with that value
    quoted, so parsing can go on and report what follows, and the problem to report."""
    mark = exc.problem_mark
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    match = _PLAIN_PAIR.match(line)
    if not match or mark.column < match.start("value") or ": " not in match["value"]:
        match = _PLAIN_ITEM.match(line)
        if not match or mark.column < match.start("value") or ": " not in match["value"]:
            return None
    value = match["value"].rstrip()
    lines[mark.line] = match["lead"] + json.dumps(value, ensure_ascii=False)
    key = match.groupdict().get("key")
    if key:
        message = f"the text of '{key}' contains ': ', which YAML reads as the start of another key"
        hint = (
            f"put the whole text in quotes, or fold it: '{key}: >' with the text on the next lines"
        )
    else:
        message = "this list entry contains ': ', which YAML reads as the start of a key"
        hint = 'put the whole entry in quotes: - "…"'
    problem = Problem(file, mark.line + 1, match.start("value") + 1, "", message, hint)
    return "\n".join(lines), problem


#: Scripts written without spaces between words. Hangul is not among them.
_CJK = "\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_GAP = re.compile(f"[{_CJK}] [{_CJK}]")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def join_cjk_folds(value: str, lines: list[str]) -> str:
    """A folded (``>``) scalar without the spaces that folding put between two CJK
    characters where the editor wrapped a line: Chinese and Japanese use no spaces."""
    cursor = 0
    for before, after in itertools.pairwise(lines):
        a, b = before.rstrip(), after.lstrip()
        if not (a and b and _CJK_CHAR.fullmatch(a[-1]) and _CJK_CHAR.fullmatch(b[0])):
            continue
        seam = value.find(f"{a[-1]} {b[0]}", cursor)
        if seam >= 0:
            value = value[: seam + 1] + value[seam + 2 :]
            cursor = seam + 1
    return value
