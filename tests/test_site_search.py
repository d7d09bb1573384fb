"""Search as a reader uses it, in headless Chromium: the words readers type find the right
rule first; the page tokenizes exactly as the index; contributor pages stay out."""

from __future__ import annotations

import json

import pytest
import yaml

from generator.outputs.search_text import tokens

from conftest import ROOT

pytestmark = pytest.mark.browser

#: (query, the rules any of which must come first). Acronyms, codes with underscores,
#: exception names, plain English and Chinese words; a query that names several rules
#: equally (HTTPS, tokens, headers) accepts each of them.
QUERIES: list[tuple[str, set[str]]] = [
    ("CORS", {"cors-blocked"}),
    ("cors", {"cors-blocked"}),
    ("CORS policy", {"cors-blocked"}),
    ("OPTIONS", {"cors-blocked"}),
    ("blocked", {"cors-blocked", "mixed-content"}),
    ("headers", {"cors-blocked", "etimedout"}),
    ("Failed to fetch", {"cors-blocked"}),
    ("跨域", {"cors-blocked"}),
    ("DNS", {"dns-enotfound"}),
    ("ENOTFOUND", {"dns-enotfound"}),
    ("enotfound", {"dns-enotfound"}),
    ("域名解析", {"dns-enotfound"}),
    ("HTTPS", {"tls-certificate", "tls-handshake-failed", "mixed-content"}),
    ("UNABLE_TO_VERIFY_LEAF_SIGNATURE", {"tls-certificate"}),
    ("证书", {"tls-certificate"}),
    ("ETIMEDOUT", {"etimedout"}),
    ("APITimeoutError", {"etimedout"}),
    ("超时", {"etimedout", "http-504", "http-408"}),
    ("网关超时", {"http-504"}),
    ("504", {"http-504"}),
    ("ECONNRESET", {"econnreset"}),
    ("socket hang up", {"econnreset"}),
    ("ECONNREFUSED", {"econnrefused"}),
    ("refused", {"econnrefused"}),
    ("retry", {"http-429", "gemini-resource-exhausted"}),
    ("429", {"http-429"}),
    ("RateLimitError", {"http-429"}),
    ("限流", {"http-429"}),
    ("overloaded_error", {"http-503"}),
    ("502", {"http-502"}),
    ("413", {"http-413"}),
    ("insufficient_quota", {"quota-exhausted"}),
    ("余额不足", {"quota-exhausted"}),
    ("model_not_found", {"invalid-model"}),
    ("tokens", {"context-length-exceeded", "output-truncated"}),
    ("context_length_exceeded", {"context-length-exceeded"}),
    ("exceeded", {"context-length-exceeded", "quota-exhausted"}),
    ("代理", {"proxy-tunnel"}),
    ("无可用渠道", {"no-available-channel"}),
    ("content_filter", {"content-filter"}),
    ("finish_reason length", {"output-truncated"}),
    # Chinese words and phrases readers type
    ("请求超时", {"etimedout", "http-408"}),
    ("额度", {"quota-exhausted"}),
    ("模型不存在", {"invalid-model"}),
    ("上下文", {"context-length-exceeded"}),
    ("截断", {"output-truncated"}),
    ("连接被重置", {"econnreset"}),
    ("连接被拒绝", {"econnrefused"}),
    ("握手", {"tls-handshake-failed"}),
    ("混合内容", {"mixed-content"}),
    ("令牌过期", {"token-expired"}),
    ("流式输出中断", {"stream-interrupted"}),
]

#: The English edition, found by its own words: inflected forms (``exceeded``, ``refused``,
#: ``rate limited``) find pages that say ``exceeds``, ``refuse`` or ``rate limit``.
EN_QUERIES: list[tuple[str, set[str]]] = [
    ("CORS", {"cors-blocked"}),
    ("blocked by CORS policy", {"cors-blocked"}),
    ("preflight", {"cors-blocked"}),
    ("rate limit", {"http-429", "gemini-resource-exhausted"}),
    ("rate limited", {"http-429", "gemini-resource-exhausted"}),
    ("Too Many Requests", {"http-429"}),
    ("quota exceeded", {"quota-exhausted", "gemini-resource-exhausted"}),
    ("insufficient balance", {"quota-exhausted"}),
    ("exceeded", {"quota-exhausted", "gemini-resource-exhausted", "context-length-exceeded"}),
    ("blocked", {"cors-blocked", "mixed-content", "gateway-forbidden", "content-filter"}),
    ("refused", {"econnrefused"}),
    ("connection refused", {"econnrefused"}),
    ("overloaded", {"http-503"}),
    ("insufficient", {"quota-exhausted"}),
    ("timed out", {"etimedout", "http-504", "http-408"}),
    ("gateway timeout", {"http-504"}),
    ("bad gateway", {"http-502"}),
    ("certificate expired", {"tls-certificate"}),
    ("self-signed certificate", {"tls-certificate"}),
    ("could not resolve host", {"dns-enotfound"}),
    ("DNS", {"dns-enotfound"}),
    ("socket hang up", {"econnreset"}),
    ("connection reset", {"econnreset"}),
    ("invalid API key", {"http-401"}),
    ("missing API key", {"missing-api-key"}),
    ("wrong base URL", {"http-404"}),
    ("model not found", {"invalid-model"}),
    ("context window", {"context-length-exceeded"}),
    ("truncated", {"output-truncated"}),
    ("stream cut off", {"stream-interrupted"}),
    ("proxy", {"proxy-tunnel"}),
    ("407", {"proxy-tunnel"}),
    ("request too large", {"http-413"}),
    ("mixed content", {"mixed-content"}),
    ("safety policy", {"content-filter"}),
    ("expired token", {"token-expired"}),
    ("JSONDecodeError", {"empty-or-non-json"}),
    ("Unexpected token", {"empty-or-non-json"}),
    ("AbortError", {"request-aborted"}),
    ("handshake", {"tls-handshake-failed"}),
    ("ETIMEDOUT", {"etimedout"}),
    ("502", {"http-502"}),
]

