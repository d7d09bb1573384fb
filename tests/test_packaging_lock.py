"""The lock: exact versions with hashes, generated from pyproject.toml's ranges, installed as is.

An upstream release must never turn main red by itself, so `make site` and `make test` install
requirements/*.txt with `--require-hashes`; these tests keep the lock honest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from generator.cli import main
from generator.outputs.stack import STACK

from conftest import ROOT

LOCKS = ROOT / "requirements"
FIX = "the lock is stale: run `make lock` and commit requirements/"


def pins(lock: Path) -> dict[str, str]:
    """``{name: version}`` of the lock's entries that apply to this interpreter."""
    found: dict[str, str] = {}
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    for chunk in text.splitlines():
        line = chunk.split(" --hash=")[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(default_environment()):
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{lock.name}: {line} is not an exact pin"
        found[canonicalize_name(requirement.name)] = spec.version
    return found


def hashed_entries(lock: Path) -> list[tuple[str, int]]:
    """``(entry, number of hashes)`` of every entry of ``lock``, whatever its markers."""
    entries = []
    for chunk in lock.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        if chunk.strip() and not chunk.lstrip().startswith("#"):
            entries.append((chunk.split(" --hash=")[0].strip(), chunk.count("--hash=sha256:")))
    return entries


def project_requirements(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    if extra:
        wanted += project["optional-dependencies"][extra]
    return [Requirement(text) for text in wanted]


def unsatisfied(requirements: list[Requirement], pinned: dict[str, str]) -> list[str]:
    problems = []
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate(default_environment()):
            continue
        name = canonicalize_name(requirement.name)
        if name not in pinned:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(pinned[name], prereleases=True):
            problems.append(f"{requirement} is not satisfied by the locked {name}=={pinned[name]}")
    return problems


@pytest.mark.parametrize(("lock", "extra"), [("site.txt", None), ("test.txt", "test")])
def test_the_lock_satisfies_pyproject(lock: str, extra: str | None) -> None:
    problems = unsatisfied(project_requirements(extra), pins(LOCKS / lock))
    assert problems == [], f"{FIX}\n" + "\n".join(problems)


def test_a_changed_range_is_caught_with_the_fix() -> None:
    """The check above must fail when pyproject.toml asks for what the lock does not hold."""
    pinned = pins(LOCKS / "test.txt")
    stricter = [Requirement(f"jinja2>{pinned['jinja2']}"), Requirement("a-package-never-locked")]
    assert unsatisfied(stricter, pinned) == [
        f"jinja2>{pinned['jinja2']} is not satisfied by the locked jinja2=={pinned['jinja2']}",
        "a-package-never-locked is not in the lock",
    ]


def test_the_site_lock_agrees_with_the_test_lock() -> None:
    site, test = pins(LOCKS / "site.txt"), pins(LOCKS / "test.txt")
    assert {name: test.get(name) for name in site} == site, FIX


@pytest.mark.parametrize("lock", ["bootstrap.txt", "site.txt", "test.txt", "uv.txt"])
def test_every_entry_is_pinned_with_hashes(lock: str) -> None:
    entries = hashed_entries(LOCKS / lock)
    assert entries
    assert [entry for entry, hashes in entries if hashes == 0 or "==" not in entry] == []


def test_the_lock_tool_is_pinned() -> None:
    assert list(pins(LOCKS / "uv.txt")) == ["uv"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(UV) pip compile" in makefile
    assert "install --quiet --require-hashes -r requirements/uv.txt" in makefile


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
    reason="compares the project's own .venv, which `make test` uses",
)
def test_the_environment_equals_the_lock() -> None:
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in distributions()
        if canonicalize_name(dist.metadata["Name"]) != "triagebook"
    }
    expected = pins(LOCKS / "test.txt") | pins(LOCKS / "bootstrap.txt")
    assert installed == expected, "the environment drifted from the lock: rm -rf .venv; make test"


def test_version_names_the_stack(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    locked = pins(LOCKS / "site.txt")
    for name in STACK[1:]:
        assert f"{name} {locked[canonicalize_name(name)]}" in out
    assert out.startswith("triagebook ")


def test_version_needs_no_project() -> None:
    """`--version` answers anywhere, even without a rulebook or mkdocs.yml in sight."""
    out = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    assert out.stdout.startswith("triagebook ")
    assert "mkdocs-material" in out.stdout


def test_the_build_records_the_stack(real_site: Path) -> None:
    locked = pins(LOCKS / "site.txt")
    manifest = json.loads((real_site / "triagebook-manifest.json").read_text(encoding="utf-8"))
    index = json.loads((real_site / "api/v1/index.json").read_text(encoding="utf-8"))
    for stack in (manifest["stack"], index["result"]["stack"]):
        assert set(stack) == set(STACK)
        for name, version in stack.items():
            if name != "triagebook":
                assert version == locked[canonicalize_name(name)], name


def test_the_examples_upgrade_on_purpose() -> None:
    """Rulebook repositories get a scheduled job against the newest releases, and a bot
    config that proposes lock updates as pull requests."""
    import re

    import yaml

    workflow = yaml.safe_load((ROOT / "docs/examples/github-workflow.yml").read_text("utf-8"))
    newest = workflow["jobs"]["newest"]
    runs = [step.get("run", "") for step in newest["steps"]]
    assert "make lock UPGRADE=--upgrade" in runs and "make test" in runs
    assert "schedule" in newest["if"] and workflow[True]["schedule"]  # YAML reads `on:` as True
    renovate = json.loads((ROOT / "docs/examples/renovate.json").read_text("utf-8"))
    (pattern,) = renovate["pip-compile"]["managerFilePatterns"]
    matcher = re.compile(pattern.strip("/"))
    assert all(matcher.search(f"requirements/{lock.name}") for lock in LOCKS.glob("*.txt"))
    # Renovate reruns the command written at the top of each lock file.
    for lock in LOCKS.glob("*.txt"):
        assert "uv pip compile" in lock.read_text("utf-8").splitlines()[1], lock.name
