"""``triagebook translations``: where each translation stands, and ``--stamp``, which
records in every entry of an overlay the fingerprint of the source texts it now
translates (``source: 1a2b3c4d``). A translator runs it after bringing the entries up to
date; when the source changes later, ``check`` reports the entry as stale.

The file is edited as text, line by line, so comments, quoting and order stay as the
translator wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.errors import GeneratorError
from generator.rulebook.model import Rulebook
from generator.rulebook.overlay import (
    CATALOGUES,
    Translation,
    entries,
    fingerprint,
    source_texts,
)
from generator.rulebook.yamlsource import load_yaml

STAMPED = (*CATALOGUES, "rules")


@dataclass(frozen=True)
class Status:
    language: str
    file: str
    entries: int  # entries the source has
    missing: int  # problems that say a text is missing
    stale: int  # entries whose source changed after their stamp
    unstamped: int  # entries with no stamp yet


def status(translation: Translation, rb: Rulebook) -> Status:
    data = translation.source.data if isinstance(translation.source.data, dict) else {}
    total = stamped = 0
    for catalogue in STAMPED:
        given = data.get(catalogue) or {}
        for key in entries(rb, catalogue):
            total += 1
            entry = given.get(key) if isinstance(given, dict) else None
            stamped += isinstance(entry, dict) and "source" in entry
    messages = [p.message for p in translation.problems]
    return Status(
        translation.language,
        translation.source.file,
        total,
        sum(m.startswith("no translation") for m in messages),
        sum(m.startswith("stale:") for m in messages),
        total - stamped,
    )


def stamp(path: Path, rb: Rulebook) -> int:
    """Write the current fingerprint into every translated entry of the overlay at
    ``path``; return how many entries changed."""
    source = load_yaml(path)
    if source.problems or not isinstance(source.data, dict):
        raise GeneratorError(f"{path}: fix what `triagebook check` reports before stamping")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (line index, lines replaced, new text)
    for catalogue in STAMPED:
        given = source.data.get(catalogue)
        if not isinstance(given, dict):
            continue
        for key in entries(rb, catalogue):
            if not isinstance(given.get(key), dict):
                continue
            now = fingerprint(source_texts(rb, catalogue, key))
            if given[key].get("source") == now:
                continue
            node = source.node_at((catalogue, key))
            if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
                raise GeneratorError(
                    f"{path}:{node.start_mark.line + 1}: write {catalogue} '{key}' as a block "
                    "mapping (one field a line) so it can be stamped"
                )
            edits.append(_edit(node, now, lines))
    for index, replaced, text in sorted(edits, reverse=True):
        lines[index : index + replaced] = [text]
    if edits:
        path.write_text("".join(lines), encoding="utf-8")
    return len(edits)


def _edit(node: yaml.MappingNode, value: str, lines: list[str]) -> tuple[int, int, str]:
    """Replace the entry's ``source:`` line, or insert one above its first field."""
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == "source":
            line = key_node.start_mark.line
            if value_node.end_mark.line != line:
                raise GeneratorError(f"line {line + 1}: write source: on one line")
            indent = " " * key_node.start_mark.column
            return line, 1, f"{indent}source: '{value}'\n"
    first = node.value[0][0].start_mark
    if lines[first.line][: first.column].strip():
        raise GeneratorError(f"line {first.line + 1}: put the entry's first field on its own line")
    return first.line, 0, f"{' ' * first.column}source: '{value}'\n"