EDITIONS = {"zh": ("/", QUERIES), "en": ("/en/", EN_QUERIES)}


def search(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Type ``query`` and return the result paths, best first."""
    page.fill("#search-input", query)
    page.wait_for_function(
        "q => document.querySelector('#search-results').dataset.query === q", arg=query
    )
    return page.eval_on_selector_all(
        "#search-results a.tb-search__title", "links => links.map(a => new URL(a.href).pathname)"
    )


@pytest.mark.parametrize("language", EDITIONS)
def test_the_words_readers_type_find_the_right_rule_first(page, language: str) -> None:
    root, queries = EDITIONS[language]
    assert len(queries) >= 20
    page.goto(f"{root}search/")
    misses = []
    for query, wanted in queries:
        found = search(page, query)
        if not found or found[0] not in {f"{root}rules/{rule}/" for rule in wanted}:
            misses.append(f"{query!r}: wanted {sorted(wanted)}, got {found[:3]}")
    assert not misses, "\n".join(misses)
    assert not page.errors


def test_a_query_downloads_a_few_small_files_not_the_index(page) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto("/search/")
    search(page, "网关超时")
    data = [url for url in fetched if "/assets/search/" in url]
    # index.json, one shard a token (3 here, some may share), one page chunk
    assert 2 < len(data) <= 5, data


def test_text_that_arrives_without_a_key_is_searched(page) -> None:
    """A paste from the context menu fires ``input`` and no key event."""
    page.goto("/search/")
    page.focus("#search-input")
    page.evaluate("document.execCommand('insertText', false, 'ECONNREFUSED')")
    page.wait_for_function("document.querySelector('#search-results').dataset.query")
    first = page.eval_on_selector("#search-results a.tb-search__title", "a => a.pathname")
    assert first == "/rules/econnrefused/"


def test_a_search_address_can_be_shared(page) -> None:
    page.goto("/search/?q=insufficient_quota")
    page.wait_for_function("document.querySelector('#search-results').dataset.query")
    first = page.eval_on_selector("#search-results a.tb-search__title", "a => a.pathname")
    assert first == "/rules/quota-exhausted/"
    search(page, "ETIMEDOUT")
    assert page.evaluate("new URL(location.href).searchParams.get('q')") == "ETIMEDOUT"


def test_contributor_pages_and_repeats_stay_out_of_results(page, real_site) -> None:
    index = real_site / "assets" / "search" / "zh"
    key = json.loads((index / "index.json").read_text(encoding="utf-8"))["key"]
    paths = {
        row[0]
        for chunk in (index / key / "p").glob("*.json")
        for row in json.loads(chunk.read_text(encoding="utf-8"))
    }
    assert {"rules/http-429/", "topics/upstream/", "glossary/"} <= paths
    for excluded in ("editors-guide/", "review-policy/", "checklists/http-429/", "faq/", ""):
        assert excluded not in paths
    page.goto("/search/")
    for query in ("编辑指南", "复核制度", "pull request", "golden"):
        found = search(page, query)
        assert not any(p.startswith(("/editors-guide/", "/review-policy/")) for p in found)


def test_the_page_tokenizes_exactly_as_the_index(page) -> None:
    """The script and search_text.py implement one spec: any drift would make a query
    miss what the index holds."""
    rulebook = yaml.safe_load((ROOT / "rules" / "rulebook.yaml").read_text(encoding="utf-8"))
    texts = [
        "ＡＰＩ　Ｋｅｙ 全角、overloaded_error__x _lead trail_ net::ERR_FAILED",
        "Ünïcödé café naïve ΣΊΣΥΦΟΣ İstanbul straße ﬁle ½ x²",
        "日本語のテキスト 한국어 텍스트 中文𠀀字 😀 emoji🙂mix a1_b2",
        "",
        "\u200b\u00a0\t\n",
        "Exceeded exceeds EXCEEDING refused refuses blocked ages agés 𝐀𝐁𝐂𝐃𝐄𝐬 straßes",
    ]
    for rule in rulebook["rules"]:
        texts += [rule["title"], rule["summary"], rule["meaning"], *rule["signatures"]]
    english = yaml.safe_load((ROOT / "rules" / "rulebook.en.yaml").read_text(encoding="utf-8"))
    for rule in english["rules"].values():
        texts += [rule.get("title", ""), rule.get("summary", ""), rule.get("meaning", "")]
    page.goto("/search/")
    page.wait_for_function("typeof window.triagebookSearchTokens === 'function'")
    got = page.evaluate("texts => texts.map(t => window.triagebookSearchTokens(t, true))", texts)
    for text, tokens_js in zip(texts, got, strict=True):
        assert tokens_js == tokens(text, singles=True), text
