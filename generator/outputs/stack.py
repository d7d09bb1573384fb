"""The exact software stack that produced a site, for `--version`, the manifest and the API.

A bug report or a site diff can then name the versions behind a page; with installs
from the lock (`requirements/`), the same commit always names the same stack.
"""

from __future__ import annotations

import platform
from functools import cache
from importlib.metadata import PackageNotFoundError, version

#: What shapes the output: the generator, the engine, the theme, the Markdown and YAML parsers.
STACK = ("triagebook", "mkdocs", "mkdocs-material", "Markdown", "PyYAML")


@cache
def stack_versions() -> dict[str, str]:
    """``{distribution: version}`` of every package in STACK that is installed."""
    found = {}
    for name in STACK:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def version_text() -> str:
    versions = stack_versions()
    others = ", ".join(f"{name} {v}" for name, v in versions.items() if name != "triagebook")
    python = f"Python {platform.python_version()}"
    return f"triagebook {versions.get('triagebook', 'unknown')}\n{others} ({python})"
