"""Machine-readable outputs, each checked by the consumer that reads it for real."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import jsonschema
import lxml.etree
import lxml.html
import pytest
import xmlschema
from llms_txt.core import parse_llms_file
from llms_txt.miniparse import parse_llms_txt
from markdown_it import MarkdownIt
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource

from generator.config import load_settings
from generator.rulebook.loader import load_or_raise
from generator.site.project import EditionBuild, Project
from generator.site.project import editions as editions_of

from conftest import ROOT

pytestmark = pytest.mark.slow

SETTINGS = load_settings(ROOT / "mkdocs.yml")
XSD = Path(__file__).resolve().parent / "schemas" / "sitemap-0.9.xsd"
XHTML = "http://www.w3.org/1999/xhtml"


def site_file(site: Path, url: str) -> Path:
    """The file a static server answers ``url`` with (directory URLs -> index.html)."""
    assert url.startswith(SETTINGS.site_url), f"not a URL of this site: {url}"
    path = unquote(urlsplit(url).path)[len(SETTINGS.base_path) :]
    return site / (path + "index.html" if path == "" or path.endswith("/") else path)


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if "assets" not in p.parts)


@pytest.fixture(scope="module")
def rulebook():
    return load_or_raise(ROOT / "rules" / "rulebook.yaml")


#: Each edition of the real site by its folder: Chinese at the root, English under en/.
PREFIXES = ["", "en/"]


@pytest.fixture(scope="module")
def editions() -> dict[str, EditionBuild]:
    return {build.edition.prefix: build for build in editions_of(Project.at(ROOT))}


# ---- llms.txt ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_llms_txt_is_read_correctly_by_the_reference_parsers(
    real_site: Path, editions, prefix: str
) -> None:
    settings, rulebook = editions[prefix].settings, editions[prefix].rulebook
    text = (real_site / prefix / "llms.txt").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    mini = parse_llms_txt(text)
    core = parse_llms_file(text)
    assert mini["title"] == core.title == settings.site_name
    assert mini["summary"] == core.summary == settings.description
    assert mini["info"] and "\n" not in mini["summary"]
    links = [link for section in mini["sections"].values() for link in section]
    # Each line in a section became a link: nothing was silently dropped by the parser.
    body_lines = [ln for ln in text.split("\n## ", 1)[1].splitlines() if ln.startswith("- ")]
    assert len(links) == len(body_lines)
    rule_section = next(s for s in mini["sections"].values() if "/rules/" in s[0]["url"])
    assert [link["title"] for link in rule_section] == [rule.title for rule in rulebook.rules]
    assert all(link["url"].startswith(settings.site_url) for link in rule_section)
    assert all(link["desc"] for link in links)
    assert "Optional" in mini["sections"]
    # Each edition points answer engines at the other's llms.txt.
    others = {build.settings.url("llms.txt") for p, build in editions.items() if p != prefix}
    assert others <= {link["url"] for link in mini["sections"]["Optional"]}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_llms_link_resolves_to_a_built_file(real_site: Path, prefix: str) -> None:
    mini = parse_llms_txt((real_site / prefix / "llms.txt").read_text(encoding="utf-8"))
    urls = [link["url"] for section in mini["sections"].values() for link in section]
    missing = [url for url in urls if not site_file(real_site, url).is_file()]
    assert missing == []
    assert any(url.endswith("/index.md") for url in urls)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_llms_full_has_every_rule_in_order(real_site: Path, editions, prefix: str) -> None:
    rulebook = editions[prefix].rulebook
    text = (real_site / prefix / "llms-full.txt").read_text(encoding="utf-8")
    positions = [text.index(f"\n# {rule.title}\n") for rule in rulebook.rules]
    assert positions == sorted(positions)
    for rule in rulebook.rules:
        assert rule.faq[0].q in text
        assert "{ lang=" not in text and "!!! " not in text  # no MkDocs-only syntax


# ---- Markdown twins ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_generated_page_has_a_linked_markdown_twin(
    real_site: Path, editions, prefix: str
) -> None:
    for rule in editions[prefix].rulebook.rules:
        for kind in ("rules", "checklists"):
            page = real_site / prefix / kind / rule.id
            twin = (page / "index.md").read_text(encoding="utf-8")
            assert twin.startswith(f"# {rule.title}" if kind == "rules" else "# ")
            assert "](../" not in twin and ".md)" not in twin.replace("index.md)", "")
            head = lxml.html.parse(str(page / "index.html")).getroot().head
            alternates = head.xpath('link[@rel="alternate"][@type="text/markdown"]/@href')
            assert alternates == ["index.md"]
            if kind == "rules":  # its facts, one list item each: codes, then layer
                html = MarkdownIt("commonmark").render(twin)
                facts = lxml.html.fragment_fromstring(html, create_parent="div").find(".//ul")
                codes, layer = facts.findall("li")[:2]
                assert [code.text for code in codes.iter("code")] == list(rule.codes)
                assert layer.xpath(".//a/@href")[0].endswith(f"/topics/{rule.layer}/")


# ---- sitemap and robots -----------------------------------------------------------------------


def sitemap_schema() -> xmlschema.XMLSchema:
    """The sitemap schema, with the XHTML namespace's ``link`` element that hreflang uses."""
    return xmlschema.XMLSchema(str(XSD), locations=[(XHTML, str(XSD.with_name("xhtml-link.xsd")))])


