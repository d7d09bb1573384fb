"""Translations: one overlay file per language beside the rulebook, ``rulebook.<lang>.yaml``.

An overlay holds the same ids with their text fields in another language, so translators
work in their own file and never touch the source. What it does not translate falls back
to the source text, with a warning. Each entry may carry ``source``: the fingerprint of
the source texts it was translated from (``triagebook translations --stamp`` writes it);
when the source changes afterwards, ``check`` reports the translation as stale.

    language: en
    site: {name: …, description: …, intro: …, layers_intro: …}
    layers:     {<id>: {title, summary, proof}}
    evidence:   {<id>: {label, how, example}}
    boundaries: {<id>: {title, text}}
    glossary:   {<source term>: {term, definition, aliases}}
    rules:
      <id>: {source, title, summary, meaning, causes: […], checklist: […],
             faq: [{q, a}], retry_note, examples: [{title, code}], revisions: [{reason}]}

Lists have the source's length and order: item 3 translates item 3.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.rulebook.checks import Context
from generator.rulebook.model import Rule, Rulebook
from generator.rulebook.problems import Problem, did_you_mean, sort_problems
from generator.rulebook.text_checks import TEXT_CHECKS
from generator.rulebook.yamlsource import PathT, Source, format_path, load_yaml

LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
#: The translatable fields of each catalogue, and their kind: a text or a list of texts.
CATALOGUES: dict[str, dict[str, str]] = {
    "layers": {"title": "text", "summary": "text", "proof": "text"},
    "evidence": {"label": "text", "how": "text", "example": "text"},
    "boundaries": {"title": "text", "text": "text"},
    "glossary": {"term": "text", "definition": "text", "aliases": "names"},
}
RULE_FIELDS = {
    "title": "text",
    "summary": "text",
    "meaning": "text",
    "causes": "texts",
    "checklist": "texts",
    "faq": "items",
    "retry_note": "text",
    "examples": "items",
    "revisions": "items",
}
ITEM_FIELDS = {"faq": ("q", "a"), "examples": ("title", "code"), "revisions": ("reason",)}
SITE_FIELDS = ("name", "description", "intro", "layers_intro")


def overlay_files(rules: Path) -> dict[str, Path]:
    """``rulebook.<lang>.yaml`` files beside ``rules``, by language."""
    found = {}
    for path in sorted(rules.parent.glob(f"{rules.stem}.*{rules.suffix}")):
        language = path.name[len(rules.stem) + 1 : -len(rules.suffix)]
        if LANGUAGE.fullmatch(language):
            found[language] = path
    return found


def fingerprint(texts: list[str | None]) -> str:
    """What a translation was made from: eight hex digits of the source texts."""
    joined = "\x1f".join(text or "" for text in texts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:8]


def source_texts(rb: Rulebook, catalogue: str, key: str) -> list[str | None]:
    """The source texts an overlay entry translates, in a fixed order."""
    if catalogue == "rules":
        rule = rb.rule_by_id[key]
        return [
            rule.title,
            rule.summary,
            rule.meaning,
            *rule.causes,
            *rule.checklist,
            *(t for item in rule.faq for t in (item.q, item.a)),
            rule.retry.note,
            *(t for ex in rule.examples for t in (ex.title, ex.code)),
            *(r.reason for r in rule.revisions),
        ]
    item = entries(rb, catalogue)[key]
    texts: list[str | None] = []
    for field, kind in CATALOGUES[catalogue].items():
        value = getattr(item, field)
        texts += list(value) if kind in ("texts", "names") else [value]
    return texts


def entries(rb: Rulebook, catalogue: str) -> dict[str, Any]:
    if catalogue == "glossary":
        return {item.term: item for item in rb.glossary}
    if catalogue == "rules":
        return dict(rb.rule_by_id)
    return {item.id: item for item in getattr(rb, catalogue)}


@dataclass(frozen=True)
class Translation:
    language: str
    source: Source
    rulebook: Rulebook  # the source rulebook with this language's texts
    site: dict[str, str]  # name, description: the site's own words in this language
    problems: list[Problem]


class _Reader:
    """Reads an overlay's data against the source rulebook, collecting problems."""

    def __init__(self, source: Source, rb: Rulebook) -> None:
        self.source, self.rb = source, rb
        self.problems: list[Problem] = []

    def problem(self, path: PathT, message: str, hint: str | None = None, **kw: Any) -> None:
        self.problems.append(self.source.problem(path, message, hint, **kw))

    def text(self, value: Any, path: PathT) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.problem(path, "must be a non-empty text")
        return None

    def texts(self, value: Any, path: PathT, length: int) -> list[str | None] | None:
        if not isinstance(value, list):
            self.problem(path, "must be a list of texts")
            return None
        if len(value) != length:
            self.problem(
                path,
                f"has {len(value)} entries, the source has {length}",
                "translate item by item, in the source's order",
            )
            return None
        return [self.text(v, (*path, i)) for i, v in enumerate(value)]

    def mapping(self, value: Any, path: PathT, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, "must be a mapping of keys")
            return {}
        for key in value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or f"allowed keys: {', '.join(allowed)}"
                self.problem((*path, key), f"unknown key '{key}'", hint, key=True)
        return {k: v for k, v in value.items() if k in allowed}


