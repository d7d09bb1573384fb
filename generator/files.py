"""Writing generated files, always inside the directory being built."""

from __future__ import annotations

from pathlib import Path

from generator.errors import BuildError


def write_text(root: Path, relative: str, text: str) -> Path:
    """Write ``root/relative``, refusing any path that would land outside ``root``.

    Ids and codes are validated long before this, so this is the second line of
    defence: whatever a rulebook says, nothing is written outside the site.
    """
    if "\0" in relative or not (root / relative).resolve().is_relative_to(root.resolve()):
        raise BuildError(f"refusing to write outside {root}: {relative!r}")
    target = (root / relative).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="\n")
    return target
