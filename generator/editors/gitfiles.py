"""Read a file as it was at a git revision (for `diff --base`)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import GeneratorError

#: What a revision may look like: no leading "-" (git would read an option), no blanks
#: or control characters.
_REF = re.compile(r"^[^\s\x00-\x1f\x7f-][^\s\x00-\x1f\x7f]*$")


def is_revision(ref: str) -> bool:
    return bool(_REF.match(ref))


@contextmanager
def file_at(ref: str, path: Path) -> Iterator[Path]:
    """A temporary copy of ``path`` at ``ref``, removed on exit; GeneratorError when git
    cannot tell."""
    if not is_revision(ref):
        raise GeneratorError(f"not a git revision: {ref!r}")
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
        ["git", "-C", top.stdout.strip(), "show", "--end-of-options", f"{ref}:{relative}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode:
        message = shown.stderr.decode("utf-8", "replace").strip()
        raise GeneratorError(f"cannot read {relative} at {ref}: {message}")
    with tempfile.TemporaryDirectory(prefix="triagebook-diff-") as folder:
        copy = Path(folder) / "rulebook.yaml"
        copy.write_bytes(shown.stdout)
        yield copy
