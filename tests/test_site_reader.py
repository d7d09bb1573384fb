"""A reader on a phone and with a keyboard, in headless Chromium: no page scrolls sideways,
error texts wrap, the answer is the largest text, checklists can be tapped, kept and reset,
the layer diagram and the 404 page lead somewhere."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

#: One page of every type.
PAGE_TYPES = {
    "home": "/",
    "rules": "/rules/",
    "rule": "/rules/stream-interrupted/",  # the longest codes and error texts
    "checklist": "/checklists/http-429/",
    "faq hub": "/faq/",
    "faq": "/faq/upstream/",
    "topics": "/topics/",
    "topic": "/topics/gateway/",
    "evidence": "/evidence/",
    "boundaries": "/boundaries/",
    "glossary": "/glossary/",
    "about": "/about/",
    "search": "/search/?q=CORS",
    "diagnose": "/diagnose/",
    "404": "/no/such/page/",
    # The English edition: the same templates, other words, often longer.
    "en home": "/en/",
    "en rule": "/en/rules/stream-interrupted/",
    "en checklist": "/en/checklists/http-429/",
    "en evidence": "/en/evidence/",
    "en faq": "/en/faq/upstream/",
}


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_no_page_scrolls_sideways_on_a_phone(phone, path: str) -> None:
    phone.goto(path)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow} px wider than the screen"
    # Error texts wrap: a reader compares them line by line with their own screen.
    scrolling = phone.eval_on_selector_all(
        ".language-text pre > code",
        "codes => codes.filter(c => c.scrollWidth > c.clientWidth + 1).length",
    )
    assert scrolling == 0
    # The 404 page's own status is the one error a browser reports there.
    assert not [e for e in phone.errors if not (path == PAGE_TYPES["404"] and "404" in e)]


def test_a_narrow_desktop_window_does_not_scroll_sideways_either(browser, served: str) -> None:
    """Without a phone's viewport scaling, the theme's own header once widened the page."""
    context = browser.new_context(base_url=served, viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        for path in (
            "/rules/stream-interrupted/",
            "/evidence/",
            "/",
            "/en/rules/stream-interrupted/",
        ):
            tab.goto(path)
            tab.mouse.wheel(0, 2000)  # the header shows the page title once scrolled
            tab.wait_for_timeout(300)
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow} px wider than the window"
    finally:
        context.close()


def test_the_answer_is_the_most_readable_text_on_a_rule_page(phone) -> None:
    phone.goto("/rules/http-429/")
    sizes = phone.evaluate(
        """() => {
          const size = s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
          return {answer: size('.tb-answer p:not(.admonition-title)'),
                  body: size('article p'), facts: size('.tb-facts dd')};
        }"""
    )
    assert sizes["answer"] > sizes["body"]
    assert sizes["facts"] >= sizes["body"]


def test_the_facts_stack_on_a_phone(phone) -> None:
    phone.goto("/rules/stream-interrupted/")
    widths = phone.eval_on_selector_all(
        ".tb-facts > div", "rows => rows.map(r => r.scrollWidth - r.clientWidth)"
    )
    assert widths and max(widths) <= 0
    # Codes keep whole: each one sits on a single line (the longest has 31 characters).
    for path in ("/rules/stream-interrupted/", "/", "/topics/gateway/"):
        phone.goto(path)
        broken = phone.eval_on_selector_all(
            ".tb-facts code, .tb-codes code",
            """codes => codes.filter(c => {
                 const text = document.createRange();
                 text.selectNodeContents(c);
                 return text.getClientRects().length > 1;  // one rectangle a line
               }).map(c => c.textContent)""",
        )
        assert not broken, path


SECTION_IDS = ["meaning", "signatures", "causes", "steps", "evidence", "boundaries", "retry", "faq"]


def test_sections_have_stable_ids_worth_sharing(page) -> None:
    page.goto("/rules/http-429/")
    ids = page.eval_on_selector_all("article h2[id]", "hs => hs.map(h => h.id)")
    assert all(name in ids for name in SECTION_IDS), ids
    assert not any(re.fullmatch(r"_\d+", name) for name in ids)
    assert page.locator("article h3#faq-1").count() == 1
    page.goto("/checklists/http-429/")
    assert page.locator("h2#checklist").count() == page.locator("h2#evidence").count() == 1
    assert page.locator("li#step-1 input[type=checkbox]").count() == 1


def test_a_checklist_item_ticks_by_tapping_its_text_and_keeps_its_state(phone) -> None:
    phone.goto("/checklists/http-429/")
    first = phone.locator(".tb-checklist li").first
    first.locator("span").first.tap(position={"x": 3, "y": 3})  # the text, not a link in it
    assert first.locator("input").is_checked()
    phone.reload()
    assert phone.locator(".tb-checklist li input").first.is_checked()  # kept in this browser
    assert "1/" in phone.locator(".tb-checklist__bar").inner_text()
    phone.locator(".tb-checklist__reset").tap()
    assert not phone.locator(".tb-checklist li input").first.is_checked()
    phone.reload()
    assert not phone.locator(".tb-checklist li input").first.is_checked()


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_a_checkbox_is_visible_and_so_is_its_keyboard_focus(page) -> None:
    page.goto("/checklists/http-429/")
    box = page.locator(".tb-checklist input").first
    border, background = box.evaluate(
        """b => {
          let e = b.parentElement, bg = 'rgba(0, 0, 0, 0)';
          const clear = 'rgba(0, 0, 0, 0)';
          while (e && (bg = getComputedStyle(e).backgroundColor) === clear) e = e.parentElement;
          return [getComputedStyle(b).borderTopColor, e ? bg : 'rgb(255, 255, 255)'];
        }"""
    )
    dark, light = sorted([_luminance(border), _luminance(background)])
    assert (light + 0.05) / (dark + 0.05) >= 3, (border, background)
    box.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard: :focus-visible applies
    outline = box.evaluate(
        "b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineWidth]"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2
    page.keyboard.press("Space")
    assert box.is_checked()


def test_the_evidence_template_copies_as_shown(page) -> None:
    page.goto("/checklists/http-429/")
    block = page.locator("pre", has_text="occurred-at").first
    expected = block.locator("code").inner_text()
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == expected.strip()
    assert "occurred-at" in copied
    assert "full-api-key" not in copied


def test_each_box_of_the_layer_diagram_opens_its_topic(page) -> None:
    page.goto("/")
    links = page.locator("figure.layer-diagram a")
    assert links.count() >= 8
    links.nth(3).click()
    page.wait_for_url("**/topics/*/")
    assert "排查专题" in page.locator("h1").inner_text()
    assert page.locator("h2#proof").count() == 1  # how to tell this layer from its neighbours


def test_catalogue_entries_lead_to_the_rules_that_use_them(page) -> None:
    for path, anchor in [("/evidence/", "#request-id"), ("/boundaries/", "#no-full-api-key")]:
        page.goto(path + anchor)
        section = page.locator(f"h2{anchor}")
        assert section.count() == 1, anchor
        users = section.evaluate(
            """h => { const links = [];
              for (let e = h.nextElementSibling; e && e.tagName !== 'H2'; e = e.nextElementSibling)
                e.querySelectorAll("a[href*='rules/']").forEach(a => links.push(a.href));
              return links; }"""
        )
        assert users, f"{path}{anchor} lists no rule"
    page.goto("/glossary/")
    assert page.locator("article p a[href*='rules/']").count() >= 5


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/rules/http-429/", "English", "/en/rules/http-429/"),
        ("/en/checklists/cors-blocked/", "中文", "/checklists/cors-blocked/"),
        ("/en/faq/", "中文", "/faq/"),
        ("/about/", "English", "/en/"),  # a hand-written page with no translation
    ],
)
def test_the_language_switch_opens_this_page_in_the_other_language(
    page, path: str, language: str, expected: str
) -> None:
    page.goto(path)
    page.locator(".md-header .md-select").hover()
    page.get_by_role("link", name=language, exact=True).click()
    page.wait_for_url(f"**{expected}")
    other = {"English": "en", "中文": "zh"}[language]
    assert page.locator("html").get_attribute("lang") == other
    assert not page.errors


def test_a_missing_page_speaks_the_site_language_and_offers_a_way_on(page) -> None:
    response = page.goto("/rules/no-such-rule/deeper/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == "zh"
    page.fill("input[name=q]", "ETIMEDOUT")
    page.locator("form.tb-search button").click()
    page.wait_for_url("**/search/?q=ETIMEDOUT")
    page.wait_for_function("document.querySelector('#search-results').dataset.query")
    page.goto("/no/such/page/")
    page.fill("#diagnose-input", "Error: getaddrinfo ENOTFOUND api.example.com")
    page.wait_for_function("document.querySelector('#diagnose-results [data-rule-id]')")
    first = page.locator("#diagnose-results [data-rule-id]").first.get_attribute("data-rule-id")
    assert first == "dns-enotfound"
    assert not [e for e in page.errors if "404" not in e]  # the page's own status only
    page.goto("/en/rules/no-such-rule/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("form.tb-search").get_attribute("action").endswith("/en/search/")
