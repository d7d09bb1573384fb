"""The command line in an unlucky environment: one clear line and the right exit status,
never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli

pytestmark = pytest.mark.slow


pytestmark = pytest.mark.slow


def test_environment_mistakes_are_one_line(project: Path, tmp_path: Path) -> None:
    config = project / "mkdocs.yml"
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    cases = [
        (["build", "--config", str(tmp_path)], 1, "cannot read the site settings"),
        (["build", "--site-dir", str(tmp_path / "a-file" / "site")], 1, "cannot build the site"),
        (["serve", "--dev-addr", "nonsense"], 2, "expected HOST:PORT"),
        (["serve", "--dev-addr", "127.0.0.1:99999"], 2, "expected HOST:PORT"),
        (["publish", "--timeout", "soon"], 2, "invalid float value"),
        (["build", "--engine", "hugo"], 2, "invalid choice: 'hugo'"),
    ]
    for args, status, message in cases:
        done = run_cli(*args, cwd=project)
        assert (done.returncode, message in done.stderr) == (status, True), (args, done.stderr)
    original = config.read_text("utf-8")
    config.write_text(original + "\nextra: {engine: hugo}\n", encoding="utf-8")
    done = run_cli("build", cwd=project)
    assert done.returncode == 1
    assert "extra.engine must be one of mkdocs, zensical, got 'hugo'" in done.stderr
    config.write_text(original + "\nextra: [1]\n", encoding="utf-8")
    done = run_cli("build", cwd=project)
    assert done.returncode == 1
    assert "'extra' must be a mapping, got list" in done.stderr


def test_a_broken_template_override_is_one_message(project: Path) -> None:
    broken = project / "templates" / "pages" / "rule.md.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text("{% if %}\n", encoding="utf-8")
    done = run_cli("build", cwd=project)
    assert done.returncode == 1
    assert done.stderr.count("\n") <= 3, done.stderr