def load_translation(
    path: Path, language: str, rb: Rulebook, display: str | None = None
) -> Translation:
    """Read the ``language`` overlay at ``path`` over the source rulebook ``rb``."""
    source = load_yaml(path, display)
    reader = _Reader(source, rb)
    data = source.data if isinstance(source.data, dict) else {}
    if source.root is not None and not isinstance(source.data, dict):
        reader.problem((), "a translation must be a mapping of keys")
    data = reader.mapping(data, (), ("language", "site", *CATALOGUES, "rules"))
    if data.get("language", language) != language:
        reader.problem(("language",), f"says '{data['language']}' but the file is for '{language}'")
    site = {
        key: text
        for key, value in reader.mapping(data.get("site", {}), ("site",), SITE_FIELDS).items()
        if (text := reader.text(value, ("site", key)))
    }
    translated = _translate(reader, data, site)
    problems = list(source.problems) + reader.problems
    problems += _text_problems(translated, source)
    return Translation(language, source, translated, site, sort_problems(problems))


def _translate(reader: _Reader, data: dict[str, Any], site: dict[str, str]) -> Rulebook:
    rb = reader.rb
    changes: dict[str, Any] = {}
    for catalogue, fields in CATALOGUES.items():
        given = reader.mapping(data.get(catalogue, {}), (catalogue,), tuple(entries(rb, catalogue)))
        items = []
        for key, item in entries(rb, catalogue).items():
            if key not in given:
                reader.problem(
                    (catalogue,),
                    f"no translation of {catalogue} '{key}'",
                    "the source text is shown instead",
                    severity="warning",
                )
                items.append(item)
                continue
            path: PathT = (catalogue, key)
            entry = reader.mapping(given[key], path, (*fields, "source"))
            _stale(reader, entry, path, catalogue, key)
            update = {}
            for field, kind in fields.items():
                if field not in entry:
                    if getattr(item, field):
                        reader.problem(
                            path,
                            f"no translation of '{field}'",
                            "the source text is shown instead",
                            severity="warning",
                        )
                    continue
                if kind == "names":  # another language's spellings: as many as it has
                    names = entry[field] if isinstance(entry[field], list) else None
                    if names is None:
                        reader.problem((*path, field), "must be a list of texts")
                        continue
                    texts = [reader.text(n, (*path, field, i)) for i, n in enumerate(names)]
                    value: Any = tuple(t for t in texts if t)
                elif kind == "texts":
                    value = reader.texts(entry[field], (*path, field), len(getattr(item, field)))
                    value = tuple(value) if value and None not in value else None
                else:
                    value = reader.text(entry[field], (*path, field))
                if value is not None:
                    update[field] = value
            items.append(dataclasses.replace(item, **update))
        changes[catalogue] = tuple(items)
    rules = reader.mapping(data.get("rules", {}), ("rules",), tuple(rb.rule_by_id))
    changes["rules"] = tuple(_rule(reader, rule, rules.get(rule.id)) for rule in rb.rules)
    changes["site"] = dataclasses.replace(
        rb.site,
        intro=site.get("intro", rb.site.intro),
        layers_intro=site.get("layers_intro", rb.site.layers_intro),
    )
    return dataclasses.replace(rb, **changes)


