"""The editors' workflow: annotations, change summaries, stale reviews, pre-commit."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.cli import main

from conftest import ROOT, SMALL, mutate, run_cli

BAD = [
    ("layer: upstream\n", "layer: upstrem\n"),
    ("    owner: support-team\n", "    owner: support-team\n    ownr: x\n"),
]


@pytest.fixture
def bad_rules(tmp_path: Path, small_text: str) -> Path:
    path = tmp_path / "rulebook.yaml"
    path.write_text(mutate(small_text, *BAD), encoding="utf-8")
    return path


def test_check_github_format_annotates_lines(bad_rules: Path, capsys) -> None:
    assert (
        main(["check", "--rules", str(bad_rules), "--format", "github", "--today", "2026-11-22"])
        == 1
    )
    assert capsys.readouterr().out.splitlines() == [
        f"::error file={bad_rules},line=49,col=12::rules[0].layer: unknown layer 'upstrem' "
        "(did you mean 'upstream'?)",
        f"::warning file={bad_rules},line=83,col=5::rules[0].ownr: unknown key 'ownr' "
        "(did you mean 'owner'?)",
    ]


def test_check_json_format_lists_every_field(bad_rules: Path, capsys) -> None:
    assert (
        main(["check", "--rules", str(bad_rules), "--format", "json", "--today", "2026-11-22"]) == 1
    )
    assert json.loads(capsys.readouterr().out) == [
        {
            "file": str(bad_rules),
            "line": 49,
            "column": 12,
            "path": "rules[0].layer",
            "severity": "error",
            "message": "unknown layer 'upstrem'",
            "hint": "did you mean 'upstream'?",
        },
        {
            "file": str(bad_rules),
            "line": 83,
            "column": 5,
            "path": "rules[0].ownr",
            "severity": "warning",
            "message": "unknown key 'ownr'",
            "hint": "did you mean 'owner'?",
        },
    ]


def test_clean_json_check_prints_an_empty_list(tmp_path: Path, small_text: str, capsys) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(small_text, encoding="utf-8")
    assert main(["check", "--rules", str(path), "--format", "json", "--today", "2026-11-22"]) == 0
    assert json.loads(capsys.readouterr().out) == []


# ---- diff -------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def diff(tmp_path: Path, old: str, new: str, fmt: str, capsys) -> str:
    args = [
        "diff",
        "--config",
        str(ROOT / "mkdocs.yml"),
        str(write(tmp_path, "old.yaml", old)),
        str(write(tmp_path, "new.yaml", new)),
        "--format",
        fmt,
    ]
    assert main(args) == 0
    return capsys.readouterr().out


SITE = "https://triagebook.example.com/"


def test_diff_of_a_changed_rule_names_fields_and_urls(tmp_path, small_text, capsys) -> None:
    new = mutate(
        small_text,
        (
            "summary: 客户端找不到 API 域名对应的地址。先用 nslookup 检查域名。",
            "summary: 客户端解析不到 API 域名。先用 dig 检查。",
        ),
    )
    out = diff(tmp_path, small_text, new, "text", capsys)
    lines = out.splitlines()
    assert lines[0] == "rule dns-enotfound: changed: summary"
    assert lines[1] == "2 page URL(s) affected:"
    assert lines[2:4] == [
        f"  {SITE}checklists/dns-enotfound/",
        f"  {SITE}rules/dns-enotfound/",
    ]
    # rules.json, rules/dns-enotfound.json, codes/ENOTFOUND.json and its lowercase name,
    # and diagnose.json (summaries are indexed)
    assert lines[4] == "5 API document(s) affected"


def test_diff_of_an_added_rule(tmp_path, small_text, capsys) -> None:
    end = small_text.index("redirects:\n")
    block = small_text[small_text.index("  - id: cors-blocked\n") : end]
    new = (
        small_text[:end]
        + block.replace("id: cors-blocked", "id: cors-preflight")
        + small_text[end:]
    )
    out = diff(tmp_path, small_text, new, "text", capsys)
    assert out.splitlines()[0] == "rule cors-preflight: added"
    assert f"  {SITE}rules/cors-preflight/" in out.splitlines()


def test_diff_flags_a_removed_rule_without_redirect(tmp_path, small_text, capsys) -> None:
    start = small_text.index("  - id: cors-blocked\n")
    end = small_text.index("redirects:\n")
    new = (small_text[:start] + small_text[end:]).replace("related: [dns-enotfound]", "related: []")
    new = new.replace("related: [http-429]", "related: []").replace(
        "  cors-error: cors-blocked\n", "  cors-error: http-429\n"
    )
    out = diff(tmp_path, small_text, new, "markdown", capsys)
    assert "| `cors-blocked` | removed WITHOUT a redirect: its URLs will return 404 |" in out
    assert (
        "> `cors-blocked` was removed without a redirect: `/rules/cors-blocked/` and "
        "`/checklists/cors-blocked/` will return 404."
    ) in out


def test_diff_of_a_rename_with_redirect(tmp_path, small_text, capsys) -> None:
    new = (
        small_text.replace("id: cors-blocked", "id: browser-cors")
        .replace("related: [http-429]", "related: [http-429]")
        .replace(
            "  cors-error: cors-blocked\n",
            "  cors-error: browser-cors\n  cors-blocked: browser-cors\n",
        )
    )
    out = diff(tmp_path, small_text, new, "text", capsys)
    lines = out.splitlines()
    assert lines[:2] == [
        "rule browser-cors: added",
        "rule cors-blocked: renamed to browser-cors (redirect declared)",
    ]
    assert "warning" not in out
    assert f"  {SITE}rules/cors-blocked/" in lines  # now a redirect page


def test_diff_against_a_git_base(tmp_path: Path, small_text: str, capsys) -> None:
    rules = tmp_path / "rules" / "rulebook.yaml"
    rules.parent.mkdir()
    rules.write_text(small_text, encoding="utf-8")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    rules.write_text(
        mutate(small_text, ("title: 浏览器 CORS 拦截", "title: 浏览器跨域拦截")), "utf-8"
    )
    assert (
        main(
            ["diff", "--base", "HEAD", "--rules", str(rules), "--config", str(ROOT / "mkdocs.yml")]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith("rule cors-blocked: changed: title\n")


def test_diff_usage_errors_exit_2(capsys) -> None:
    assert main(["diff"]) == 2
    assert "diff needs OLD and NEW rulebooks, or --base GITREF" in capsys.readouterr().err


# ---- stale reviews ----------------------------------------------------------------------------


def test_report_stale_lists_owners(capsys) -> None:
    assert main(["report", "stale", "--rules", str(SMALL), "--today", "2027-04-01"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 rule(s) due for review on 2027-04-01 (interval 180 days):",
        "  cors-blocked   owner -              reviewed 2026-09-15  18 day(s) overdue",
        "  dns-enotfound  owner -              reviewed 2026-10-01  2 day(s) overdue",
    ]


# ---- pre-commit -------------------------------------------------------------------------------


def test_pre_commit_hook_entry_runs_on_a_fixture(tmp_path: Path, small_text: str) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    (tmp_path / "rules").mkdir()
    rules = tmp_path / "rules" / "rulebook.yaml"
    assert re.search(hook["files"], "rules/rulebook.yaml")
    entry = shlex.split(hook["entry"])
    script = Path(sys.executable).parent / entry[0]
    assert script.exists(), "the console script of the hook entry is installed"
    rules.write_text(small_text, encoding="utf-8")
    ok = subprocess.run(
        [str(script), *entry[1:]], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    rules.write_text(mutate(small_text, ("layer: upstream\n", "layer: upstrem\n")), "utf-8")
    bad = subprocess.run(
        [str(script), *entry[1:]], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "rules/rulebook.yaml:49:12: rules[0].layer: unknown layer 'upstrem'" in bad.stdout


def test_this_repository_guards_the_schema_on_commit() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    schema = hooks["triagebook-schema"]
    assert schema["entry"].endswith("triagebook schema --check")
    assert re.search(schema["files"], "generator/model.py")


# ---- the editors' schema ---------------------------------------------------------------------


def test_the_committed_schema_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "schema" / "rulebook.schema.json"
    assert main(["schema", "--check", "--output", str(path)]) == 0, capsys.readouterr().err


def test_a_stale_schema_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads((ROOT / "schema" / "rulebook.schema.json").read_text(encoding="utf-8"))
    del schema["properties"]["redirects"]  # as main had it
    stale = tmp_path / "rulebook.schema.json"
    stale.write_text(json.dumps(schema), encoding="utf-8")
    assert main(["schema", "--check", "--output", str(stale)]) == 1
    assert f"{stale} is stale: run `triagebook schema` and commit it" in capsys.readouterr().err
    assert main(["schema", "--output", str(stale)]) == 0
    assert main(["schema", "--check", "--output", str(stale)]) == 0


# ---- glossary ---------------------------------------------------------------------------------


def test_glossary_links_only_the_first_mention_outside_code() -> None:
    from generator.render.glossary import Glossary
    from generator.render.markdown_text import to_html, twin_markdown
    from generator.rulebook.loader import load_or_raise

    glossary = Glossary(load_or_raise(SMALL))
    seen: set[str] = set()

    def gloss(text: str) -> list[tuple[str, str | None]]:
        return [(p, f"glossary/#{a}" if a else None) for p, a in glossary.split(text, seen)]

    text = "看 `Retry-After` 头；Retry-After 告诉你等多久，retry-after 只链接一次。"
    assert twin_markdown(to_html(text), str, gloss) == (
        "看 `Retry-After` 头；[Retry-After](glossary/#term-retry-after) 告诉你等多久，"
        "retry-after 只链接一次。"
    )
    assert twin_markdown(to_html("再说 Retry-After。"), str, gloss) == "再说 Retry-After。"
    assert glossary.split("Retry-Afterwards", set()) == [("Retry-Afterwards", None)]


def test_rule_pages_link_glossary_terms(real_site: Path) -> None:
    import lxml.html

    page = lxml.html.parse(str(real_site / "rules" / "cors-blocked" / "index.html"))
    assert page.xpath('count(//a[@href="../../glossary/#term-cors"])') == 1
    glossary = (real_site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert 'id="term-cors"' in glossary


# ---- hostile input to the editors' tools ---------------------------------------------------


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-p", "HEAD ~1", "a\nb"])
def test_diff_refuses_refs_that_git_would_read_as_options(ref: str) -> None:
    done = run_cli("diff", "--base", ref)
    assert done.returncode == 2  # usage: git is never asked
    assert "not a git revision" in done.stderr or "expected one argument" in done.stderr


def test_diff_leaves_no_copy_of_the_old_rulebook(tmp_path: Path) -> None:
    before = set(Path(tempfile_dir()).glob("triagebook-diff-*"))
    done = run_cli("diff", "--base", "HEAD")
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
    done = run_cli("diff", str(old), str(new), "--format", "markdown")
    tokens = MarkdownIt("commonmark", {"html": True}).parse(done.stdout)
    inline = [c for t in tokens for c in (t.children or [])]
    assert not [t for t in inline if t.type == "html_inline" and "img" in t.content]
    assert any(t.type == "code_inline" and "<img src=x>" in t.content for t in inline)
