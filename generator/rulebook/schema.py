"""The rulebook's JSON Schema, generated from the model and committed for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from generator.rulebook.model import Rulebook

SCHEMA_PATH = Path("schema/rulebook.schema.json")
SCHEMA_ID = "https://triagebook.example.com/schema/rulebook.schema.json"


def rulebook_schema() -> dict[str, Any]:
    schema = TypeAdapter(Rulebook).json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "triagebook rulebook",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(rulebook_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schema(path: Path, *, check: bool) -> bool:
    """Write the schema, or with ``check`` only report whether the file is current."""
    text = schema_text()
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if check:
        return current == text
    if current != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return True
