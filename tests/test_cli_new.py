"""`triagebook new`: a second team's knowledge base, in its own language, built by the same
generator with no word of this site's language and no warning."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from conftest import run_cli, tree_digest

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def text_of(path: Path) -> str | None:
    """A file's text as a reader or a tool sees it (JSON escapes decoded); None for binaries."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix == ".json":
        text += json.dumps(json.loads(text), ensure_ascii=False)
    return text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_scaffolded_project_checks_and_builds_without_a_warning(
    tmp_path: Path, language: str
) -> None:
    project = tmp_path / "kb"
    done = run_cli("new", str(project), "--language", language, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (project / "content").is_dir() and (project / "rules" / "rulebook.yaml").is_file()
    # Run from elsewhere: every path is the project's, not the working directory's.
    done = run_cli("check", "--project", str(project), "--strict", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr
    done = run_cli("build", "--project", str(project), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower()
    site = project / "site"
    assert lxml.html.parse(str(site / "index.html")).getroot().get("lang") == language
    assert (site / "about" / "index.html").is_file()
    first = tree_digest(site)
    assert run_cli("build", "--project", str(project), cwd=tmp_path).returncode == 0
    assert tree_digest(site) == first, "two builds of the same project are byte-identical"
    # The same project on the other engine: as clean.
    done = run_cli("build", "--project", str(project), "--engine", "zensical", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert lxml.html.parse(str(site / "index.html")).getroot().get("lang") == language
    if language == "en":
        files = [p for p in site.rglob("*") if p.is_file()]
        texts = {p: text_of(p) for p in files}
        assert sum(t is not None for t in texts.values()) > 40
        chinese = {
            str(p.relative_to(site)): m.group()
            for p, t in texts.items()
            if t is not None and (m := CJK.search(t))
        }
        assert not chinese, chinese


def test_new_refuses_a_folder_with_something_in_it(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "notes.txt").write_text("mine", encoding="utf-8")
    done = run_cli("new", str(tmp_path / "kb"), cwd=tmp_path)
    assert done.returncode == 1
    assert "not empty" in done.stderr
    assert (tmp_path / "kb" / "notes.txt").read_text(encoding="utf-8") == "mine"
    done = run_cli("new", str(tmp_path / "other"), "--language", "tlh", cwd=tmp_path)
    assert done.returncode == 1 and "available: en, zh" in done.stderr
    assert not (tmp_path / "other").exists()
