"""What a reader downloads from a built site, measured as a browser would fetch it.

- the largest HTML page;
- the first view of a page: its HTML and every same-site stylesheet and script it loads,
  plus what its search needs to start (the index's ``index.json``), each gzipped as the
  hosts serve them; the largest over all pages of a kind is reported;
- one search query: the files the page's script fetches for it (the token shards and the
  page chunks of its first results), found with the same tokenizer and hash.

Sizes, not times: they do not vary from run to run.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

from generator.outputs.search_index import shard_of
from generator.outputs.search_text import tokens

#: Queries that touch many pages: codes, common words in both languages.
QUERIES = ["429", "timeout", "网关超时", "CORS policy", "rate limit exceeded", "证书", "error"]
CANDIDATES = 30  # results whose page rows the script fetches (search.js)


@cache
def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def _local(site: Path, page: Path, url: str) -> Path | None:
    base = "/" + page.parent.relative_to(site).as_posix().strip(".") + "/"
    target = urlsplit(urljoin(base.replace("//", "/"), url))
    if target.netloc:
        return None
    path = site / target.path.lstrip("/")
    return path / "index.html" if path.is_dir() else path if path.is_file() else None


def first_view(site: Path, page: Path) -> int:
    """Compressed bytes of a page's first view."""
    root = lxml.html.parse(str(page)).getroot()
    urls = root.xpath("//link[@rel='stylesheet']/@href | //script/@src")
    urls += root.xpath("//*[@class='tb-search']/@data-index")
    files = {p for url in urls if (p := _local(site, page, url))}
    return gz(page) + sum(gz(p) for p in files)


def query_bytes(index_dir: Path, query: str) -> int:
    """Compressed bytes one query fetches beyond the first view."""
    meta = json.loads((index_dir / "index.json").read_text(encoding="utf-8"))
    folder = index_dir / meta["key"]
    wanted = set(tokens(query))
    shards = {shard_of(t, meta["shards"]) for t in wanted}
    found: dict[int, float] = {}
    for shard in shards:
        postings = json.loads((folder / "t" / f"{shard}.json").read_text(encoding="utf-8"))
        for token in wanted & postings.keys():
            flat = postings[token]
            for i in range(0, len(flat), 2):
                found[flat[i]] = found.get(flat[i], 0) + flat[i + 1]
    best = sorted(found, key=lambda n: -found[n])[:CANDIDATES]
    chunks = {n // meta["pages_per_chunk"] for n in best}
    return sum(gz(folder / "t" / f"{s}.json") for s in shards) + sum(
        gz(folder / "p" / f"{c}.json") for c in chunks
    )


def kind_of(site: Path, page: Path) -> str:
    parts = page.relative_to(site).parts[:-1]
    if not parts:
        return "home"
    return parts[0] + ("/*" if len(parts) > 1 else "/")


def reader_budgets(site: Path) -> dict[str, tuple[int, str]]:
    """``{measure: (bytes, where)}``, the worst case of each."""
    pages = [p for p in site.rglob("index.html") if "assets" not in p.parts]
    largest = max(pages, key=lambda p: p.stat().st_size)
    views = {p: first_view(site, p) for p in pages}
    heaviest = max(views, key=views.__getitem__)
    index_dir = next((site / "assets" / "search").iterdir())
    per_query = {q: query_bytes(index_dir, q) for q in QUERIES}
    worst = max(per_query, key=per_query.__getitem__)
    return {
        "largest HTML page": (largest.stat().st_size, kind_of(site, largest)),
        "first view (gzip)": (views[heaviest], kind_of(site, heaviest)),
        "one query (gzip)": (per_query[worst], repr(worst)),
    }
