"""No dead ends: every link between the built pages, and every #fragment, lands."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

BASE = "http://site.test/"


def _page_path(site: Path, url: str) -> Path | None:
    """The file a site URL serves, or None."""
    path = unquote(urlsplit(url).path).removeprefix("/")
    target = site / path
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def test_every_internal_link_and_anchor_resolves(real_site: Path) -> None:
    ids: dict[Path, set[str]] = {}
    dead = []
    anchors_checked = 0
    pages = sorted(real_site.rglob("*.html"))
    for file in pages:
        here = BASE + file.relative_to(real_site).as_posix().removesuffix("index.html")
        if file.name == "404.html":
            here = BASE  # served at any address; its links are written from the root
        root = lxml.html.parse(str(file)).getroot()
        for href in root.xpath("//a/@href | //link[@rel='stylesheet']/@href | //script/@src"):
            url = urljoin(here, href)
            if not url.startswith(BASE):
                continue
            target = _page_path(real_site, url)
            if target is None:
                dead.append(f"{file.relative_to(real_site)} -> {href}")
                continue
            fragment = unquote(urlsplit(url).fragment)
            if fragment and target.suffix == ".html":
                anchors_checked += 1
                if target not in ids:
                    ids[target] = set(lxml.html.parse(str(target)).getroot().xpath("//@id"))
                if fragment not in ids[target]:
                    dead.append(f"{file.relative_to(real_site)} -> {href} (no such anchor)")
    assert len(pages) > 100
    assert anchors_checked > 100  # glossary terms, FAQ questions, catalogue entries
    assert not dead, "\n".join(dead[:30])


def test_no_link_points_at_a_bare_host(real_site: Path) -> None:
    for file in real_site.rglob("*.html"):
        root = lxml.html.parse(str(file)).getroot()
        for href in root.xpath("//article//a/@href"):
            parts = urlsplit(href)
            assert not (parts.netloc and parts.path in ("", "/")), f"{file}: {href}"
