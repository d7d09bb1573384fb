"""Property-based tests: `check` survives anything, and what passes `check` builds."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.rulebook.loader import load
from generator.site.build import Project, build

from conftest import ROOT, SMALL

LOCATED = re.compile(r"^.+:\d+:\d+: ")
REAL = (ROOT / "rules" / "rulebook.yaml").read_text(encoding="utf-8")
SMALL_TEXT = SMALL.read_text(encoding="utf-8")
FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run_check(text: str) -> tuple[int, list[str]]:
    """`triagebook check` on ``text`` as a user runs it: exit status and printed lines."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rulebook.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "--rules", str(path), "--today", "2026-11-22"])
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue().splitlines()


def assert_well_behaved(text: str) -> None:
    code, lines = run_check(text)
    assert code in (0, 1)
    assert all(LOCATED.match(line) for line in lines), lines
    assert (code == 1) == any(": warning: " not in line for line in lines)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.dates()
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=12)
            | st.sampled_from(
                ["version", "rules", "layers", "evidence", "boundaries", "id", "codes", "redirects"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@FAST
@given(documents)
def test_check_never_raises_on_arbitrary_documents(doc: object) -> None:
    assert_well_behaved(yaml.safe_dump(doc, allow_unicode=True))


@FAST
@given(st.text(max_size=400))
def test_check_never_raises_on_arbitrary_text(text: str) -> None:
    assert_well_behaved(text)


@st.composite
def mutated(draw: st.DrawFn, source: str) -> str:
    lines = source.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "value", "indent", "dedent", "insert"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            value = draw(scalars)
            lines[i] = f"{key}: {json.dumps(value, default=str, ensure_ascii=False)}"
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:]
        else:
            lines.insert(i, draw(st.text(max_size=40).map(lambda t: t.replace("\n", " "))))
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


@FAST
@given(mutated(REAL))
def test_check_never_raises_on_mutations_of_the_real_rulebook(text: str) -> None:
    assert_well_behaved(text)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_what_passes_check_also_builds(data: st.DataObject) -> None:
    lines = SMALL_TEXT.splitlines()
    text_lines = [
        i
        for i, line in enumerate(lines)
        if re.match(r"^\s+(title|summary|meaning|a|q|how|text|definition|reason):", line)
    ]
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.sampled_from(text_lines))
        key = lines[i].split(":", 1)[0]
        value = data.draw(st.text(min_size=1, max_size=60).filter(str.strip))
        lines[i] = f"{key}: {json.dumps(value, ensure_ascii=False)}"
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "rules").mkdir()
        rules = root / "rules" / "rulebook.yaml"
        rules.write_text(text, encoding="utf-8")
        loaded = load(rules, today=dt.date(2026, 11, 22))
        assume(not loaded.errors)
        shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
        shutil.copytree(ROOT / "content", root / "content")
        result = build(Project(rules, root / "mkdocs.yml"), root / "site")
        assert (root / "site" / "index.html").is_file()
        assert len(result.pages) > 0