def sitemap(site: Path, prefix: str = "") -> dict[str, dict[str, str]]:
    """``loc -> {hreflang: href}`` of one edition's sitemap, validated first."""
    path = site / prefix / "sitemap.xml"
    sitemap_schema().validate(str(path))
    tree = lxml.etree.parse(str(path))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": XHTML}
    return {
        url.findtext("s:loc", namespaces=ns): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in tree.findall("s:url", ns)
    }


def test_sitemap_is_valid_and_its_dates_are_true(real_site: Path, rulebook) -> None:
    schema = sitemap_schema()
    doc = schema.to_dict(str(real_site / "sitemap.xml"))
    lastmod = {entry["loc"]: entry.get("lastmod") for entry in doc["url"]}
    for rule in rulebook.rules:
        assert lastmod[SETTINGS.url(f"rules/{rule.id}/")] == rule.reviewed.isoformat()
        assert lastmod[SETTINGS.url(f"checklists/{rule.id}/")] == rule.reviewed.isoformat()
    for layer in rulebook.layers:
        newest = max(r.reviewed for r in rulebook.rules_in(layer.id))
        assert lastmod[SETTINGS.url(f"topics/{layer.id}/")] == newest.isoformat()
    assert lastmod[SETTINGS.url("about/")] is None  # hand-written: no date rather than a false one
    assert lastmod[SETTINGS.url("evidence/")] is None  # catalogues have no dates of their own
    assert not (real_site / "sitemap.xml.gz").exists()


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_each_edition_lists_exactly_its_own_pages(real_site: Path, prefix: str) -> None:
    listed = {urlsplit(loc).path.strip("/") for loc in sitemap(real_site, prefix)}
    built = {
        p.parent.relative_to(real_site).as_posix()
        for p in html_pages(real_site / prefix)
        if prefix or p.relative_to(real_site).parts[0] != "en"
    }
    assert listed == {"" if p == "." else p for p in built}


def test_sitemap_alternates_are_reciprocal(real_site: Path) -> None:
    """Every hreflang pair is declared from both ends, with x-default on the Chinese page."""
    entries = sitemap(real_site) | sitemap(real_site, "en/")
    paired = 0
    for loc, alternates in entries.items():
        if not alternates:
            continue
        assert loc in alternates.values(), f"{loc} does not list itself"
        assert alternates["x-default"] == alternates["zh-CN"]
        for lang, href in alternates.items():
            assert entries[href] == alternates, f"{href} ({lang}) does not point back at {loc}"
        paired += 1
    assert paired >= 2 * 100, "rule, checklist, topic and hub pages exist in both languages"
    assert not entries[SETTINGS.url("about/")], "a page with no translation has no alternates"


