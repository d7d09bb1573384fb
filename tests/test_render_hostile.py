"""Hostile rulebook text must reach every output as text, never as code.

Payloads (in code spans, signatures, examples, incomplete tags, quotes, entities,
template and Mermaid syntax) are put into every kind of field; the site is built from
the model without `check` (which refuses some of them: the renderer must be safe on its
own) and read the way browsers, feed readers and parsers read it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
import xmlschema
from llms_txt.miniparse import parse_llms_txt

from generator.rulebook.loader import load
from generator.site.build import Project, build

from conftest import ROOT, SMALL, mutate

pytestmark = pytest.mark.slow

ALERT = "alert(1)"
TAG = "`</script><script>alert(1)</script>`"
QUOTES = '" onmouseover="alert(1)'
BROKEN_TAG = "<img src=x onerror=alert(1)"
ENTITIES = "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
JINJA = "{{ 7*7 }} {% if true %}x{% endif %}"
MERMAID = '"] --> X["pwned %%{init: {"securityLevel": "loose"}}%%'

EDITS = [
    ("title: 429 Too Many Requests：请求被限流", f"title: '429 {QUOTES} {JINJA} {BROKEN_TAG}'"),
    (
        "summary: 请求太多或太快，被服务商限流。等待后按指数退避重试。",
        f"summary: '限流 {TAG} {QUOTES} {ENTITIES} [x](https://example.com/?q=\"><script>{ALERT})'",
    ),
    (
        "meaning: 限流说明请求到达了服务商，密钥和网络都没问题。",
        f"meaning: '{JINJA} {BROKEN_TAG} {TAG}'",
    ),
    ('      - "Too Many Requests"', f"      - '</script><script>{ALERT}</script>'"),
    ("      - 并发太高。", f"      - '{QUOTES} {TAG}'"),
    (
        "      - q: 换一个模型能解决 429 吗？\n        a: 通常不能，限流多半按账户计算。",
        f"      - q: '{QUOTES} {BROKEN_TAG}？'\n        a: '{TAG} {ENTITIES} {JINJA}'",
    ),
    ("          import time", f"          # </script><script>{ALERT}</script> {JINJA}"),
    ('    example: "2026-11-20 14:03:12 +08:00"', f"    example: '{TAG} {QUOTES}'"),
    ("    title: 上游模型通道", f"    title: '上游 {MERMAID}'"),
    ("    text: 重试必须有上限，并遵守 `Retry-After`。", f"    text: '{BROKEN_TAG} {JINJA}'"),
    ("    definition: 服务端告诉客户端多久之后再试的响应头。", f"    definition: '{TAG} {QUOTES}'"),
    (
        "        reason: 补充“curl 能通但浏览器报错”的解释。",
        f"        reason: '{TAG} {BROKEN_TAG}'",
    ),
    # Second round: a tag without a space, a reference definition used from another field,
    # a destination with a space, a title that closes the link it is printed in, and line
    # breaks in one-line fields.
    (
        "      - 降低并发。",
        "      - '<img/src=x onerror=alert(1)> [see][evil] [x](<javascript:alert(1)>)'",
    ),
    ("    meaning: 请求还没有离开客户端。", "    meaning: '[evil]: javascript:alert(1)'"),
    ("    title: ENOTFOUND：域名解析失败", "    title: 'x](javascript:alert(1)) [y'"),
    (
        "      - q: 为什么 curl 能通但浏览器报错？",
        '      - q: "为什么？\\n# INJECTED heading\\n!!! danger \\"INJECTED\\""',
    ),
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "rules").mkdir()
    rules = root / "rules" / "rulebook.yaml"
    rules.write_text(mutate(SMALL.read_text(encoding="utf-8"), *EDITS), encoding="utf-8")
    loaded = load(rules)
    assert loaded.rulebook is not None, [p.text() for p in loaded.problems]
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "content", root / "content")
    build(Project(rules, root / "mkdocs.yml"), root / "site", loaded.rulebook)
    return root / "site"


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)


def test_no_payload_becomes_markup_in_any_page(hostile_site: Path) -> None:
    for page in html_files(hostile_site):
        root = lxml.html.parse(str(page)).getroot()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), f"{page}: <{element.tag} {name}=...>"
                if name in ("href", "src"):
                    assert not value.strip().lower().startswith("javascript:"), page
            if element.tag == "script":
                assert ALERT not in (element.text or "") or element.get("type") in (
                    "application/ld+json",
                ), f"{page}: a script element runs {element.text!r}"
        assert not root.xpath("//img[@onerror]"), page


def test_payloads_are_shown_as_text(hostile_site: Path) -> None:
    root = lxml.html.parse(str(hostile_site / "rules/http-429/index.html")).getroot()
    text = root.text_content()
    assert "{{ 7*7 }}" in text and "{% if true %}" in text  # templates never evaluate data
    assert BROKEN_TAG in text
    assert "</script><script>alert(1)</script>" in text
    title = root.find(".//title").text
    assert QUOTES in title and BROKEN_TAG in title
    description = root.xpath('//meta[@name="description"]/@content')[0]
    # The description is what readers see of the summary: entities decoded, as attribute text.
    assert QUOTES in description and "</title><script>alert(1)</script>" in description
    assert root.xpath('//meta[@property="og:title"]/@content')[0].startswith(f"429 {QUOTES}")


def test_jsonld_cannot_be_closed_and_keeps_the_text(hostile_site: Path) -> None:
    for page in html_files(hostile_site):
        html = page.read_text(encoding="utf-8")
        for block in html.split('<script type="application/ld+json">')[1:]:
            body = block.split("</script>", 1)[0]
            assert "<" not in body and ">" not in body
            json.loads(body)
    questions = [
        item["name"]
        for page in sorted(hostile_site.glob("faq/*/index.html"))
        for s in lxml.html.parse(str(page)).getroot().xpath('//script[@type="application/ld+json"]')
        if json.loads(s.text)["@type"] == "FAQPage"
        for item in json.loads(s.text)["mainEntity"]
    ]
    assert f"{QUOTES} {BROKEN_TAG}？" in questions


def test_machine_outputs_stay_well_formed(hostile_site: Path) -> None:
    llms = (hostile_site / "llms.txt").read_text(encoding="utf-8")
    parsed = parse_llms_txt(llms)
    links = [link for section in parsed["sections"].values() for link in section]
    assert len(links) == sum(1 for line in llms.splitlines() if line.startswith("- ["))
    feed = feedparser.parse((hostile_site / "feed.xml").read_bytes())
    assert feed.bozo == 0
    xmlschema.XMLSchema(str(Path(__file__).parent / "schemas/sitemap-0.9.xsd")).validate(
        str(hostile_site / "sitemap.xml")
    )
    doc = json.loads((hostile_site / "api/v1/rules/http-429.json").read_text(encoding="utf-8"))
    assert doc["result"]["title"] == f"429 {QUOTES} {JINJA} {BROKEN_TAG}"
    assert "<script>" not in doc["result"]["summary_html"]
    search = hostile_site / "assets/search/zh"
    key = json.loads((search / "index.json").read_text(encoding="utf-8"))["key"]
    titles = [
        row[1]
        for chunk in sorted((search / key / "p").glob("*.json"))
        for row in json.loads(chunk.read_text(encoding="utf-8"))
    ]
    assert f"429 {QUOTES} {JINJA} {BROKEN_TAG}" in titles  # the text, neither escaped nor lost
    for shard in (search / key / "t").glob("*.json"):
        json.loads(shard.read_text(encoding="utf-8"))


def test_mermaid_labels_cannot_escape_or_configure(hostile_site: Path) -> None:
    twin = (hostile_site / "index.md").read_text(encoding="utf-8")
    diagram = twin.split("```mermaid\n", 1)[1].split("```", 1)[0]
    label_line = next(line for line in diagram.splitlines() if "上游" in line)
    assert label_line.count('"') == 2  # the label's own quotes only
    assert "%%" not in diagram and "-->" not in label_line
    svg = lxml.html.parse(str(hostile_site / "index.html")).getroot().xpath("//svg//text")
    assert any(MERMAID in t.text_content() for t in svg)


def test_evidence_template_is_plain_text(hostile_site: Path) -> None:
    root = lxml.html.parse(str(hostile_site / "checklists/http-429/index.html")).getroot()
    block = root.xpath('//pre[contains(., "occurred-at")]')[0]
    assert not block.xpath(".//script")
    assert "</script><script>alert(1)</script>" in block.text_content()


def test_one_line_fields_add_no_block_anywhere(hostile_site: Path) -> None:
    for page in html_files(hostile_site):
        root = lxml.html.parse(str(page)).getroot()
        for heading in root.xpath("//h1|//h2|//h3|//h4|//div[contains(@class,'admonition')]"):
            title = heading.xpath("string(.)")
            assert not title.strip().startswith("INJECTED"), f"{page}: {title!r}"
    for text_file in [*hostile_site.rglob("index.md"), hostile_site / "llms-full.txt"]:
        for line in text_file.read_text(encoding="utf-8").splitlines():
            assert not line.lstrip("#> ").startswith(("INJECTED", '!!! danger "INJECTED')), (
                f"{text_file}: {line!r}"
            )


def test_links_from_other_fields_and_spaced_destinations_stay_text(hostile_site: Path) -> None:
    for page in html_files(hostile_site):
        root = lxml.html.parse(str(page)).getroot()
        schemes = {urlsplit("".join(a.get("href", "").split())).scheme for a in root.iter("a")}
        assert schemes <= {"", "http", "https", "mailto"}, (page, schemes)
