"""Read a file as it was at a git revision (for `diff --base`)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from generator.errors import GeneratorError


def file_at(ref: str, path: Path) -> Path:
    """A temporary copy of ``path`` at ``ref``; raises GeneratorError when git cannot tell."""
    top = subprocess.run(
        ["git", "-C", str(path.resolve().parent), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    if top.returncode:
        raise GeneratorError(f"{path} is not in a git repository: {top.stderr.strip()}")
    relative = path.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = subprocess.run(
        ["git", "-C", top.stdout.strip(), "show", f"{ref}:{relative}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode:
        message = shown.stderr.decode("utf-8", "replace").strip()
        raise GeneratorError(f"cannot read {relative} at {ref}: {message}")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller reads it after return
        prefix="rulebook-base-", suffix=".yaml", delete=False
    )
    with handle:
        handle.write(shown.stdout)
    return Path(handle.name)