def _stale(reader: _Reader, entry: dict[str, Any], path: PathT, catalogue: str, key: str) -> None:
    stamp = entry.get("source")
    if stamp is None:
        return
    now = fingerprint(source_texts(reader.rb, catalogue, key))
    if stamp != now:
        reader.problem(
            (*path, "source"),
            f"stale: the source text changed since this translation (source {stamp}, now {now})",
            "update the translation, then run: triagebook translations --stamp",
            severity="warning",
        )


def _rule(reader: _Reader, rule: Rule, given: Any) -> Rule:
    path: PathT = ("rules", rule.id)
    if given is None:
        reader.problem(
            ("rules",),
            f"no translation of rule '{rule.id}'",
            "the source text is shown instead",
            severity="warning",
        )
        return rule
    entry = reader.mapping(given, path, (*RULE_FIELDS, "source"))
    _stale(reader, entry, path, "rules", rule.id)
    update: dict[str, Any] = {}
    for field in ("title", "summary", "meaning"):
        if field in entry and (text := reader.text(entry[field], (*path, field))):
            update[field] = text
    for field in ("causes", "checklist"):
        if field in entry:
            texts = reader.texts(entry[field], (*path, field), len(getattr(rule, field)))
            if texts and None not in texts:
                update[field] = tuple(texts)
    note = (
        reader.text(entry["retry_note"], (*path, "retry_note")) if "retry_note" in entry else None
    )
    if note and rule.retry.note:
        update["retry"] = dataclasses.replace(rule.retry, note=note)
    for field, names in ITEM_FIELDS.items():
        if field in entry:
            items = _items(reader, entry[field], (*path, field), getattr(rule, field), names)
            if items is not None:
                update[field] = items
    missing = [
        f for f in ("title", "summary", "meaning", "causes", "checklist", "faq") if f not in update
    ]
    missing += [f for f in ("examples", "revisions") if getattr(rule, f) and f not in update]
    if rule.retry.note and "retry" not in update:
        missing.append("retry_note")
    if missing:
        reader.problem(
            path,
            f"no translation of {', '.join(missing)}",
            "the source text is shown instead",
            severity="warning",
        )
    return dataclasses.replace(rule, **update)


def _items(
    reader: _Reader, value: Any, path: PathT, source: tuple[Any, ...], names: tuple[str, ...]
) -> tuple[Any, ...] | None:
    if not isinstance(value, list) or len(value) != len(source):
        reader.problem(path, f"must be a list of {len(source)} entries, in the source's order")
        return None
    items = []
    for i, (given, item) in enumerate(zip(value, source, strict=True)):
        entry = reader.mapping(given, (*path, i), names)
        update = {}
        for name in names:
            if name not in entry or getattr(item, name) is None:
                continue
            if text := reader.text(entry[name], (*path, i, name)):
                update[name] = text
        items.append(dataclasses.replace(item, **update))
    return tuple(items)


def _overlay_path(rb: Rulebook, path: PathT) -> PathT | None:
    """Where the text at model ``path`` sits in the overlay file (None: not translatable)."""
    head, *rest = path
    if head == "site":
        return path
    if head in CATALOGUES and rest and isinstance(rest[0], int):
        key = list(entries(rb, str(head)))[rest[0]]
        return (head, key, *rest[1:])
    if head == "rules" and len(rest) >= 2 and isinstance(rest[0], int):
        rule_id = rb.rules[rest[0]].id
        if tuple(rest[1:]) == ("retry", "note"):
            return ("rules", rule_id, "retry_note")
        return ("rules", rule_id, *rest[1:])
    return None


NOT_HERE: PathT = ("<source>",)


def _present(data: Any, path: PathT) -> bool:
    for part in path:
        in_map = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_map or in_list:
            data = data[part]
        else:
            return False
    return True


class _OverlayContext(Context):
    """Locates the model's paths in the overlay; a text the overlay does not hold (it fell
    back to the source, and was checked there) maps to NOT_HERE."""

    def raw(self, path: PathT) -> PathT:
        where = _overlay_path(self.rulebook, path)
        return where if where and _present(self.source.data, where) else NOT_HERE


def _text_problems(translated: Rulebook, source: Source) -> list[Problem]:
    """The source's text checks (Markdown, secrets, one-line fields …) on the translated
    texts, located in the overlay."""
    ctx = _OverlayContext(translated, source, {})
    not_here = format_path(NOT_HERE)
    return [p for check in TEXT_CHECKS for p in check(ctx) if p.path != not_here]
