"""Translations as a translator meets them: an overlay file beside the rulebook, checked
like it with file:line:column, missing and stale texts reported as warnings, stamped by
`triagebook translations --stamp` without losing a comment, and built under /en/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, mutate, run_cli

pytestmark = pytest.mark.slow

OVERLAY = FIXTURES / "overlays" / "rulebook.en.yaml"


@pytest.fixture
def translated(project: Path) -> Path:
    shutil.copy(OVERLAY, project / "rules" / "rulebook.en.yaml")
    return project


def check(project: Path, *args: str) -> tuple[int, list[dict]]:
    done = run_cli("check", "--format", "json", *args, cwd=project)
    return done.returncode, json.loads(done.stdout)


def overlay_text(project: Path) -> str:
    return (project / "rules" / "rulebook.en.yaml").read_text(encoding="utf-8")


def write_overlay(project: Path, text: str) -> None:
    (project / "rules" / "rulebook.en.yaml").write_text(text, encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_complete_translation_checks_clean_and_builds_an_english_edition(
    translated: Path,
) -> None:
    assert check(translated, "--strict") == (0, [])
    done = run_cli("build", cwd=translated)
    assert done.returncode == 0, done.stderr
    page = (translated / "site" / "en" / "rules" / "http-429" / "index.html").read_text("utf-8")
    assert "429 Too Many Requests: you are being rate limited" in page
    assert '<html lang="en"' in page


def test_missing_texts_are_warnings_located_in_the_overlay(translated: Path) -> None:
    text = overlay_text(translated)
    text = mutate(
        text,
        ("    retry_note: Never resubmit an expensive generation job automatically.\n", ""),
        ("  full-api-key:\n    label: The whole API key\n    how: Never share it.\n", ""),
    )
    write_overlay(translated, text)
    status, problems = check(translated)
    assert status == 0, "missing translations do not fail a check"
    found = {(p["severity"], p["file"], p["message"]) for p in problems}
    assert ("warning", "rules/rulebook.en.yaml", "no translation of retry_note") in found
    assert (
        "warning",
        "rules/rulebook.en.yaml",
        "no translation of evidence 'full-api-key'",
    ) in found
    where = next(p for p in problems if p["message"].endswith("retry_note"))
    assert where["line"] == line_of(text, "  http-429:") + 1  # the entry's first field
    assert check(translated, "--strict")[0] == 1


def test_wrong_shapes_are_errors_with_line_and_column(translated: Path) -> None:
    text = mutate(
        overlay_text(translated),
        ("      - Send fewer requests at once.\n", ""),  # one checklist step short
        ("  cors-blocked:\n", "  cors-blocks:\n"),  # a rule id that does not exist
        ("    title: DNS resolution\n", "    title: [DNS, resolution]\n"),
    )
    write_overlay(translated, text)
    status, problems = check(translated)
    assert status == 1
    errors = {(p["line"], p["message"]) for p in problems if p["severity"] == "error"}
    messages = " | ".join(m for _, m in errors)
    messages += " | ".join(p.get("hint") or "" for p in problems)
    assert any(line == line_of(text, "    checklist:\n      - Read") + 1 for line, _ in errors), (
        errors
    )
    assert "has 1 entries, the source has 2" in messages
    assert "cors-blocks" in messages and "cors-blocked" in messages  # did you mean
    assert any(line == line_of(text, "title: [DNS") for line, _ in errors)
    assert run_cli("build", cwd=translated).returncode == 1


def test_a_changed_source_makes_its_translation_stale_until_restamped(
    translated: Path,
) -> None:
    overlay = "# A comment the translator wrote.\n" + overlay_text(translated)
    write_overlay(translated, overlay)
    done = run_cli("translations", "--stamp", cwd=translated)
    assert done.returncode == 0, done.stderr
    stamped = overlay_text(translated)
    assert stamped.startswith("# A comment the translator wrote.\n")
    assert stamped.count("    source: '") == 3 + 4 + 2 + 1 + 3  # every entry, once
    assert check(translated, "--strict") == (0, [])
    assert "0 stale, 0 not stamped" in run_cli("translations", cwd=translated).stdout

    rules = translated / "rules" / "rulebook.yaml"
    rules.write_text(
        mutate(
            rules.read_text("utf-8"),
            ("    meaning: 这不是密钥错误。\n", "    meaning: 这不是 Key 的问题。\n"),
        ),
        encoding="utf-8",
    )
    status, problems = check(translated)
    assert status == 0
    stale = [p for p in problems if p["message"].startswith("stale:")]
    assert len(stale) == 1 and stale[0]["file"] == "rules/rulebook.en.yaml"
    assert stale[0]["line"] == line_of(stamped, "  cors-blocked:\n") + 1
    assert "1 stale" in run_cli("translations", cwd=translated).stdout
    # The translator updates the text, then stamps again: a one-line change.
    assert run_cli("translations", "--stamp", "--language", "en", cwd=translated).returncode == 0
    after = overlay_text(translated)
    assert len(after.splitlines()) == len(stamped.splitlines())
    changed = zip(after.splitlines(), stamped.splitlines(), strict=True)
    assert sum(a != b for a, b in changed) == 1
    assert check(translated, "--strict") == (0, [])