def test_robots_points_at_sitemap_and_llms(real_site: Path) -> None:
    robots = (real_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SETTINGS.url('sitemap.xml')}" in robots.splitlines()
    assert f"Sitemap: {SETTINGS.url('en/sitemap.xml')}" in robots.splitlines()
    assert SETTINGS.url("llms.txt") in robots


# ---- feed -------------------------------------------------------------------------------------


def test_atom_feed_is_valid_and_newest_first(real_site: Path, rulebook) -> None:
    feed = feedparser.parse((real_site / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    dates = [entry.updated for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert len(feed.entries) == len(rulebook.rules)
    head = lxml.html.parse(str(real_site / "index.html")).getroot().head
    assert head.xpath('link[@type="application/atom+xml"]/@href')


# ---- JSON API ---------------------------------------------------------------------------------


def api(site: Path, path: str) -> dict:
    return json.loads((site / "api" / "v1" / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_openapi_document_is_valid(real_site: Path, prefix: str) -> None:
    validate_openapi(api(real_site / prefix, "openapi.json"))


def test_every_language_has_its_own_api_and_each_index_lists_them_all(
    real_site: Path, editions
) -> None:
    listed = []
    for prefix, build in editions.items():
        index = api(real_site / prefix, "index.json")["result"]
        assert index["language"] == build.settings.language_tag
        assert index["site_url"] == build.settings.site_url
        listed.append(index["languages"])
        for language in index["languages"]:
            assert site_file(real_site, language["index"]).is_file()
        # The same ids and codes in every language; the texts are the edition's own.
        rules = {r["id"]: r for r in api(real_site / prefix, "rules.json")["result"]}
        assert list(rules) == [rule.id for rule in build.rulebook.rules]
        assert [r["title"] for r in rules.values()] == [r.title for r in build.rulebook.rules]
    assert listed[0] == listed[1]
    assert [lang["language"] for lang in listed[0]] == ["zh-CN", "en"]
    english = {r["id"]: r for r in api(real_site / "en/", "rules.json")["result"]}
    chinese = api(real_site, "rules.json")["result"]
    assert all(r["summary_en"] == english[r["id"]]["summary"] for r in chinese)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_api_document_matches_its_openapi_schema(
    real_site: Path, editions, prefix: str
) -> None:
    rulebook = editions[prefix].rulebook
    real_site = real_site / prefix
    spec = api(real_site, "openapi.json")
    registry = Registry().with_resource(
        "urn:openapi",
        Resource.from_contents({**spec, "$schema": "https://json-schema.org/draft/2020-12/schema"}),
    )

    def check(path: str, template: str) -> None:
        schema = spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]
        validator = jsonschema.Draft202012Validator(
            {
                "$id": "urn:check",
                "$ref": "urn:openapi#/paths/"
                + template.replace("~", "~0").replace("/", "~1")
                + "/get/responses/200/content/application~1json/schema",
            },
            registry=registry,
            format_checker=jsonschema.FormatChecker(),
        )
        assert schema
        validator.validate(api(real_site, path))

    for fixed in (
        "index.json",
        "rules.json",
        "evidence.json",
        "boundaries.json",
        "layers.json",
        "diagnose.json",
    ):
        check(fixed, f"/{fixed}")
    for rule in rulebook.rules:
        check(f"rules/{rule.id}.json", "/rules/{id}.json")
    codes = {code for rule in rulebook.rules for code in rule.codes}
    for code in codes:
        check(f"codes/{code}.json", "/codes/{code}.json")
        # A client that lower-cases the code gets the same document.
        assert api(real_site, f"codes/{code.lower()}.json") == api(real_site, f"codes/{code}.json")
    names = {path.name for path in (real_site / "api/v1/codes").iterdir()}
    assert names == {f"{code}.json" for code in codes} | {f"{c.lower()}.json" for c in codes}


def test_rule_documents_validate_against_the_published_rule_schema(
    real_site: Path, rulebook
) -> None:
    schema = api(real_site, "schema/rule.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for rule in rulebook.rules:
        doc = api(real_site, f"rules/{rule.id}.json")
        validator.validate(doc["result"])
        assert doc["schema_version"].startswith("1.")
        assert doc["generated_at"] == f"{rulebook.updated.isoformat()}T00:00:00Z"
        assert doc["result"]["urls"]["page"] == SETTINGS.url(f"rules/{rule.id}/")
        assert site_file(real_site, doc["result"]["urls"]["markdown"]).is_file()


def test_every_field_is_always_present(real_site: Path) -> None:
    schema = api(real_site, "schema/rule.schema.json")
    for doc in api(real_site, "rules.json")["result"]:
        assert set(doc) == set(schema["properties"])
        assert set(doc["retry"]) == {
            "policy",
            "retryable",
            "max_attempts",
            "respect_retry_after",
            "note",
            "note_html",
        }


def test_code_lookup_finds_every_carrier(real_site: Path, rulebook) -> None:
    doc = api(real_site, "codes/429.json")
    assert doc["total"] == len(doc["result"]["rules"])
    assert [r["id"] for r in doc["result"]["rules"]] == [
        rule.id for rule in rulebook.rules if "429" in rule.codes
    ]


# ---- JSON-LD and page metadata ----------------------------------------------------------------


def jsonld(page: Path) -> list[dict]:
    head = lxml.html.parse(str(page)).getroot().head
    return [json.loads(s.text) for s in head.xpath('script[@type="application/ld+json"]')]


def test_faq_jsonld_is_exactly_the_visible_questions_and_answers(real_site: Path) -> None:
    # The hub shows questions without their answers, so it claims no FAQPage; each of
    # its questions links to the layer page that answers it.
    hub = real_site / "faq" / "index.html"
    assert [d for d in jsonld(hub) if d["@type"] == "FAQPage"] == []
    links = lxml.html.parse(str(hub)).getroot().xpath("//article//li/a/@href")
    questions = [h for h in links if "#" in h]
    assert questions and all(
        re.fullmatch(r"[a-z0-9-]+/#[a-z0-9-]+-faq-[0-9]+", h) for h in questions
    )
    # A layer with more questions than the hub shows ends with a link to all of them.
    assert all(re.fullmatch(r"[a-z0-9-]+/", h) for h in links if "#" not in h)
    for page in sorted((real_site / "faq").glob("*/index.html")):
        (faq,) = [d for d in jsonld(page) if d["@type"] == "FAQPage"]
        root = lxml.html.parse(str(page)).getroot()
        visible = []
        for h3 in root.xpath("//article//h3"):
            question = " ".join(h3.text_content().replace("¶", "").split())
            answer = h3.getnext()
            visible.append((question, " ".join(answer.text_content().split())))
        assert [(q["name"], q["acceptedAnswer"]["text"]) for q in faq["mainEntity"]] == visible


@pytest.mark.parametrize("prefix", PREFIXES)
def test_rule_pages_carry_article_breadcrumbs_and_metadata(
    real_site: Path, editions, prefix: str
) -> None:
    settings = editions[prefix].settings
    for rule in editions[prefix].rulebook.rules:
        page = real_site / prefix / "rules" / rule.id / "index.html"
        kinds = {d["@type"]: d for d in jsonld(page)}
        assert kinds["TechArticle"]["dateModified"] == rule.reviewed.isoformat()
        assert kinds["TechArticle"]["inLanguage"] == settings.language_tag
        assert kinds["BreadcrumbList"]["itemListElement"][-1]["item"] == settings.url(
            f"rules/{rule.id}/"
        )
        root = lxml.html.parse(str(page)).getroot()
        assert root.get("lang") == settings.language
        assert root.head.xpath('link[@rel="canonical"]/@href') == [
            settings.url(f"rules/{rule.id}/")
        ]
        description = root.head.xpath('meta[@name="description"]/@content')[0]
        assert description and description in kinds["TechArticle"]["description"]
        assert root.head.xpath('meta[@property="og:title"]/@content') == [rule.title]
        locale = root.head.xpath('meta[@property="og:locale"]/@content')
        assert locale == [{"zh": "zh_CN", "en": "en_US"}[settings.language]]


def test_pages_name_their_translations_both_ways(real_site: Path, rulebook) -> None:
    """hreflang alternates in the HTML head: each page lists itself, its translation and
    x-default, and the translation lists the same set back."""

    def alternates(page: Path) -> dict[str, str]:
        head = lxml.html.parse(str(page)).getroot().head
        return {
            link.get("hreflang"): link.get("href")
            for link in head.xpath('link[@rel="alternate"][@hreflang]')
        }

    paths = ["", "rules/", "faq/", "evidence/"]
    paths += [f"{kind}/{rule.id}/" for rule in rulebook.rules for kind in ("rules", "checklists")]
    for path in paths:
        chinese = alternates(real_site / path / "index.html")
        english = alternates(real_site / "en" / path / "index.html")
        assert (
            chinese
            == english
            == {
                "zh-CN": SETTINGS.url(path),
                "en": SETTINGS.url("en/" + path),
                "x-default": SETTINGS.url(path),
            }
        ), path
    assert alternates(real_site / "about" / "index.html") == {}


def test_every_page_has_jsonld_and_makes_no_request_to_another_host(real_site: Path) -> None:
    for page in html_pages(real_site):
        assert jsonld(page), page
        root = lxml.html.parse(str(page)).getroot()
        for url in root.xpath(
            "//script/@src | //link[@rel='stylesheet']/@href | //img/@src"
            " | //link[@rel='preconnect']/@href | //iframe/@src"
        ):
            assert not urlsplit(url).netloc, f"{page}: loads {url}"


def test_a_new_rule_reaches_every_output_without_code_changes(project: Path, tmp_path) -> None:
    from generator.site.build import Project, build

    rules = project / "rules" / "rulebook.yaml"
    text = rules.read_text(encoding="utf-8")
    end = text.index("redirects:\n")
    block = text[text.index("  - id: cors-blocked\n") : end]
    new = (
        block.replace("id: cors-blocked", "id: cors-preflight")
        .replace("codes: [CORS]", "codes: [CORS_PREFLIGHT]")
        .replace("title: 浏览器 CORS 拦截", "title: 预检请求失败")
    )
    rules.write_text(text[:end] + new + text[end:], encoding="utf-8")
    site = tmp_path / "site"
    build(Project(rules, project / "mkdocs.yml"), site)
    url = SETTINGS.url("rules/cors-preflight/")
    assert (site / "rules/cors-preflight/index.html").is_file()
    assert (site / "rules/cors-preflight/index.md").is_file()
    assert (site / "checklists/cors-preflight/index.html").is_file()
    assert url + "index.md" in (site / "llms.txt").read_text(encoding="utf-8")
    assert "# 预检请求失败" in (site / "llms-full.txt").read_text(encoding="utf-8")
    assert f"<loc>{url}</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert url in (site / "feed.xml").read_text(encoding="utf-8")
    assert api(site, "rules/cors-preflight.json")["result"]["title"] == "预检请求失败"
    assert api(site, "codes/CORS_PREFLIGHT.json")["total"] == 1
    assert "cors-preflight" in [r["id"] for r in api(site, "index.json")["result"]["rules"]]
