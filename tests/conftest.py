from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small" / "rulebook.yaml"


def mutate(text: str, *edits: tuple[str, str]) -> str:
    """Apply exact, single-occurrence edits; fail loudly if the fixture drifted."""
    for old, new in edits:
        assert text.count(old) == 1, f"fixture edit is ambiguous or missing: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throw-away copy of this project's site settings, templates and content."""
    for name in ("mkdocs.yml",):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("site_templates", "content"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "rules").mkdir()
    shutil.copy(SMALL, tmp_path / "rules" / "rulebook.yaml")
    return tmp_path
