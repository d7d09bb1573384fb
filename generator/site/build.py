"""The whole build: load -> validate -> model -> render -> engine -> swap in.

Everything is written into a temporary directory beside the target and swapped
in at the very end, so a failed or interrupted build leaves the previous site
exactly as it was.
"""

from __future__ import annotations

import calendar
import ctypes
import errno
import gc
import hashlib
import html
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from generator.outputs.api import write_api
from generator.config import Settings, load_settings
from generator.outputs.crawlers import write_crawler_files
from generator.site.engine import render_site
from generator.outputs.not_found import write_not_found
from generator.outputs.search_index import write_search_index
from generator.errors import BuildError
from generator.outputs.keyfile import write_key_file
from generator.outputs.llms import write_llms
from generator.rulebook.loader import load_or_raise
from generator.outputs.manifest import write_manifest
from generator.rulebook.model import Rulebook
from generator.outputs.context import BuildContext, Writer
from generator.render.page import Page
from generator.render.pages import hand_written_pages, plan_pages, render_pages, write_pages
from generator.outputs.redirects import write_redirects
from generator.outputs.twins import write_twins

WORK_DIR = ".triagebook"
#: Outputs that need only the model: written by a second process while the engine
#: renders HTML (the machine has two cores), then moved into the new site.
WRITERS: tuple[Writer, ...] = (
    write_twins,
    write_llms,
    write_crawler_files,
    write_api,
    write_redirects,
    write_key_file,
)
#: Outputs that read or change the engine's HTML, in order.
SITE_WRITERS: tuple[Writer, ...] = (
    write_not_found,
    write_search_index,
    write_manifest,  # last: it hashes the HTML the writers above may have changed
)


@dataclass(frozen=True)
class Project:
    rules: Path
    config: Path

    @property
    def root(self) -> Path:
        return self.config.resolve().parent

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "site_templates"

    @property
    def work(self) -> Path:
        return self.root / WORK_DIR


@dataclass(frozen=True)
class BuildResult:
    rulebook: Rulebook
    pages: list[Page]
    site_dir: Path
    seconds: float


def check_content(content: Path, root: Path) -> None:
    """Refuse what content/ must not publish: symbolic links that lead outside the project
    (they would publish any file the builder can read), broken links and link loops."""
    pending, seen = [content], {content.resolve()}
    while pending:
        folder = pending.pop()
        for entry in sorted(folder.iterdir()):
            shown = (
                entry.relative_to(content.parent) if entry.is_relative_to(content.parent) else entry
            )
            if entry.is_symlink():
                try:
                    target = entry.resolve(strict=True)
                except (OSError, RuntimeError):
                    raise BuildError(f"{shown}: broken symbolic link (or a loop)") from None
                if not target.is_relative_to(root):
                    raise BuildError(
                        f"{shown} links outside the project ({target}): refusing to publish it"
                    )
            if entry.is_dir():
                real = entry.resolve()
                if real in seen:
                    raise BuildError(f"{shown}: symbolic link loop")
                seen.add(real)
                pending.append(entry)


def check_site_dir(project: Project, site_dir: Path) -> None:
    """The site directory is emptied by every build: it must not hold or sit in a source."""
    sources = {
        "the rulebook's folder": project.rules.resolve().parent,
        "content/": project.content.resolve(),
        "site_templates/": project.templates.resolve(),
        "the site settings": project.config.resolve(),
    }
    for label, source in sources.items():
        if source.is_relative_to(site_dir) or site_dir.is_relative_to(source):
            raise BuildError(
                f"--site-dir {site_dir} would overlap {label} ({source}), and a build replaces "
                "the whole site directory: choose a folder of its own, such as site/"
            )


def stage(project: Project, rb: Rulebook, settings: Settings, docs: Path) -> list[Page]:
    """Write content/ plus the generated pages into ``docs`` (emptied first)."""
    if docs.exists():
        shutil.rmtree(docs)
    if project.content.is_dir():
        check_content(project.content, project.root)
        shutil.copytree(project.content, docs)
    else:
        docs.mkdir(parents=True)
    # The pages' own scripts and styles, served from the site like the theme's.
    assets = project.templates / "assets"
    if assets.is_dir():
        shutil.copytree(assets, docs / "assets" / "triagebook")
    pages = plan_pages(rb, settings)
    clashes = sorted(p.src for p in pages if (docs / p.src).exists())
    if clashes:
        raise BuildError(
            f"content/ has pages at generated paths: {', '.join(clashes)} "
            "(generated pages are never written by hand; rename or remove these)"
        )
    write_pages(render_pages(rb, settings, project.templates, pages), docs)
    return pages


