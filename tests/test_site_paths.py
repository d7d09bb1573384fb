"""Paths and the file system: symbolic links in content/, where the site directory may be."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.site.build import Project, build

from conftest import run_cli

pytestmark = pytest.mark.slow


pytestmark = pytest.mark.slow


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
    done = run_cli("build", "--rules", "rules/rulebook.yaml", "--config", "mkdocs.yml", cwd=project)
    assert done.returncode == 1
    assert "content/broken: broken symbolic link" in done.stderr


def test_a_symlink_inside_the_project_is_fine(project: Path, tmp_path: Path) -> None:
    (project / "shared").mkdir()
    (project / "shared" / "note.md").write_text("# Note\n\nShared.\n", encoding="utf-8")
    (project / "content" / "shared").symlink_to(project / "shared")
    site = tmp_path / "s"
    build(Project(project / "rules/rulebook.yaml", project / "mkdocs.yml"), site)
    assert (site / "shared" / "note" / "index.html").is_file()


@pytest.mark.parametrize("target", [".", "rules", "content", "content/sub", "templates", ".."])
def test_a_site_directory_overlapping_a_source_is_refused(project: Path, target: str) -> None:
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    done = run_cli("build", "--site-dir", target, cwd=project)
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
