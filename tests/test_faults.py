"""Faults and limits: interrupted builds, concurrent builds, crashes, hostile sizes and paths."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from filelock import FileLock
from test_build import project_of, tree_digest

from generator import build as build_module
from generator.build import build
from generator.errors import BuildError, PublishError
from generator.files import write_text
from generator.loader import load
from generator.publish import State

from conftest import ROOT, mutate

pytestmark = pytest.mark.slow


# ---- interrupted and concurrent builds -------------------------------------------------------


def test_an_exception_in_a_writer_leaves_the_previous_site(project, tmp_path, monkeypatch) -> None:
    site = tmp_path / "out" / "site"
    build(project_of(project), site)
    before = tree_digest(site)

    def broken(ctx, site_dir):
        (site_dir / "half-written.txt").write_text("…", encoding="utf-8")
        raise BuildError("disk full (simulated)")

    writers = list(build_module.WRITERS)
    monkeypatch.setattr(build_module, "WRITERS", (*writers[:2], broken, *writers[2:]))
    with pytest.raises(BuildError, match="simulated"):
        build(project_of(project), site)
    assert tree_digest(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "site"]


def test_sigterm_during_a_build_leaves_the_previous_site(project, tmp_path) -> None:
    site = tmp_path / "out" / "site"
    build(project_of(project), site)
    before = tree_digest(site)
    command = [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--site-dir",
        str(site),
        "--rules",
        str(project / "rules/rulebook.yaml"),
        "--config",
        str(project / "mkdocs.yml"),
    ]
    process = subprocess.Popen(command, cwd=project, stderr=subprocess.PIPE, text=True)
    tmp = site.with_name(".site.tmp")
    deadline = time.monotonic() + 60
    while not tmp.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert tree_digest(site) == before
    assert not tmp.exists()
    build(project_of(project), site)  # the lock was released


def test_a_second_build_into_the_same_site_is_refused(project, tmp_path) -> None:
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    with (
        FileLock(str(site.with_name(".site.lock"))),
        pytest.raises(
            BuildError, match=r"another build is writing .* right now; wait for it to finish"
        ),
    ):
        build(project_of(project), site)
    assert not site.exists()


def test_concurrent_builds_never_corrupt_the_site(project, tmp_path) -> None:
    site = tmp_path / "out" / "site"
    results: list[str] = []

    def one() -> None:
        try:
            build(project_of(project), site)
            results.append("built")
        except BuildError as exc:
            results.append(f"refused: {exc}")

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "built" in results
    reference = tmp_path / "reference"
    build(project_of(project), reference)
    assert tree_digest(site) == tree_digest(reference)


# ---- publish state ----------------------------------------------------------------------------


def test_a_crash_while_saving_the_state_keeps_the_old_one(tmp_path, monkeypatch) -> None:
    path = tmp_path / "state.json"
    State({"https://x.example/": "a"}, {"https://x.example/": 1.0}).save(path)
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError("power cut (simulated)")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="power cut"):
        State({"https://x.example/": "b"}, {}).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def _server(behaviour) -> tuple[str, threading.Thread, socket.socket]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        conn, _ = listener.accept()
        behaviour(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/indexnow", thread, listener


@pytest.mark.parametrize("fault", ["timeout", "reset"])
def test_network_faults_are_clear_and_keep_the_state(fault, project, tmp_path, monkeypatch) -> None:
    from generator import indexnow
    from generator.config import load_settings
    from generator.publish import PublishOptions, publish

    def timeout(conn: socket.socket) -> None:
        time.sleep(2)
        conn.close()

    def reset(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    monkeypatch.setattr(indexnow, "TIMEOUT", 0.5)
    url, thread, listener = _server(timeout if fault == "timeout" else reset)
    site = tmp_path / "site"
    (project / "mkdocs.yml").write_text(
        (project / "mkdocs.yml").read_text("utf-8") + "\nextra:\n  indexnow:\n    key: abcdefgh1\n",
        "utf-8",
    )
    build(project_of(project), site)
    state = tmp_path / "state.json"
    options = PublishOptions(site_dir=site, state_file=state, endpoint=url)
    with pytest.raises(PublishError, match=f"could not reach {url}: .*nothing was recorded"):
        publish(load_settings(project / "mkdocs.yml"), options, say=lambda _: None)
    assert not state.exists()
    thread.join(timeout=5)
    listener.close()


# ---- limits and paths -------------------------------------------------------------------------


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


@pytest.mark.parametrize("relative", ["../escape.txt", "/etc/passwd", "a/../../b", "a\0b"])
def test_nothing_is_written_outside_the_site(tmp_path, relative: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(BuildError, match="refusing to write outside"):
        write_text(site, relative, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert list(site.iterdir()) == []


def test_case_variants_of_a_code_are_refused(tmp_path, small_text) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(mutate(small_text, ("codes: [CORS]", "codes: [enotfound]")), "utf-8")
    assert [p.text() for p in load(path, display="rulebook.yaml").problems] == [
        "rulebook.yaml:110:13: rules[2].codes[0]: code 'enotfound' is spelled 'ENOTFOUND' "
        "elsewhere (use one spelling: codes become file names, and some file systems ignore case)"
    ]


def test_json_state_file_of_another_tool_is_refused_clearly(tmp_path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(["not", "a", "state"]), encoding="utf-8")
    with pytest.raises(PublishError, match="is not a publish state file"):
        State.load(path)
