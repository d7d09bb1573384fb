"""The search index as files: what the page's script reads (docs/search.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.outputs.search_index import shard_of
from generator.outputs.search_text import tokens


@pytest.fixture(scope="module")
def index(real_site: Path) -> tuple[Path, dict]:
    base = real_site / "assets" / "search" / "zh"
    meta = json.loads((base / "index.json").read_text(encoding="utf-8"))
    return base / meta["key"], meta


def _pages(folder: Path) -> list[list]:
    chunks = sorted((folder / "p").glob("*.json"), key=lambda p: int(p.stem))
    return [row for chunk in chunks for row in json.loads(chunk.read_text(encoding="utf-8"))]


def _postings(folder: Path, meta: dict, token: str) -> list[tuple[str, int]]:
    shard = json.loads((folder / "t" / f"{shard_of(token, meta['shards'])}.json").read_text())
    flat, pages = shard.get(token, []), _pages(folder)
    return [(pages[flat[i]][0], flat[i + 1]) for i in range(0, len(flat), 2)]


def test_every_token_sits_in_the_shard_its_hash_names(index) -> None:
    folder, meta = index
    seen = 0
    for shard in (folder / "t").glob("*.json"):
        for token in json.loads(shard.read_text(encoding="utf-8")):
            assert shard_of(token, meta["shards"]) == int(shard.stem)
            seen += 1
    assert seen > 1000
    assert len(_pages(folder)) == meta["pages"]


def test_a_code_finds_its_rule_first_and_not_the_hubs_that_list_it(index) -> None:
    folder, meta = index
    found = _postings(folder, meta, "rate_limit_reached_error")
    assert found[0][0] == "rules/http-429/"
    assert "topics/upstream/" not in dict(found)  # the hub's rule list is not its text
    assert tokens("reached") == ["reach"]  # plain words count by their stem
    parts = dict(_postings(folder, meta, "reach"))
    assert "rules/http-429/" in parts  # a part of a code is found too


def test_the_english_edition_has_its_own_index_of_stems(real_site: Path) -> None:
    base = real_site / "en" / "assets" / "search" / "en"
    meta = json.loads((base / "index.json").read_text(encoding="utf-8"))
    folder = base / meta["key"]
    pages = {row[0] for row in _pages(folder)}
    assert "rules/http-429/" in pages and not any(p.startswith("en/") for p in pages)
    assert tokens("exceeds") == tokens("exceeded") == tokens("exceeding") == ["exceed"]
    assert "rules/context-length-exceeded/" in dict(_postings(folder, meta, "exceed"))
    assert not _postings(folder, meta, "exceeded"), "the index holds stems, not inflections"


def test_chinese_is_indexed_by_character_pairs(index) -> None:
    folder, meta = index
    assert tokens("网关超时") == ["网关", "关超", "超时"]
    for pair in tokens("网关超时"):
        assert "rules/http-504/" in dict(_postings(folder, meta, pair))
    assert _postings(folder, meta, "超")  # one character alone is indexed too


def test_the_index_ranked_early_is_redone_when_a_later_page_is_searchable(
    project: Path, tmp_path: Path
) -> None:
    """The build ranks the index once the pages it expects to hold are read, while the
    engine still writes the others. A project's own templates may make one of those others
    searchable: the index must then hold it too (and equal the early one otherwise)."""
    from generator.site.build import build, plan
    from generator.site.project import editions
    from generator.site.second_process import search_indexes

    from conftest import project_of

    on = project_of(project)
    site = tmp_path / "site"
    build(on, site)
    contexts = [plan(on, eb) for eb in editions(on, None)]
    ctx = contexts[0]
    search = site / "assets" / "search" / ctx.settings.language
    built = {p.relative_to(search): p.read_bytes() for p in search.rglob("*") if p.is_file()}
    # Reported as the engine does: the searchable pages first, then the others.
    order = sorted(ctx.page_dates, key=lambda path: path not in ctx.searchable_paths)
    reports = iter([*((ctx.settings.prefix, f"{path}index.html") for path in order), None])

    def rerun() -> list[list]:
        search_indexes([ctx], site, lambda: next(reports))
        meta = json.loads((search / "index.json").read_text(encoding="utf-8"))
        return _pages(search / meta["key"])

    rerun()
    assert {
        p.relative_to(search): p.read_bytes() for p in search.rglob("*") if p.is_file()
    } == built
    checklist = next(path for path in order if path.startswith("checklists/"))
    page = site / checklist / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("<article", "<article data-search-body", 1), encoding="utf-8")
    reports = iter([*((ctx.settings.prefix, f"{path}index.html") for path in order), None])
    assert checklist in [row[0] for row in rerun()]
