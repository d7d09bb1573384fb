"""Moving a finished site into place: files into it, or the whole folder in one step.

A reader of the site directory (a web server, a preview) never sees it missing or
half-written: the new site is renamed over the old in one atomic exchange where the
system has one.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import uuid
from pathlib import Path


def merge_into(source: Path, site: Path) -> None:
    """Move every file under ``source`` to the same place under ``site`` (replacing)."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = site / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    shutil.rmtree(source)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``), so
    that a reader of ``b`` never finds it missing. False where the system cannot."""
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM):  # a filesystem without exchange
        return False
    raise OSError(code, os.strerror(code), str(b))


def retire(folder: Path, trash: Path | None) -> None:
    """Delete ``folder``: moved into ``trash`` when that is on the same filesystem, for
    the next build to delete while it waits for the engine (a 1,000-rule site takes most
    of a second to delete); else at once."""
    if trash is not None:
        trash.mkdir(parents=True, exist_ok=True)
        try:
            folder.rename(trash / uuid.uuid4().hex)
            return
        except OSError:  # another filesystem
            pass
    shutil.rmtree(folder)


def swap_in(new: Path, site_dir: Path, trash: Path | None = None) -> None:
    """Replace ``site_dir`` by ``new``: an atomic exchange where the system has one,
    else two renames (and the next build restores ``site_dir`` if a crash fell between).
    The previous site is ``retire``d into ``trash``."""
    old = site_dir.with_name(f".{site_dir.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists() and _exchange(new, site_dir):
        retire(new, trash)  # it now holds the previous site
        return
    if site_dir.exists():
        site_dir.rename(old)
    new.rename(site_dir)
    if old.exists():
        retire(old, trash)


def restore_interrupted_swap(site_dir: Path) -> None:
    """A crash between the two renames of the fallback swap leaves only ``.<site>.old``."""
    old = site_dir.with_name(f".{site_dir.name}.old")
    if old.is_dir() and not site_dir.exists():
        old.rename(site_dir)
