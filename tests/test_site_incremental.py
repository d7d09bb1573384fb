"""serve's fast rebuild: an edit to rules renders only the pages that show it, and the
site it leaves (after the background refresh of the machine-readable files) is the site
a whole build makes, file for file; anything the fast path cannot take goes whole."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.config import load_settings
from generator.render.page import Page
from generator.render.pages import plan_pages
from generator.render.templating import Templates
from generator.rulebook.loader import load_or_raise
from generator.rulebook.model import Rulebook
from generator.site.build import Project, build
from generator.site.incremental import pages_to_render, refresh_outputs, update

from conftest import ROOT, tree_digest

RULES = ROOT / "rules" / "rulebook.yaml"
NEWEST = re.compile(r"reviewed: '?\d{4}-\d\d-\d\d'?")


def copy_project(target: Path) -> Path:
    for name in ("rules", "content", "content.en"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def rule_block(text: str, rule_id: str) -> tuple[int, int]:
    """Where rule ``rule_id`` is written in a rulebook (``- id: x``) or a translation
    (``x:``)."""
    rules = text.index("\nrules:")
    found = re.compile(rf"^( *)(?:- id: {re.escape(rule_id)}|{re.escape(rule_id)}:)$", re.M)
    at = found.search(text, rules)
    assert at, f"no rule {rule_id}"
    following = re.compile(rf"^{at[1]}(?:- id: |[\w-]+:$)", re.M).search(text, at.end())
    return at.start(), following.start() if following else len(text)


def edit_rule(text: str, rule_id: str, old: str, new: str) -> str:
    start, end = rule_block(text, rule_id)
    block = text[start:end]
    assert block.count(old) >= 1, f"{rule_id} has no {old!r}"
    return text[:start] + block.replace(old, new, 1) + text[end:]


def related_to(rule_id: str) -> list[str]:
    rb = load_or_raise(RULES)
    return [rule.id for rule in rb.rules if rule_id in rule.related]


def test_fast_rebuild_makes_the_whole_builds_site(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    project = Project.at(root)
    fast_site, whole_site = tmp_path / "fast", tmp_path / "whole"
    last = build(project, fast_site)
    target = "http-429"
    pointing = related_to(target)
    assert pointing, "the rulebook should relate some rule to http-429"
    rules, english = root / "rules" / "rulebook.yaml", root / "rules" / "rulebook.en.yaml"
    rules.write_text(
        edit_rule(rules.read_text("utf-8"), target, "title: ", "title: 改过的 "), "utf-8"
    )
    english.write_text(
        edit_rule(english.read_text("utf-8"), "http-401", "summary: '", "summary: 'Edited. "),
        "utf-8",
    )
    fast = update(project, last)
    assert fast is not None, "an edit of two rules should not need the whole build"
    state, pages = fast
    written = {p.relative_to(fast_site).as_posix() for p in pages}
    assert f"rules/{target}/index.html" in written
    assert f"checklists/{target}/index.html" in written
    assert {f"rules/{rule}/index.html" for rule in pointing} <= written  # they print its title
    assert "en/rules/http-401/index.html" in written
    # A rule no edit touches, and one that nothing edited relates to, was left alone.
    untouched = fast_site / "rules" / "dns-enotfound" / "index.html"
    assert "rules/dns-enotfound/index.html" not in written
    assert untouched.stat().st_mtime_ns < min(p.stat().st_mtime_ns for p in pages)
    assert "改过的" in (fast_site / "rules" / target / "index.html").read_text("utf-8")
    refresh_outputs([staged.context for staged in state.staged], fast_site, state.policy)
    build(project, whole_site)
    fast_files, whole_files = tree_digest(fast_site), tree_digest(whole_site)
    assert fast_files.keys() == whole_files.keys()
    differ = sorted(p for p in fast_files if fast_files[p] != whole_files[p])
    assert differ == [], f"the fast rebuild left files unlike a whole build's: {differ[:10]}"


def _pages(text: str, folder: Path) -> tuple[Rulebook, list[Page]]:
    path = folder / "rulebook.yaml"
    path.write_text(text, "utf-8")
    rb = load_or_raise(path)
    settings = load_settings(ROOT / "mkdocs.yml")
    t = Templates.of_project(ROOT).messages(settings.language)
    return rb, plan_pages(rb, settings, t)


def _moved_first(text: str, rule_id: str) -> str:
    """``rule_id`` moved to the front of the rules."""
    start, end = rule_block(text, rule_id)
    block, rest = text[start:end], text[:start] + text[end:]
    first = rest.index("\n", rest.index("\nrules:") + 1) + 1
    return rest[:first] + block + rest[first:]


@pytest.mark.parametrize(
    ("what", "edit"),
    [
        ("a layer's title", lambda s: s.replace("title: 客户端配置", "title: 客户端", 1)),
        ("a glossary definition", lambda s: s.replace("definition: ", "definition: 新 ", 1)),
        (
            "the order of rules",
            lambda s: _moved_first(s, "http-429"),
        ),
        (
            "the newest review date",
            lambda s: re.sub(
                r"reviewed: '?\d{4}-\d\d-\d\d'?", "reviewed: '2099-01-01'", s, count=1
            ),
        ),
    ],
)
def test_what_only_a_whole_build_can_take(what: str, edit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = RULES.read_text("utf-8")
    changed = edit(text)
    assert changed != text, f"the edit of {what} found nothing to change"
    old, _ = _pages(text, tmp_path)
    new, pages = _pages(changed, tmp_path)
    assert pages_to_render(old, new, pages) is None, what


def test_a_rule_edit_renders_its_pages_and_the_shared_ones(tmp_path: Path) -> None:
    text = RULES.read_text("utf-8")
    old, _ = _pages(text, tmp_path)
    new, pages = _pages(edit_rule(text, "http-502", "summary: ", "summary: 改 "), tmp_path)
    chosen = pages_to_render(old, new, pages)
    assert chosen is not None
    own = {p.src for p in chosen if p.kind in ("rule", "checklist")}
    expected = {"http-502", *related_to("http-502")}
    assert own == {f"{d}/{r}.md" for r in expected for d in ("rules", "checklists")}
    shared = [p for p in pages if p.kind not in ("rule", "checklist")]
    assert shared and all(p in chosen for p in shared)
    assert pages_to_render(old, old, pages) is not None  # nothing changed: shared pages only


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """`triagebook serve` on a copy of the project: its address, the project, its log."""
    root = copy_project(tmp_path / "project")
    port, log = _free_port(), tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "serve",
                "--project",
                str(root),
                "--dev-addr",
                f"127.0.0.1:{port}",
            ],
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "Serving on" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", root, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_reloads_the_browser_under_the_sites_policy(browser, serving) -> None:  # type: ignore[no-untyped-def]
    """A tab that keeps the content security policy sees an edit without reloading by hand:
    the live-reload script is served as a file, which the policy admits."""
    address, root, log = serving
    context = browser.new_context(base_url=address)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        tab.goto("/rules/http-429/")
        heading = tab.locator("h1")
        before = heading.inner_text()
        tab.wait_for_timeout(500)  # the page has started polling for a newer build
        rules = root / "rules" / "rulebook.yaml"
        rules.write_text(
            edit_rule(rules.read_text("utf-8"), "http-429", "title: ", "title: 改过 "), "utf-8"
        )
        tab.locator("h1", has_text="改过").wait_for(timeout=60_000)
        assert heading.inner_text() != before
        assert errors == [], errors
        said = log.read_text()
        assert re.search(r"rebuilt \d+ pages in", said), said[-2000:]  # the fast path
        # The machine-readable files follow in the background: llms.txt names the new title.
        deadline = time.monotonic() + 120
        while "改过" not in _fetch(f"{address}/llms.txt"):
            assert time.monotonic() < deadline, "the background refresh never wrote llms.txt"
            time.sleep(0.5)
    finally:
        context.close()
