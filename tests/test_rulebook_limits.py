"""Limits that hold whatever the rulebook's shape: sizes, nesting, aliases, names and
control characters."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator.rulebook.loader import load

from conftest import ROOT, SMALL, mutate, problems_for, run_cli

pytestmark = pytest.mark.slow


def test_an_oversized_rulebook_is_refused_before_parsing(tmp_path) -> None:
    path = tmp_path / "rulebook.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("version: 1\nnote: |\n")
        line = "  " + "x" * 1000 + "\n"
        for _ in range(21 * 1024):
            fh.write(line)
    started = time.perf_counter()
    (problem,) = load(path, display="rulebook.yaml").problems
    assert time.perf_counter() - started < 1.0
    assert problem.text().startswith("rulebook.yaml:1:1: file is 21,")
    assert problem.text().endswith(
        "bytes; the limit is 20,971,520 (split long texts or remove pasted logs)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "version: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "version:\n" + "- " * 200_000 + "x\n",
        "version: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
    ],
    ids=["flow-sequences", "compact-sequences", "flow-mappings"],
)
def test_absurd_nesting_fails_cleanly_and_fast(tmp_path, text: str) -> None:
    """Judged on behaviour: whichever layer notices first (our depth pre-check or the
    parser's own limit), the editor gets one located line and exit 1, fast, no traceback.
    Without the pre-check PyYAML's composer overflows the C stack (a segfault)."""
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--rules", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert time.perf_counter() - started < 10
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    (line,) = out.stdout.splitlines()
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: .*nesting.*", line), line
    assert out.stderr.strip() == "1 error(s), 0 warning(s)"


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nlayers: " + "[" * 40 + "]" * 40 + "\n",
        "version: 1\nlayers:\n" + "".join("  " * i + "- \n" for i in range(1, 40)),
    ],
    ids=["flow", "block"],
)
def test_our_own_depth_limit_holds_where_the_parser_has_none(tmp_path, text: str) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    problems = [p.text() for p in load(path, display="r.yaml").problems]
    deep = [p for p in problems if p.endswith("nesting deeper than 32 levels is not allowed")]
    assert len(deep) == 1, problems
    assert re.match(r"r\.yaml:\d+:\d+: ", deep[0])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('codes: ["429", "rate_limit_exceeded"]', 'codes: ["../../etc/passwd"]'),
            "rules[0].codes[0]: '../../etc/passwd' is not a valid code",
        ),
        (
            ('codes: ["429", "rate_limit_exceeded"]', 'codes: ["/tmp/x"]'),
            "rules[0].codes[0]: '/tmp/x' is not a valid code",
        ),
        (
            ('codes: ["429", "rate_limit_exceeded"]', 'codes: ["a\\0b"]'),
            "rules[0].codes[0]: 'a\\x00b' is not a valid code",  # shown escaped
        ),
        (
            ('codes: ["429", "rate_limit_exceeded"]', 'codes: ["NUL"]'),
            "rules[0].codes[0]: 'NUL' is a reserved file name on Windows "
            "(choose another id or code)",
        ),
        (
            ('codes: ["429", "rate_limit_exceeded"]', 'codes: ["429."]'),
            "rules[0].codes[0]: '429.' is not a valid code",
        ),
        (
            ("  - id: http-429\n", "  - id: con\n"),
            "rules[0].id: 'con' is a reserved file name on Windows (choose another id or code)",
        ),
        (("  - id: http-429\n", "  - id: ../x\n"), "rules[0].id: '../x' is not a valid id"),
        (
            ("  cors-error: cors-blocked\n", "  ../../x: cors-blocked\n"),
            "rulebook.yaml:138:3: redirects.../../x: '../../x' is not a valid id",
        ),
        (("codes: [CORS]", 'codes: [cors-429, "429"]'), None),
    ],
    ids=[
        "dotdot",
        "absolute",
        "nul",
        "windows-code",
        "trailing-dot",
        "windows-id",
        "id-dotdot",
        "redirect-dotdot",
        "plain-codes-pass",
    ],
)
def test_values_that_become_file_names_are_validated(tmp_path, small_text, edit, message) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(mutate(small_text, edit), encoding="utf-8")
    texts = [
        p.text() for p in load(path, display="rulebook.yaml").problems if p.severity == "error"
    ]
    if message is None:
        assert texts == []
    else:
        assert any(message in text for text in texts), texts


