"""Hostile input and an unlucky environment, second round: every command answers with a
located message or one clear line and the right exit status, never a traceback."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator.build import Project, build
from generator.errors import BuildError
from generator.loader import load

from conftest import ROOT, SMALL, mutate

pytestmark = pytest.mark.slow


def cli(*args: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "TRIAGEBOOK_DEBUG": ""},
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    return [p.text() for p in load(path, display="rulebook.yaml").errors]


# ---- limits that hold whatever the shape --------------------------------------------------------


@pytest.mark.parametrize("document", ["null\n", "~\n", "--- null\n"])
def test_a_null_document_is_not_a_rulebook(tmp_path: Path, document: str) -> None:
    (found,) = problems(tmp_path, document)
    assert found.startswith("rulebook.yaml:1:")
    assert found.endswith(": the rulebook must be a mapping of keys")


@pytest.mark.parametrize("value", ["true", "1.0", "'1'", "2"])
def test_only_the_integer_1_is_a_version(tmp_path: Path, small_text: str, value: str) -> None:
    found = problems(tmp_path, mutate(small_text, ("version: 1\n", f"version: {value}\n")))
    assert any("version" in p for p in found), found


def test_a_device_that_never_ends_is_not_read(tmp_path: Path) -> None:
    started = time.perf_counter()
    done = cli("check", "--rules", "/dev/zero")
    assert done.returncode == 1
    assert done.stdout.startswith("/dev/zero:1:1: cannot read file: not a regular file")
    assert time.perf_counter() - started < 10


def test_thousands_of_aliases_give_a_capped_report(tmp_path: Path) -> None:
    text = "a: &a x\nitems:\n" + "".join("  - *a\n" for _ in range(50_000))
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    done = cli("check", "--rules", str(path))
    assert time.perf_counter() - started < 20
    lines = done.stdout.splitlines()
    assert len(lines) <= 201
    assert "more problem(s) not shown" in lines[-1]


def test_thousands_of_duplicate_keys_give_a_capped_report(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\n" * 20_000, encoding="utf-8")
    done = cli("check", "--rules", str(path))
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 201
    assert "duplicate key 'version'" in done.stdout.splitlines()[1]
    assert int(done.stderr.split()[0]) >= 19_999  # every one is counted


@pytest.mark.parametrize("indicator", ["-    ", "-  ", "?    ", "- ?   "])
def test_wide_compact_nesting_is_measured_before_parsing(indicator: str) -> None:
    from generator.yamlsource import _too_deep

    assert _too_deep("version:\n" + indicator * 50_000 + "x\n") is not None


def test_too_many_pages_for_one_sitemap_are_refused_at_check(tmp_path, monkeypatch) -> None:
    from generator import checks

    monkeypatch.setattr(checks, "MAX_SITE_URLS", 100)  # 50,000 URLs take 25,000 rules
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    template = data["rules"][1]
    data["rules"] = [{**copy.deepcopy(template), "id": f"r{i}"} for i in range(60)]
    data["redirects"] = {}
    path = tmp_path / "rulebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    found = [p.text() for p in load(path, display="r.yaml").errors]
    assert found == [
        "r.yaml:45:1: rules: the site would have about 146 page URLs; one sitemap holds 100 "
        "(split the knowledge base into several sites)"
    ]


def test_escaped_control_characters_are_refused(tmp_path: Path, small_text: str) -> None:
    text = mutate(small_text, ("meaning: 这不是密钥错误。", 'meaning: "红\\x1b[31m字\\u0007"'))
    assert problems(tmp_path, text) == [
        "rulebook.yaml:115:14: rules[2].meaning: contains the control character U+001B "
        "(remove it; escapes such as \\x1b or \\u0007 in quoted text produce one)"
    ]


def test_check_never_prints_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text('version: 1\nlayers:\n  - id: "\\x1b]0;pwned\\x07x"\n', encoding="utf-8")
    done = cli("check", "--rules", str(path))
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b]0;pwned\\x07x" in done.stdout


# ---- paths and the file system -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("  - id: http-429\n", "  - id: index\n"), "rules[0].id"),
        (("  - id: upstream\n", "  - id: index\n"), "layers[2].id"),
        (("  cors-error: cors-blocked\n", "  index: cors-blocked\n"), "redirects.index"),
    ],
)
def test_no_id_can_replace_a_hub(tmp_path: Path, small_text: str, edit, where: str) -> None:
    found = problems(tmp_path, mutate(small_text, edit))
    assert any(f"{where}: 'index' is reserved: it is the address of a hub page" in p for p in found)


def test_a_symlink_out_of_the_project_is_not_published(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp_path = tmp_path_factory.mktemp("elsewhere")
    secret = tmp_path / "secret.txt"
    secret.write_text("password", encoding="utf-8")
    (project / "content" / "leak.md").symlink_to(secret)
    with pytest.raises(BuildError, match=r"content/leak\.md links outside the project"):
        build(Project(project / "rules/rulebook.yaml", project / "mkdocs.yml"), tmp_path / "s")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_broken_symlinks_in_content_are_one_message(project: Path, kind: str) -> None:
    link = project / "content" / "broken"
    link.symlink_to(project / "missing" if kind == "dangling" else link)
    done = cli("build", "--rules", "rules/rulebook.yaml", "--config", "mkdocs.yml", cwd=project)
    assert done.returncode == 1
    assert "content/broken: broken symbolic link" in done.stderr


def test_a_symlink_inside_the_project_is_fine(project: Path, tmp_path: Path) -> None:
    (project / "shared").mkdir()
    (project / "shared" / "note.md").write_text("# Note\n\nShared.\n", encoding="utf-8")
    (project / "content" / "shared").symlink_to(project / "shared")
    site = tmp_path / "s"
    build(Project(project / "rules/rulebook.yaml", project / "mkdocs.yml"), site)
    assert (site / "shared" / "note" / "index.html").is_file()


@pytest.mark.parametrize("target", [".", "rules", "content", "content/sub", "site_templates", ".."])
def test_a_site_directory_overlapping_a_source_is_refused(project: Path, target: str) -> None:
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    done = cli("build", "--site-dir", target, cwd=project)
    assert done.returncode == 1
    assert "would overlap" in done.stderr and "choose a folder of its own" in done.stderr
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == before


def test_a_site_directory_on_another_filesystem_builds(project: Path) -> None:
    other = Path("/dev/shm")
    if not other.is_dir() or other.stat().st_dev == project.stat().st_dev:
        pytest.skip("no second filesystem here")
    site = other / f"triagebook-test-{os.getpid()}" / "site"
    try:
        for _ in range(2):  # the second build swaps an existing site
            build(Project(project / "rules/rulebook.yaml", project / "mkdocs.yml"), site)
        assert (site / "index.html").is_file() and (site / "llms.txt").is_file()
        assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "site"]
    finally:
        import shutil

        shutil.rmtree(site.parent, ignore_errors=True)


# ---- the environment ----------------------------------------------------------------------------


def test_environment_mistakes_are_one_line(project: Path, tmp_path: Path) -> None:
    config = project / "mkdocs.yml"
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    cases = [
        (["build", "--config", str(tmp_path)], 1, "cannot read the site settings"),
        (["build", "--site-dir", str(tmp_path / "a-file" / "site")], 1, "cannot build the site"),
        (["serve", "--dev-addr", "nonsense"], 2, "expected HOST:PORT"),
        (["serve", "--dev-addr", "127.0.0.1:99999"], 2, "expected HOST:PORT"),
        (["publish", "--timeout", "soon"], 2, "invalid float value"),
    ]
    for args, status, message in cases:
        done = cli(*args, cwd=project)
        assert (done.returncode, message in done.stderr) == (status, True), (args, done.stderr)
    config.write_text(config.read_text("utf-8") + "\nextra: [1]\n", encoding="utf-8")
    done = cli("build", cwd=project)
    assert done.returncode == 1
    assert "'extra' must be a mapping, got list" in done.stderr


def test_missing_templates_are_one_message(project: Path) -> None:
    import shutil

    shutil.rmtree(project / "site_templates" / "pages")
    done = cli("build", cwd=project)
    assert done.returncode == 1
    assert done.stderr.count("\n") <= 3, done.stderr


# ---- editors' tools -----------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-p", "HEAD ~1", "a\nb"])
def test_diff_refuses_refs_that_git_would_read_as_options(ref: str) -> None:
    done = cli("diff", "--base", ref)
    assert done.returncode == 2  # usage: git is never asked
    assert "not a git revision" in done.stderr or "expected one argument" in done.stderr


def test_diff_leaves_no_copy_of_the_old_rulebook(tmp_path: Path) -> None:
    before = set(Path(tempfile_dir()).glob("triagebook-diff-*"))
    done = cli("diff", "--base", "HEAD")
    assert done.returncode == 0, done.stderr
    assert set(Path(tempfile_dir()).glob("triagebook-diff-*")) == before


def tempfile_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


def test_diff_markdown_keeps_changed_text_in_its_code_span(tmp_path, small_text) -> None:
    from markdown_it import MarkdownIt

    old = tmp_path / "old.yaml"
    old.write_text(small_text, encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(
        mutate(small_text, ("  - term: Retry-After\n", "  - term: 'x` <img src=x> `y'\n")),
        encoding="utf-8",
    )
    done = cli("diff", str(old), str(new), "--format", "markdown")
    tokens = MarkdownIt("commonmark", {"html": True}).parse(done.stdout)
    inline = [c for t in tokens for c in (t.children or [])]
    assert not [t for t in inline if t.type == "html_inline" and "img" in t.content]
    assert any(t.type == "code_inline" and "<img src=x>" in t.content for t in inline)