def navigation(pages: list[Page], hand_written: list[tuple[str, str]]) -> list[Any]:
    """Hubs only: rule and checklist pages are listed on hubs, never in the nav.

    With every page in the nav each page renders the whole tree, so build time
    grows with pages x nav size (DESIGN.md §6); hubs keep it linear.
    """
    by_kind: dict[str, list[Page]] = {}
    for page in pages:
        by_kind.setdefault(page.kind, []).append(page)
    # The theme prints nav titles without escaping; layer titles come from the rulebook.
    topics = [{html.escape(p.title): p.src} for p in by_kind.get("topic", [])]
    nav: list[Any] = [{"首页": "index.md"}]
    nav += [{p.title: p.src} for p in by_kind.get("tool", [])]
    nav += [{p.title: p.src} for p in by_kind.get("hub", []) if p.src == "rules/index.md"]
    nav.append({"按发生层排查": ["topics/index.md", *topics]})
    nav.append({"常见问题": "faq/index.md"})  # the FAQ hub links each layer's FAQ page
    nav.append({"参考": [{p.title: p.src} for p in by_kind.get("catalogue", [])]})
    if hand_written:
        nav.append({"关于本站": [{title: src} for src, title in hand_written]})
    return nav


def source_epoch(rb: Rulebook) -> int:
    """The rulebook's newest review date as SOURCE_DATE_EPOCH: dates never come from the clock."""
    return calendar.timegm(rb.updated.timetuple())


def write_outputs(ctx: BuildContext, out: Path) -> None:
    """Every model-only output, into ``out`` (emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for write in WRITERS:
        write(ctx, out)


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


def swap_in(new: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by ``new``: an atomic exchange where the system has one,
    else two renames (and the next build restores ``site_dir`` if a crash fell between)."""
    old = site_dir.with_name(f".{site_dir.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists() and _exchange(new, site_dir):
        shutil.rmtree(new)  # it now holds the previous site
        return
    if site_dir.exists():
        site_dir.rename(old)
    new.rename(site_dir)
    if old.exists():
        shutil.rmtree(old)


def restore_interrupted_swap(site_dir: Path) -> None:
    """A crash between the two renames of the fallback swap leaves only ``.<site>.old``."""
    old = site_dir.with_name(f".{site_dir.name}.old")
    if old.is_dir() and not site_dir.exists():
        old.rename(site_dir)


def build(project: Project, site_dir: Path, rulebook: Rulebook | None = None) -> BuildResult:
    """Build the site; ``rulebook`` skips loading ``project.rules`` (a model already
    validated, or built by a test that exercises the renderer without the checks)."""
    started = time.perf_counter()
    settings = load_settings(project.config)
    rb = rulebook or load_or_raise(project.rules)
    # The model lives for the whole build: keep the cyclic collector from rescanning it
    # on every collection (that made page rendering grow faster than the rule count).
    gc.freeze()
    try:
        return _build(project, settings, rb, site_dir, started)
    finally:
        gc.unfreeze()


def _build(
    project: Project, settings: Settings, rb: Rulebook, site_dir: Path, started: float
) -> BuildResult:
    site_dir = site_dir.resolve()
    check_site_dir(project, site_dir)
    try:
        return _build_into(project, settings, rb, site_dir, started)
    except OSError as exc:  # the environment: a read-only folder, a full disk
        where = exc.filename or site_dir
        raise BuildError(f"cannot build the site: {exc.strerror or exc}: {where}") from exc


def _build_into(
    project: Project, settings: Settings, rb: Rulebook, site_dir: Path, started: float
) -> BuildResult:
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(site_dir.with_name(f".{site_dir.name}.lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BuildError(
            f"another build is writing {site_dir} right now; wait for it to finish"
        ) from None
    restore_interrupted_swap(site_dir)
    # Everything that becomes the site is written beside it, so the final moves are
    # renames on one filesystem wherever the site directory lives.
    tmp = site_dir.with_name(f".{site_dir.name}.tmp")
    extra = site_dir.with_name(f".{site_dir.name}.outputs")
    # Staging is per site directory, so a preview and a build can run side by side.
    work = project.work / "build" / hashlib.sha256(str(site_dir).encode()).hexdigest()[:12]
    try:
        docs = work / "docs"
        pages = stage(project, rb, settings, docs)
        if tmp.exists():
            shutil.rmtree(tmp)
        hand_written = hand_written_pages(project.content)
        ctx = BuildContext(rb, settings, pages, project.templates, hand_written)
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            outputs = pool.submit(write_outputs, ctx, extra)
            render_site(
                project.config, docs, tmp, navigation(pages, hand_written), source_epoch(rb)
            )
            outputs.result()  # re-raises a writer's exception here
        merge_into(extra, tmp)
        for write in SITE_WRITERS:
            write(ctx, tmp)
        swap_in(tmp, site_dir)
    finally:
        for leftover in (tmp, extra):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
        lock.release()
    return BuildResult(rb, pages, site_dir, time.perf_counter() - started)
