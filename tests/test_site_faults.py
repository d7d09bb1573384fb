"""Faults during a build: exceptions, SIGTERM, concurrent builds; the previous site always
survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from filelock import FileLock

from generator.errors import BuildError
from generator.files import write_text
from generator.site import build as build_module
from generator.site.build import build

from conftest import project_of, tree_digest

pytestmark = pytest.mark.slow


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


def test_a_second_process_that_dies_fails_the_build_clearly(project, tmp_path, monkeypatch) -> None:
    """The process writing the outputs killed without a word (out of memory, say): the
    build says so instead of waiting for it forever, and the site stays as it was."""
    site = tmp_path / "out" / "site"
    build(project_of(project), site)
    before = tree_digest(site)

    def killed(ctx, site_dir):
        os._exit(9)

    monkeypatch.setattr(build_module, "WRITERS", (killed, *build_module.WRITERS))
    with pytest.raises(BuildError, match=r"second process stopped \(exit code 9\)"):
        build(project_of(project), site)
    assert tree_digest(site) == before


def test_a_second_process_that_dies_midway_through_the_pages_fails_the_build(
    project, tmp_path, monkeypatch
) -> None:
    """The engine waits for each page the second process renders: if that process dies
    after a few pages, the engine stops waiting and the build says why."""
    site = tmp_path / "out" / "site"
    build(project_of(project), site)
    before = tree_digest(site)
    from generator.site import second_process

    rendered = second_process.rendered_pages

    def dying(*args, **kwargs):
        for number, page in enumerate(rendered(*args, **kwargs)):
            if number == 3:
                os._exit(9)
            yield page

    monkeypatch.setattr(second_process, "rendered_pages", dying)
    started = time.monotonic()
    with pytest.raises(BuildError, match=r"second process stopped \(exit code 9\)"):
        build(project_of(project), site)
    assert time.monotonic() - started < 60
    assert tree_digest(site) == before


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


@pytest.mark.parametrize("relative", ["../escape.txt", "/etc/passwd", "a/../../b", "a\0b"])
def test_nothing_is_written_outside_the_site(tmp_path, relative: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(BuildError, match="refusing to write outside"):
        write_text(site, relative, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert list(site.iterdir()) == []


pytestmark = pytest.mark.slow
