"""The diagnosis box in headless Chromium: it ranks exactly as the CLI, sends and stores
nothing, masks secrets, fills the evidence template, and stays fast at 1,000 rules."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from generator.config import load_settings
from generator.diagnose.index import Index
from generator.diagnose.rank import rank
from generator.outputs.api_model import DiagnoseOut
from generator.outputs.diagnose_doc import diagnose_document
from generator.rulebook.loader import load_or_raise

from conftest import ROOT

pytestmark = pytest.mark.browser

CORPUS = ROOT / "tests" / "diagnose" / "corpus.yaml"
KEY = "sk-proj-" + "Qw3rTy7uIoPaSdFgHjKlZxCvBnM1234567890abcdefghiJKL"


def ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("window.triagebookDiagnose && window.triagebookDiagnose.load")
    page.evaluate("window.triagebookDiagnose.load()")
    page.wait_for_function("window.triagebookDiagnose.ready !== null")
    page.evaluate("window.triagebookDiagnose.ready")


def shown_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "#diagnose-results [data-rule-id]", "nodes => nodes.map(n => n.dataset.ruleId)"
    )


def paste(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#diagnose-input", text)
    page.wait_for_function("document.querySelector('#diagnose-results').childElementCount > 0")


@pytest.mark.parametrize("path", ["/", "/diagnose/"])
def test_the_box_answers_as_the_reader_types(page, path: str) -> None:
    page.goto(path)
    box = page.locator("textarea#diagnose-input")
    assert box.count() == 1
    if path == "/":  # the first thing on the home page, right under its title
        first = page.evaluate("document.querySelector('article h1').nextElementSibling.className")
        assert first == "tb-diagnose"
    paste(page, "Error: getaddrinfo ENOTFOUND api.example.com")
    assert shown_ids(page)[0] == "dns-enotfound"
    result = page.locator("#diagnose-results [data-rule-id]").first
    assert result.locator("a").first.get_attribute("href").endswith("/rules/dns-enotfound/")
    assert (
        result.locator("a", has_text="检查清单")
        .get_attribute("href")
        .endswith("/checklists/dns-enotfound/")
    )
    assert page.errors == []


def test_the_page_ranks_the_corpus_exactly_as_the_cli(page) -> None:
    rb = load_or_raise(ROOT / "rules" / "rulebook.yaml")
    index = Index(rb)
    texts = [entry["text"] for entry in yaml.safe_load(CORPUS.read_text("utf-8"))]
    page.goto("/diagnose/")
    ready(page)
    in_page = page.evaluate(
        """async texts => { const d = await window.triagebookDiagnose.ready;
           return texts.map(t => d.rank(t, 3).map(m =>
             [m.rule.id, m.score, m.reasons.map(r => r.kind + ': ' + r.text)])); }""",
        texts,
    )
    in_cli = [
        [[rb.rules[m.rule].id, m.score, [str(r) for r in m.reasons]] for m in rank(t, index, 3)]
        for t in texts
    ]
    assert in_page == in_cli
    # and through the box itself, for a few
    for text, expected in list(zip(texts, in_cli, strict=True))[:8]:
        if expected:
            paste(page, text)
            assert shown_ids(page) == [rule for rule, _, _ in expected], text[:60]


STORAGE = """() => [localStorage, sessionStorage].map(s =>
    Object.keys(s).sort().map(k => k + '=' + s.getItem(k)).join('\\n'))"""


def test_diagnosing_sends_nothing_and_stores_nothing(page) -> None:
    page.goto("/")
    ready(page)
    before = page.evaluate(STORAGE)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    paste(page, "openai.APITimeoutError: Request timed out.")
    paste(page, "流式输出到一半就断了")
    assert requests == []
    assert page.evaluate(STORAGE) == before  # the theme's own settings, untouched
    assert "APITimeoutError" not in str(before) + str(page.evaluate("document.cookie"))


def test_a_pasted_secret_is_flagged_and_never_shown(page) -> None:
    page.goto("/diagnose/")
    paste(page, f"Error code: 401 - invalid_api_key\nAuthorization: Bearer {KEY}")
    alert = page.locator(".tb-diagnose__secret")
    assert alert.is_visible() and "轮换" in alert.inner_text()
    shown = page.locator("#diagnose-results").inner_text()
    page.locator("#diagnose-results details").first.evaluate("d => d.open = true")
    template = page.locator("#diagnose-results details pre").first.inner_text()
    assert KEY not in shown + template
    paste(page, "Error code: 401 - invalid_api_key")
    assert alert.is_hidden()


def test_the_evidence_template_is_filled_and_copied(page) -> None:
    page.goto("/diagnose/")
    paste(
        page,
        "2026-11-30 08:15:02 openai.RateLimitError: Error code: 429 - {'error': {'message': "
        "'Rate limit reached for gpt-4o', 'code': 'rate_limit_exceeded'}} "
        "x-request-id: req_8f2b1c9a77e1",
    )
    first = page.locator("#diagnose-results [data-rule-id]").first
    assert first.get_attribute("data-rule-id") == "http-429"
    first.locator("details").evaluate("d => d.open = true")
    template = first.locator("pre").inner_text()
    assert "429" in template and "req_8f2b1c9a77e1" in template
    assert "2026-11-30 08:15:02" in template
    first.locator("button.tb-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == template


def test_speed_and_weight_at_1000_rules(page, tmp_path: Path, capsys) -> None:
    """Reported, not asserted: the time per diagnosis in the browser and the size of the
    data, with the benchmark's synthetic rulebook of 1,000 rules."""
    spec = importlib.util.spec_from_file_location("bench", ROOT / "tests/bench/bench.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rules = tmp_path / "rulebook.yaml"
    bench.synthesise(ROOT / "rules" / "rulebook.yaml", 1000, rules)
    settings = load_settings(ROOT / "mkdocs.yml")
    document = diagnose_document(Index(load_or_raise(rules)), settings)
    data = TypeAdapter(DiagnoseOut).dump_python(document, mode="json")
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    texts = [entry["text"] for entry in yaml.safe_load(CORPUS.read_text("utf-8"))]
    page.goto("/diagnose/")
    page.wait_for_function("window.triagebookDiagnose")
    per_text = page.evaluate(
        """([data, texts]) => { const d = new window.triagebookDiagnose.Diagnoser(data);
           const t0 = performance.now(); texts.forEach(t => d.rank(t, 3));
           return (performance.now() - t0) / texts.length; }""",
        [data, texts],
    )
    with capsys.disabled():
        print(
            f"\ndiagnose at 1,000 rules: {per_text:.2f} ms per text in Chromium; data "
            f"{len(raw) / 1024:,.0f} KB, {len(gzip.compress(raw, 9)) / 1024:,.0f} KB gzipped"
        )
    assert per_text > 0
