"""The content security policy in a real browser: every page type loads under it without a
console error or a violation report, the scripts the site needs still run (search, the
diagnosis box, checklists), and markup that slipped past the sanitiser does not run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from generator.outputs.security import inline_script_hashes

pytestmark = pytest.mark.browser

#: Collects the browser's violation reports, from before the page's first script.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
PAGES = [
    "/",
    "/rules/http-429/",
    "/checklists/http-429/",
    "/faq/",
    "/faq/upstream/",
    "/topics/gateway/",
    "/evidence/",
    "/glossary/",
    "/about/",
    "/search/?q=CORS",
    "/diagnose/",
    "/en/",
    "/en/rules/http-429/",
    "/no/such/page/",
]


def test_every_page_carries_the_policy_before_any_script(real_site: Path) -> None:
    pages = sorted(real_site.rglob("*.html"))
    hashes = inline_script_hashes(pages)
    assert 2 <= len(hashes) <= 20, "a few inline scripts, each by its hash"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert found, page
        assert text.find("<script") == -1 or found.start() < text.find("<script"), page
        policy = found.group(1)
        assert "'unsafe-inline'" not in policy, "no inline script or style but by its hash"
        for directive in ("object-src 'none'", "base-uri 'self'", "form-action 'self'"):
            assert directive in policy


@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_loads_under_the_policy(strict_page, path: str) -> None:
    page = strict_page
    page.add_init_script(WATCH)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__violations") == []
    assert not [e for e in page.errors if not (path.startswith("/no/") and "404" in e)]


def test_the_scripts_the_site_needs_still_run(strict_page) -> None:
    page = strict_page
    page.add_init_script(WATCH)
    page.goto("/diagnose/")
    page.fill("#diagnose-input", "Error: getaddrinfo ENOTFOUND api.example.com")
    first = page.locator("#diagnose-results [data-rule-id]").first
    first.wait_for()
    assert first.get_attribute("data-rule-id") == "dns-enotfound"
    page.goto("/search/?q=ETIMEDOUT")
    result = page.locator("#search-results a.tb-search__title").first
    result.wait_for()
    assert result.get_attribute("href").endswith("rules/etimedout/")
    page.goto("/checklists/http-429/")
    box = page.locator("li#step-1 input[type=checkbox]")
    box.check()
    page.reload()
    assert box.is_checked(), "checklist.js kept the tick"
    assert page.evaluate("window.__violations") == []


def test_markup_that_slipped_past_the_sanitiser_does_not_run(
    browser, real_site: Path, tmp_path: Path
) -> None:
    """Inject an inline handler, an inline script and a javascript: link into a built page:
    the browser refuses all three and reports them."""
    from conftest import _QuietHandler  # the tests' static server

    site = tmp_path / "site"
    shutil.copytree(real_site, site)
    page_file = site / "rules" / "http-429" / "index.html"
    root = lxml.html.parse(str(page_file)).getroot()
    assert root.xpath("//meta[@http-equiv='Content-Security-Policy']")
    text = page_file.read_text(encoding="utf-8").replace(
        "<article",
        '<img src="nowhere.png" onerror="document.title=\'pwned-onerror\'">'
        "<script>document.title='pwned-script'</script>"
        '<a id="evil" href="javascript:document.title=\'pwned-link\'">x</a><article',
        1,
    )
    page_file.write_text(text, encoding="utf-8")
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    # No bypass_csp: the policy is what is under test.
    try:
        tab = context.new_page()
        tab.add_init_script(WATCH)
        tab.goto("/rules/http-429/")
        tab.wait_for_load_state("networkidle")
        tab.click("#evil")
        tab.wait_for_timeout(300)
        assert "pwned" not in tab.title()
        violations = tab.evaluate("window.__violations")
        assert sum(v.startswith("script-src") for v in violations) >= 3, violations
    finally:
        context.close()
        server.shutdown()
        server.server_close()
