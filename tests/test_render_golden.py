"""Golden files: the whole generated Markdown tree of the small fixture rulebook.

Run with UPDATE_GOLDEN=1 to regenerate after an intended change, then review
the diff like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.config import load_settings
from generator.render.pages import plan_pages, render_pages
from generator.render.templating import Templates
from generator.rulebook.loader import load_or_raise

from conftest import ROOT, SMALL

GOLDEN = Path(__file__).resolve().parent / "golden" / "small"


def generated_tree() -> dict[str, str]:
    """Every generated page, and under ``twins/`` its Markdown twin."""
    settings = load_settings(ROOT / "mkdocs.yml")
    rb = load_or_raise(SMALL)
    templates = Templates()
    pages = plan_pages(rb, settings, templates.messages(settings.language))
    tree = render_pages(rb, settings, templates, pages)
    twins = render_pages(rb, settings, templates, pages, twin=True)
    return tree | {f"twins/{src}": text for src, text in twins.items()}


def test_generated_markdown_matches_golden_files() -> None:
    tree = generated_tree()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for src, text in tree.items():
            (GOLDEN / src).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / src).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*.md")
    }
    assert sorted(tree) == sorted(expected), "pages were added or removed"
    for src, text in tree.items():
        assert text == expected[src], f"{src} differs from its golden file (UPDATE_GOLDEN=1)"


def test_every_rule_has_its_pages() -> None:
    tree = generated_tree()
    rb = load_or_raise(SMALL)
    for rule in rb.rules:
        assert f"rules/{rule.id}.md" in tree
        assert f"checklists/{rule.id}.md" in tree
    for layer in rb.layers:
        assert f"topics/{layer.id}.md" in tree
        assert f"faq/{layer.id}.md" in tree
    for hub in ("index.md", "faq/index.md", "evidence.md", "boundaries.md", "glossary.md"):
        assert hub in tree
