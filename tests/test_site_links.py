"""No dead ends: every link between the built pages, and every #fragment, lands."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest

from generator.rulebook.loader import load_or_raise

from conftest import ROOT

BASE = "http://site.test/"


def _page_path(site: Path, url: str) -> Path | None:
    """The file a site URL serves, or None."""
    path = unquote(urlsplit(url).path).removeprefix("/")
    target = site / path
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def dead_links(real_site: Path) -> tuple[list[str], int, int]:
    """Links and fragments that land nowhere; how many fragments and pages were checked."""
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
    return dead, anchors_checked, len(pages)


def test_every_internal_link_and_anchor_resolves(real_site: Path) -> None:
    dead, anchors_checked, pages = dead_links(real_site)
    assert pages > 100
    assert anchors_checked > 100  # glossary terms, FAQ questions, catalogue entries
    assert not dead, "\n".join(dead[:30])


def test_no_link_points_at_a_bare_host(real_site: Path) -> None:
    for file in real_site.rglob("*.html"):
        root = lxml.html.parse(str(file)).getroot()
        for href in root.xpath("//article//a/@href"):
            parts = urlsplit(href)
            assert not (parts.netloc and parts.path in ("", "/")), f"{file}: {href}"


def test_a_big_layer_pages_its_faq_and_every_link_still_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 1,000 rules a layer's questions would fill a 900 KB page: they are split into
    pages of a fixed number of rules, the hub and the rules index stay short, and every
    link to an answer finds it on the right page. Small limits make a small rulebook big."""
    import generator.render.pages as pages
    from generator.site.build import Project, build

    from conftest import SMALL, load_bench

    monkeypatch.setattr(pages, "FAQ_RULES_PER_PAGE", 3)
    monkeypatch.setattr(pages, "FAQ_HUB_QUESTIONS", 2)
    monkeypatch.setattr(pages, "RULES_PER_LAYER", 3)
    for name in ("mkdocs.yml", "content"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    (tmp_path / "rules").mkdir()
    load_bench().synthesise(SMALL, 12, tmp_path / "rules" / "rulebook.yaml")  # 4 rules a layer
    site = tmp_path / "site"
    build(Project.at(tmp_path), site)

    rulebook = load_or_raise(tmp_path / "rules" / "rulebook.yaml")
    for layer in rulebook.layers:
        rules = rulebook.rules_in(layer.id)
        parts = [site / "faq" / layer.id, site / "faq" / layer.id / "2"]
        assert not (site / "faq" / layer.id / "3").exists()
        found = []
        for part, other in zip(parts, ("2/", "../"), strict=True):
            root = lxml.html.parse(str(part / "index.html")).getroot()
            found += list(root.xpath("//h3/@id"))
            assert root.xpath(f"//article//a[@href='{other}']"), "each page links the other"
        wanted = [f"{r.id}-faq-{n}" for r in rules for n in range(1, len(r.faq) + 1)]
        assert found == wanted, "every question once, in order, across the layer's pages"
    hub = lxml.html.parse(str(site / "faq" / "index.html")).getroot()
    for layer in rulebook.layers:
        section = hub.xpath(f"//h2[@id='{layer.id}']/following-sibling::ul[1]/li")
        assert len(section) == 2 + 1, "two questions, then the link to all of them"
    index = lxml.html.parse(str(site / "rules" / "index.html")).getroot()
    assert len(index.xpath("//ul[@class='tb-codes']/li")) == len(rulebook.layers) * (3 + 1)
    dead, anchors, _ = dead_links(site)
    assert not dead, dead[:10]
    assert anchors > 20
