"""The site's search index, built from the finished HTML whatever engine rendered it.

Pages opt in with ``data-search-body`` (the theme adds it to reader pages, never to
contributor pages or pages that repeat others); inside, ``data-search-ignore`` marks what
belongs to other pages (a hub's list of rules). Each page is scored per token with BM25F
over four fields (its title, its codes, its headings, its text) when the site is built,
so the browser only adds numbers.

What a query downloads does not grow with the rulebook: postings are split into shards by
a hash of the token (a query fetches one shard a token) and the page table into chunks (a
result list fetches the chunks of its pages). Files live under a directory named after
their content, so a browser never mixes shards of two builds; ``index.json`` beside it
names the current one. The format is written down in docs/search.md.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.outputs.search_text import token_counts

FORMAT = 1
#: How much a token counts in each field, against once in the text.
WEIGHTS = {"title": 6.0, "codes": 10.0, "headings": 2.0, "text": 1.0}
K1, B = 1.2, 0.75  # BM25's usual saturation and length normalisation
#: What a page of each kind is worth against a rule: readers look for rules; topics and
#: catalogues collect what rules say, so they come after a rule that says the same.
KIND_WEIGHTS = {"rule": 1.0, "topic": 0.7}
OTHER_KIND_WEIGHT = 0.6
#: A shard's size before compression: about 10 KB on the wire.
SHARD_BYTES = 40_000
PAGES_PER_CHUNK = 64
SUMMARY_CHARS = 160
#: Elements whose text is not the page's: scripts, styles, permalink signs.
SKIP = ".//script | .//style | .//noscript | .//*[@data-search-ignore] | .//a[@class='headerlink']"


@dataclass(frozen=True)
class Entry:
    path: str  # site path, "rules/http-429/"
    title: str
    kind: str
    summary: str
    codes: tuple[str, ...]
    fields: dict[str, dict[str, float]]  # field -> how much each token counts there
    length: int  # tokens in the text field


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def read_page(site_dir: Path, path: str) -> Entry | None:
    """The searchable parts of the built page at ``path``, or None if it is not searchable."""
    file = site_dir / path / "index.html"
    if not file.is_file():
        return None
    data = file.read_bytes()
    if b"data-search-body" not in data:  # half the pages: not worth parsing
        return None
    root = lxml.html.document_fromstring(data)
    bodies = root.xpath("//*[@data-search-body]")
    if not bodies:
        return None
    body = bodies[0]
    for element in body.xpath(SKIP):
        element.drop_tree()
    marker = body.xpath(".//*[@data-search-title]")
    title = marker[0].get("data-search-title", "") if marker else ""
    kind = marker[0].get("data-search-kind", "") if marker else ""
    codes = tuple(" ".join(body.xpath(".//*[@data-search-codes]/@data-search-codes")).split())
    description = root.xpath('//meta[@name="description"]/@content')
    summary = description[0].strip() if description else ""
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rstrip() + "…"
    headings = " ".join(_text(h) for h in body.xpath(".//h2 | .//h3 | .//h4"))
    texts = {"title": title, "codes": " ".join(codes), "headings": headings, "text": _text(body)}
    fields = {field: token_counts(text, singles=True) for field, text in texts.items()}
    length = round(sum(fields["text"].values()))
    return Entry(path, title, kind, summary, codes, fields, length)


def score(entries: list[Entry]) -> dict[str, list[int]]:
    """token -> [page number, score × 100, page number, ...], best first: BM25F, lengths
    normalised in the text field only (titles and codes are short by nature)."""
    average = sum(e.length for e in entries) / max(len(entries), 1) or 1.0
    document_frequency: Counter[str] = Counter()
    for entry in entries:
        document_frequency.update(set().union(*entry.fields.values()))
    postings: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    total = len(entries)
    idf = {
        token: math.log(1 + (total - df + 0.5) / (df + 0.5))
        for token, df in document_frequency.items()
    }
    for number, entry in enumerate(entries):
        norm = 1 - B + B * entry.length / average
        scale = 100 * KIND_WEIGHTS.get(entry.kind, OTHER_KIND_WEIGHT)
        # Each token's weighted count over the fields, added in the fields' order.
        weighted_of: dict[str, float] = {}
        get = weighted_of.get
        for field, counts in entry.fields.items():
            weight, divisor = WEIGHTS[field], norm if field == "text" else 1.0
            for token, count in counts.items():
                weighted_of[token] = get(token, 0.0) + weight * count / divisor
        for token, weighted in weighted_of.items():
            value = round(scale * idf[token] * weighted * (K1 + 1) / (weighted + K1))
            # Negated, so that a plain sort puts the best first (ties: page order).
            postings[token].append((-value if value > 1 else -1, number))
    flat: dict[str, list[int]] = {}
    for token, found in postings.items():
        found.sort()
        flat[token] = [n for negated, number in found for n in (number, -negated)]
    return flat


def shard_of(token: str, shards: int) -> int:
    """FNV-1a (32 bits) of the token's UTF-8 bytes: the script computes the same."""
    value = 0x811C9DC5
    for byte in token.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % shards


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def layout(entries: list[Entry]) -> dict[str, str]:
    """Every file of the index (relative to its language directory) with its text."""
    flat = score(entries)
    # What the tokens would weigh each in a file of its own: the whole, plus a pair of
    # braces a token, less the commas between them.
    size = len(_json(flat)) + len(flat) - 1
    shards = 1 << max(0, math.ceil(math.log2(max(size / SHARD_BYTES, 1))))
    buckets: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    for token, found in flat.items():
        buckets[shard_of(token, shards)][token] = found
    files = {f"t/{i}.json": _json(bucket) for i, bucket in enumerate(buckets)}
    for start in range(0, len(entries), PAGES_PER_CHUNK):
        rows = [
            [e.path, e.title, e.kind, e.summary, list(e.codes)]
            for e in entries[start : start + PAGES_PER_CHUNK]
        ]
        files[f"p/{start // PAGES_PER_CHUNK}.json"] = _json(rows)
    key = hashlib.sha256(_json(files).encode("utf-8")).hexdigest()[:12]
    index = {
        "format": FORMAT,
        "key": key,
        "pages": len(entries),
        "shards": shards,
        "pages_per_chunk": PAGES_PER_CHUNK,
    }
    out = {f"{key}/{name}": text for name, text in files.items()}
    out["index.json"] = _json(index)
    return out


def index_entries(
    ctx: BuildContext, site_dir: Path, read: Mapping[str, Entry | None] | None = None
) -> list[Entry]:
    """The entry of every searchable page, by path; ``read`` holds pages already read (by
    site path), as the build reads them while the engine writes the others."""
    read = read or {}
    return [
        entry
        for path in sorted(ctx.page_dates)
        if (entry := read[path] if path in read else read_page(site_dir, path)) is not None
    ]


def write_search_index(
    ctx: BuildContext,
    site_dir: Path,
    read: Mapping[str, Entry | None] | None = None,
    files: dict[str, str] | None = None,
) -> list[Path]:
    """The index of every searchable page (``read``: see ``index_entries``); ``files``,
    the index already laid out from the same entries."""
    files = files if files is not None else layout(index_entries(ctx, site_dir, read))
    base = f"assets/search/{ctx.settings.language}"
    return [write_text(site_dir, f"{base}/{name}", text) for name, text in files.items()]
