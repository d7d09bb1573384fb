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
