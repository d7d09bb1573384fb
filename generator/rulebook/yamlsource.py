"""Read YAML into plain data while remembering where every value stood.

PyYAML's C composer builds a node tree with marks; we convert it ourselves so
that every path (``("rules", 3, "evidence", 1)``) maps to a line and column,
duplicate keys are reported instead of silently dropped, and aliases are
refused before they can expand (an alias bomb costs one lookup, not 10**9).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.rulebook.problems import Problem
from generator.rulebook.yamltraps import (
    CJK_GAP,
    MAX_DEPTH,
    MAX_REPAIRS,
    colon_in_text,
    join_cjk_folds,
    too_deep,
)

try:  # libyaml makes a 1,000-rule rulebook parse in a fraction of a second
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """Composes without implicit tag resolution: PyYAML would call the Python resolver
    for every scalar; the walker resolves only plain scalars that could be non-text."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]


_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}
_RESOLVER = yaml.resolver.Resolver()
_MAYBE_TYPED = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)

#: Refuse files larger than this before parsing them at all.
MAX_BYTES = 20 * 1024 * 1024
#: Aliases are all refused; listing more than this many of them helps no one.
MAX_ALIASES_REPORTED = 1_000

PathT = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"


@dataclass
class Source:
    """A parsed YAML file: its data, and its node tree for locating any path.

    Positions are looked up only when a problem is reported, so a clean file
    costs no bookkeeping.
    """

    file: str
    data: Any = None
    root: yaml.Node | None = None
    problems: list[Problem] = field(default_factory=list)
    #: Where a comment follows a plain value on the same line: {path: (line, column)}.
    comments: dict[PathT, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathT, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of ``path`` (its key with ``key``), or of its nearest
        existing parent."""
        return _mark(self.node_at(path, key=key)) if self.root is not None else (1, 1)

    def scalar_at(self, path: PathT) -> str | None:
        """The value at ``path`` as written in the file, if it is a scalar there."""
        if self.root is None:
            return None
        node = self.node_at(path)
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def node_at(self, path: PathT, *, key: bool = False) -> yaml.Node:
        """The node at ``path`` (its key with ``key``), or the nearest existing parent."""
        node = self.root
        assert node is not None
        for i, part in enumerate(path):
            child = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                        last = i == len(path) - 1
                        child = key_node if key and last else value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                child = node.value[part] if 0 <= part < len(node.value) else None
            if child is None:
                break
            node = child
        return node

    def problem(
        self,
        path: PathT,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        severity: str = "error",
        where: tuple[int, int] | None = None,
    ) -> Problem:
        line, column = where or self.locate(path, key=key)
        return Problem(
            self.file,
            line,
            column,
            format_path(path),
            message,
            hint,
            severity,  # type: ignore[arg-type]
        )


def format_path(path: PathT) -> str:
    """``("rules", 2, "evidence", 1)`` -> ``rules[2].evidence[1]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    def __init__(self, source: Source, text: str) -> None:
        self.source = source
        self.text = text
        self.seen: set[int] = set()
        # An alias needs an anchor, and an anchor needs "&": without one, no node can
        # appear twice and there is nothing to track.
        self.track = "&" in text
        self.constructor = yaml.constructor.SafeConstructor()
        self.alias_reported = False
        self.lines = text.splitlines()
        self.hashes = " #" in text or "\t#" in text  # a comment can follow a value

    def walk(self, node: yaml.Node, path: PathT, depth: int = 0) -> Any:
        if self.track:
            if id(node) in self.seen:
                self._report_aliases()
                return None
            self.seen.add(id(node))
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self._scalar(node, path, None)
        if depth > MAX_DEPTH:
            self.source.problems.append(
                self.source.problem(path, f"nesting deeper than {MAX_DEPTH} levels is not allowed")
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        return [self._child(item, path, i, depth) for i, item in enumerate(node.value)]

    def _child(self, node: yaml.Node, parent: PathT, key: str | int, depth: int) -> Any:
        # Scalars are most nodes: without aliases to track they need no path tuple.
        if not self.track and type(node) is yaml.ScalarNode:
            return self._scalar(node, parent, key)
        return self.walk(node, (*parent, key), depth + 1)

    def _mapping(self, node: yaml.MappingNode, path: PathT, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        key_nodes: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._report_aliases()
                continue
            key = self._scalar(key_node, path, None) if type(key_node) is yaml.ScalarNode else None
            if not isinstance(key, str):
                self.source.problems.append(
                    self.source.problem(
                        path, f"keys must be text, got {key_node.value!r}", where=_mark(key_node)
                    )
                )
                continue
            if key in out:
                first = _mark(key_nodes[key])
                self.source.problems.append(
                    self.source.problem(
                        (*path, key),
                        f"duplicate key '{key}'",
                        f"it is already set on line {first[0]}",
                        where=_mark(key_node),
                    )
                )
                continue
            key_nodes[key] = key_node
            out[key] = self._child(value_node, path, key, depth)
        return out

    def _scalar(self, node: yaml.Node, parent: PathT, key: str | int | None) -> Any:
        if node.tag == _STR:
            value = node.value
            style = getattr(node, "style", None)
            if style == ">" and CJK_GAP.search(value):
                value = join_cjk_folds(
                    value, self.lines[node.start_mark.line + 1 : node.end_mark.line + 1]
                )
            elif not style and self.hashes and key is not None:
                self._note_comment(node, (*parent, key))
            if style or (value and value[0] not in _MAYBE_TYPED):
                return value  # quoted, block or plainly text: most values
            node.tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
            if node.tag == _STR:
                return value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError, OverflowError) as exc:
            message = (
                f"'{node.value}' is not a real date"
                if node.tag == "tag:yaml.org,2002:timestamp"
                else f"unsupported value: {getattr(exc, 'problem', None) or exc}"
            )
            path = parent if key is None else (*parent, key)
            self.source.problems.append(self.source.problem(path, message, where=_mark(node)))
            return None

    def _note_comment(self, node: yaml.Node, path: PathT) -> None:
        """Remember where a comment follows a plain value on its line: in running text,
        ' #' silently ends the value (checks warn about text fields)."""
        end = node.end_mark
        rest = self.lines[end.line][end.column :] if end.line < len(self.lines) else ""
        if rest.lstrip().startswith("#") and rest[:1] in (" ", "\t"):
            column = end.column + len(rest) - len(rest.lstrip()) + 1
            self.source.comments[path] = (end.line + 1, column)

    def _report_aliases(self) -> None:
        if self.alias_reported:
            return
        self.alias_reported = True
        for mark, name in itertools.islice(_alias_events(self.text), MAX_ALIASES_REPORTED):
            self.source.problems.append(
                Problem(
                    self.source.file,
                    mark[0],
                    mark[1],
                    "",
                    f"YAML alias '*{name}' is not allowed",
                    "write the value out in full; anchors and aliases are refused",
                )
            )


def _alias_events(text: str) -> Iterator[tuple[tuple[int, int], str]]:
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            yield (event.start_mark.line + 1, event.start_mark.column + 1), str(event.anchor)


def load_yaml(path: Path, display: str | None = None) -> Source:
    """Parse ``path``; problems are collected on the returned Source, never raised."""
    source = Source(display or str(path))
    try:
        if not path.is_file():  # a FIFO or a device would be read forever, or never
            raise IsADirectoryError(0, "not a regular file" if path.exists() else "no such file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # the limit holds while reading, not after
    except OSError as exc:
        source.problems.append(Problem(source.file, 1, 1, "", f"cannot read file: {exc.strerror}"))
        return source
    if len(raw) > MAX_BYTES:
        size = path.stat().st_size
        measured = f"{size:,} bytes" if size > MAX_BYTES else f"over {MAX_BYTES:,} bytes"
        source.problems.append(
            Problem(
                source.file,
                1,
                1,
                "",
                f"file is {measured}; the limit is {MAX_BYTES:,}",
                "split long texts or remove pasted logs",
            )
        )
        return source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        source.problems.append(Problem(source.file, line, 1, "", "file is not valid UTF-8"))
        return source
    return parse_yaml_text(text, source)


def parse_yaml_text(text: str, source: Source) -> Source:
    repaired: list[Problem] = []
    while True:
        try:
            _parse(text, source)
            break
        except yaml.MarkedYAMLError as exc:
            fix = colon_in_text(text, exc, source.file) if len(repaired) < MAX_REPAIRS else None
            if fix is None:
                source.problems.append(_syntax_problem(source, exc))
                break
            text, problem = fix
            repaired.append(problem)
    source.problems += repaired
    return source


def _syntax_problem(source: Source, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    hint = None
    if exc.context and exc.context_mark:
        hint = f"{exc.context} started on line {exc.context_mark.line + 1}"
    message = f"YAML syntax error: {exc.problem or 'invalid YAML'}"
    return Problem(source.file, line, column, "", message, hint)


def _parse(text: str, source: Source) -> Source:
    """Parse ``text`` into ``source``; a MarkedYAMLError propagates, so that the caller
    can try a repair."""
    try:
        deep = too_deep(text)
        if deep:
            source.problems.append(
                Problem(
                    source.file, *deep, "", f"nesting deeper than {MAX_DEPTH} levels is not allowed"
                )
            )
            return source
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError:
        raise
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        source.problems.append(
            Problem(
                source.file,
                line,
                column,
                "",
                f"YAML error: character #x{exc.character:04x} is not allowed: {exc.reason}",
                "remove the control character",
            )
        )
        return source
    except (yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        source.problems.append(Problem(source.file, 1, 1, "", f"YAML error: {first}"))
        return source
    if node is None:
        source.problems.append(Problem(source.file, 1, 1, "", "the file is empty"))
        return source
    source.root = node
    source.data = _Walker(source, text).walk(node, ())
    return source