def test_case_variants_of_a_code_are_refused(tmp_path, small_text) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(mutate(small_text, ("codes: [CORS]", "codes: [enotfound]")), "utf-8")
    assert [p.text() for p in load(path, display="rulebook.yaml").problems] == [
        "rulebook.yaml:110:13: rules[2].codes[0]: code 'enotfound' is spelled 'ENOTFOUND' "
        "elsewhere (use one spelling: codes become file names, and some file systems ignore case)"
    ]


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("document", ["null\n", "~\n", "--- null\n"])
def test_a_null_document_is_not_a_rulebook(tmp_path: Path, document: str) -> None:
    (found,) = problems_for(tmp_path, document, errors_only=True)
    assert found.startswith("rulebook.yaml:1:")
    assert found.endswith(": the rulebook must be a mapping of keys")


@pytest.mark.parametrize("value", ["true", "1.0", "'1'", "2"])
def test_only_the_integer_1_is_a_version(tmp_path: Path, small_text: str, value: str) -> None:
    found = problems_for(
        tmp_path, errors_only=True, text=mutate(small_text, ("version: 1\n", f"version: {value}\n"))
    )
    assert any("version" in p for p in found), found


def test_a_device_that_never_ends_is_not_read(tmp_path: Path) -> None:
    started = time.perf_counter()
    done = run_cli("check", "--rules", "/dev/zero")
    assert done.returncode == 1
    assert done.stdout.startswith("/dev/zero:1:1: cannot read file: not a regular file")
    assert time.perf_counter() - started < 10


def test_thousands_of_aliases_give_a_capped_report(tmp_path: Path) -> None:
    text = "a: &a x\nitems:\n" + "".join("  - *a\n" for _ in range(50_000))
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    done = run_cli("check", "--rules", str(path))
    assert time.perf_counter() - started < 20
    lines = done.stdout.splitlines()
    assert len(lines) <= 201
    assert "more problem(s) not shown" in lines[-1]


def test_thousands_of_duplicate_keys_give_a_capped_report(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\n" * 20_000, encoding="utf-8")
    done = run_cli("check", "--rules", str(path))
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 201
    assert "duplicate key 'version'" in done.stdout.splitlines()[1]
    assert int(done.stderr.split()[0]) >= 19_999  # every one is counted


@pytest.mark.parametrize("indicator", ["-    ", "-  ", "?    ", "- ?   "])
def test_wide_compact_nesting_is_measured_before_parsing(indicator: str) -> None:
    from generator.rulebook.yamltraps import too_deep

    assert too_deep("version:\n" + indicator * 50_000 + "x\n") is not None


def test_too_many_pages_for_one_sitemap_are_refused_at_check(tmp_path, monkeypatch) -> None:
    from generator.rulebook import checks

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
    assert problems_for(tmp_path, text, errors_only=True) == [
        "rulebook.yaml:115:14: rules[2].meaning: contains the control character U+001B "
        "(remove it; escapes such as \\x1b or \\u0007 in quoted text produce one)"
    ]


def test_check_never_prints_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text('version: 1\nlayers:\n  - id: "\\x1b]0;pwned\\x07x"\n', encoding="utf-8")
    done = run_cli("check", "--rules", str(path))
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b]0;pwned\\x07x" in done.stdout


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("  - id: http-429\n", "  - id: index\n"), "rules[0].id"),
        (("  - id: upstream\n", "  - id: index\n"), "layers[2].id"),
        (("  cors-error: cors-blocked\n", "  index: cors-blocked\n"), "redirects.index"),
    ],
)
def test_no_id_can_replace_a_hub(tmp_path: Path, small_text: str, edit, where: str) -> None:
    found = problems_for(tmp_path, mutate(small_text, edit), errors_only=True)
    assert any(f"{where}: 'index' is reserved: it is the address of a hub page" in p for p in found)
