"""Real builds, on both engines: complete, warning-free, deterministic, atomic."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import BuildError
from generator.rulebook.loader import load_or_raise
from generator.rulebook.problems import RulebookError
from generator.site.build import build
from generator.site.project import Project

from conftest import ENGINES, ROOT, mutate, project_of, tree_digest

conftest_project_of = project_of

pytestmark = pytest.mark.slow


def test_real_rulebook_builds_every_page(real_site: Path) -> None:
    rb = load_or_raise(ROOT / "rules" / "rulebook.yaml")
    expected = [
        "index.html",
        "faq/index.html",
        "evidence/index.html",
        "boundaries/index.html",
        "glossary/index.html",
        "about/index.html",
        "editors-guide/index.html",
        "review-policy/index.html",
    ]
    expected += [f"rules/{rule.id}/index.html" for rule in rb.rules]
    expected += [f"checklists/{rule.id}/index.html" for rule in rb.rules]
    expected += [f"topics/{layer.id}/index.html" for layer in rb.layers]
    expected += [f"faq/{layer.id}/index.html" for layer in rb.layers]
    missing = [path for path in expected if not (real_site / path).is_file()]
    assert missing == []


def test_real_rulebook_covers_the_required_errors() -> None:
    rb = load_or_raise(ROOT / "rules" / "rulebook.yaml")
    codes = {code.upper() for rule in rb.rules for code in rule.codes}
    for code in (
        "400",
        "401",
        "403",
        "404",
        "429",
        "500",
        "502",
        "503",
        "504",
        "ENOTFOUND",
        "ECONNRESET",
        "ETIMEDOUT",
    ):
        assert code in codes, code
    assert len(rb.evidence) >= 15
    assert len(rb.boundaries) >= 8
    assert {"public", "redact", "never"} == {e.sensitivity for e in rb.evidence}
    assert all(len(rule.faq) >= 2 for rule in rb.rules)


def test_navigation_lists_hubs_only(real_site: Path) -> None:
    # A rule page may link to other rules in its body, but the nav must not list them all.
    html = (real_site / "about" / "index.html").read_text(encoding="utf-8")
    nav = html.split('<nav class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "/rules/http-429/" not in nav
    assert "/checklists/" not in nav
    assert "topics/upstream/" in nav


@pytest.mark.parametrize("engine", ENGINES)
def test_two_builds_are_byte_identical(project: Path, tmp_path: Path, engine: str) -> None:
    on = dataclasses.replace(project_of(project), engine=engine)
    build(on, tmp_path / "one")
    build(on, tmp_path / "two")
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_what_a_build_replaces_is_deleted_by_the_next(project: Path, tmp_path: Path) -> None:
    """The previous site and staged pages are moved aside, out of the site's folder, and
    the next build deletes them while the engine works: nothing piles up."""
    from generator.site.build import staging_dir

    on = project_of(project)
    site = tmp_path / "out" / "site"
    trash = staging_dir(on, site.resolve()) / "trash"
    for number in range(3):
        build(on, site)
        assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "site"]
        # Only the site this build replaced (none the first time): the staged pages it
        # replaced went while the engine worked, with the site the build before replaced.
        assert len(list(trash.iterdir()) if trash.exists() else []) == (1 if number else 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failed_build_leaves_the_previous_site(
    project: Path, tmp_path: Path, engine: str
) -> None:
    def project_of(root: Path) -> Project:
        return dataclasses.replace(conftest_project_of(root), engine=engine)

    site = tmp_path / "out" / "site"
    build(project_of(project), site)
    before = tree_digest(site)
    rules = project / "rules" / "rulebook.yaml"
    rules.write_text(
        mutate(rules.read_text(encoding="utf-8"), ("layer: upstream\n", "layer: nowhere\n")),
        encoding="utf-8",
    )
    with pytest.raises(RulebookError):
        build(project_of(project), site)
    assert tree_digest(site) == before
    # An engine failure (a broken link in hand-written content) is a warning in strict mode.
    rules.write_text((ROOT / "tests/fixtures/small/rulebook.yaml").read_text("utf-8"), "utf-8")
    (project / "content" / "about.md").write_text("[broken](nowhere.md)\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"nowhere\.md"):
        build(project_of(project), site)
    assert tree_digest(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "site"]


def test_content_may_not_shadow_generated_pages(project: Path, tmp_path: Path) -> None:
    (project / "content" / "rules").mkdir()
    (project / "content" / "rules" / "http-429.md").write_text("# hand-made\n", "utf-8")
    with pytest.raises(BuildError, match=r"rules/http-429\.md"):
        build(project_of(project), tmp_path / "site")


def test_build_command_reports_rulebook_errors_without_traceback(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = project / "rules" / "rulebook.yaml"
    rules.write_text(
        mutate(rules.read_text(encoding="utf-8"), ("layer: upstream\n", "layer: nowhere\n")),
        encoding="utf-8",
    )
    code = main(
        [
            "build",
            "--rules",
            str(rules),
            "--config",
            str(project / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "rules[0].layer: unknown layer 'nowhere'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_a_layer_without_rules_gets_no_faq_page_and_no_borrowed_date(project: Path) -> None:
    rules = project / "rules" / "rulebook.yaml"
    rules.write_text(
        mutate(
            rules.read_text(encoding="utf-8"),
            ("layers:\n", "layers:\n  - id: tls\n    title: TLS\n    summary: 证书和握手。\n"),
        ),
        encoding="utf-8",
    )
    site = project / "site"
    build(project_of(project), site)
    assert (site / "topics/tls/index.html").is_file()
    assert not (site / "faq/tls").exists()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    topic = sitemap[sitemap.index("/topics/tls/</loc>") :].split("</url>")[0]
    assert "<lastmod>" not in topic
    faq_hub = (site / "faq/index.md").read_text(encoding="utf-8")
    assert "/faq/tls/" not in faq_hub
    for page in site.rglob("index.html"):
        assert '"mainEntity":[]' not in page.read_text(encoding="utf-8"), page


def test_the_swap_never_leaves_the_site_missing(tmp_path: Path) -> None:
    """A reader of site/ (a web server) must always find it: the swap is one atomic step."""
    import threading

    from generator.site.swap import swap_in

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("0", encoding="utf-8")
    missing: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (site / "index.html").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(1, 200):
            new = tmp_path / ".site.tmp"
            new.mkdir()
            (new / "index.html").write_text(str(i), encoding="utf-8")
            swap_in(new, site)
    finally:
        stop.set()
        watcher.join()
    assert (site / "index.html").read_text(encoding="utf-8") == "199"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert missing == []


def test_an_interrupted_fallback_swap_is_restored(tmp_path: Path) -> None:
    from generator.site.swap import restore_interrupted_swap

    old = tmp_path / ".site.old"
    old.mkdir()
    (old / "index.html").write_text("previous", encoding="utf-8")
    restore_interrupted_swap(tmp_path / "site")
    assert (tmp_path / "site/index.html").read_text(encoding="utf-8") == "previous"


def test_the_benchmark_synthesiser_keeps_redirects_valid(tmp_path: Path) -> None:
    import importlib.util

    from generator.rulebook.loader import load

    from conftest import SMALL

    spec = importlib.util.spec_from_file_location("bench", ROOT / "tests/bench/bench.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    target = tmp_path / "rulebook.yaml"
    bench.synthesise(SMALL, 7, target)
    loaded = load(target)
    assert [p.text() for p in loaded.errors] == []
    assert loaded.rulebook is not None and loaded.rulebook.redirects == {
        "cors-error": "cors-blocked-2"
    }
