"""A reader in headless Debian Chromium: search in Chinese and English, copy the template."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, served: str):
    context = browser.new_context(
        base_url=served, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize(
    ("query", "rule_id", "heading"),
    [("限流", "http-429", "429"), ("ETIMEDOUT", "etimedout", "ETIMEDOUT")],
)
def test_search_reaches_the_rule_page(page, query: str, rule_id: str, heading: str) -> None:
    page.goto("/")
    search = page.locator("input.md-search__input")
    search.click()
    search.fill(query)
    results = page.locator("a.md-search-result__link")
    results.first.wait_for(timeout=60_000)  # the worker builds the index first
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(min(5, results.count()))]
    wanted = next((i for i, href in enumerate(hrefs) if f"rules/{rule_id}/" in href), None)
    assert wanted is not None, f"no link to rules/{rule_id}/ in the top results: {hrefs}"
    results.nth(wanted).click()
    page.wait_for_url(f"**/rules/{rule_id}/**")
    assert heading in page.locator("h1").first.inner_text()


def test_checklist_copy_button_copies_the_evidence_template(page) -> None:
    page.goto("/checklists/http-429/")
    block = page.locator("pre", has_text="occurred-at").first
    expected = block.locator("code").inner_text()
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == expected.strip()
    assert "occurred-at" in copied
    assert "full-api-key" not in copied
