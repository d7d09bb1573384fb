"""The build's second core: pages, the outputs that need only the model, the search index.

Started as soon as the pages are planned, it renders its share of them (all of them when
the engine reads each page in turn, and tells the engine as each is written; else half),
then writes the model-only outputs while the engine turns the pages into HTML and deletes
what earlier builds replaced; then it reads each HTML page the moment the engine reports it
written, and ranks the index once the pages it is to hold are read (the engine writes
those first), so that little or nothing is left to do when the engine is done.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config import Settings
from generator.errors import BuildError
from generator.files import write_text
from generator.outputs.context import BuildContext, Writer
from generator.outputs.search_index import (
    Entry,
    index_entries,
    layout,
    read_page,
    write_search_index,
)
from generator.render.page import Page
from generator.render.pages import rendered_pages
from generator.rulebook.model import Rulebook


@dataclass(frozen=True)
class Share:
    """Pages of one edition that the second process renders into ``docs``, in order."""

    rulebook: Rulebook
    settings: Settings
    docs: Path
    pages: list[Page]


class SecondProcess:
    """A forked process rendering its ``shares`` of the pages, then writing ``writers``'
    outputs of every edition into ``outputs`` (and deleting ``trash``, what earlier builds
    left), then the search index of the pages the engine writes under ``site``. It
    reports when each of the three is done (or once, what failed)."""

    def __init__(
        self,
        contexts: list[BuildContext],
        shares: list[Share],
        writers: tuple[Writer, ...],
        outputs: Path,
        site: Path,
        trash: Path | None = None,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._work = (contexts, shares, writers, outputs, site, trash)  # the child's, by the fork
        # Buffered by a thread: reporting a page never holds the engine up while this
        # process is busy with the outputs (a plain pipe fills after ~1,000 pages).
        self._pages: multiprocessing.Queue[tuple[str, str] | None] = context.Queue()
        self._written: multiprocessing.Queue[tuple[str, str]] = context.Queue()
        self._done: multiprocessing.Queue[BaseException | None] = context.Queue()
        self._rendering = {(s.settings.prefix, page.src) for s in shares for page in s.pages}
        self._process = context.Process(target=self._run, daemon=True)
        self._process.start()

    def finished(self, prefix: str) -> Callable[[str], None]:
        """What the engine calls with each page it wrote of the edition at ``prefix``."""
        return lambda path: self._pages.put((prefix, path))

    def waiter(self, prefix: str) -> Callable[[str], None]:
        """What the engine calls to wait for a page of the edition at ``prefix`` (a docs
        path) that this process may still be rendering; raises what stopped it."""

        def wait(src: str) -> None:
            while (prefix, src) in self._rendering:
                try:
                    self._rendering.discard(self._written.get(timeout=0.5))
                except queue.Empty:
                    if not self._process.is_alive() and self._written.empty():
                        self._next()  # raises its failure, or that it died unheard
                        raise BuildError(f"the build's second process did not write {src}")

        return wait

    def pages_written(self) -> None:
        """Wait for its share of the pages; raise what rendering them raised."""
        self._next()

    def outputs_written(self) -> None:
        """Wait for the model-only outputs; raise what a writer raised."""
        self._next()

    def engine_finished(self) -> None:
        """Every page has been reported: the ranking of the index can start."""
        self._pages.put(None)

    def result(self) -> None:
        """Wait for the search index; raise what failed."""
        self._next()
        self._process.join()

    def _next(self) -> None:
        """The process's next report; raises what it raised, or that it died unheard."""
        while True:
            try:
                failure = self._done.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    code = self._process.exitcode
                    raise BuildError(f"the build's second process stopped (exit code {code})")
                continue
            if failure is not None:
                raise failure
            return

    def stop(self) -> None:
        """A failed build does not wait for the outputs it will not publish."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def _run(self) -> None:
        contexts, shares, writers, outputs, site, trash = self._work
        try:
            for share, ctx in zip(shares, contexts, strict=True):
                prefix = share.settings.prefix
                for src, text in rendered_pages(
                    share.rulebook, share.settings, ctx.templates, share.pages
                ):
                    write_text(share.docs, src, text)
                    self._written.put((prefix, src))
            self._done.put(None)
            write_outputs(contexts, writers, outputs)
            self._done.put(None)
            if trash is not None:  # the engine is still busy: a good time to delete
                shutil.rmtree(trash, ignore_errors=True)
            search_indexes(contexts, site, self._pages.get)
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            self._done.put(_portable(exc))
        else:
            self._done.put(None)


def search_indexes(
    contexts: list[BuildContext], site: Path, report: Callable[[], tuple[str, str] | None]
) -> None:
    """Each edition's search index, from the pages the engine reports written (``report``:
    the next one, as (edition prefix, path under it), or None when the engine is done).

    Each page is read as it is reported. An edition's index is ranked as soon as the
    pages it is expected to hold are read, while the engine still writes the others (it
    writes those first), and again at the end only if another page turned out to be
    searchable after all (a project's own templates may make it so)."""
    editions = {ctx.settings.prefix: ctx for ctx in contexts}
    read: dict[str, dict[str, Entry | None]] = {prefix: {} for prefix in editions}
    early: dict[str, tuple[int, dict[str, str]]] = {}  # prefix -> (entries, files)
    while (item := report()) is not None:
        prefix, page = item
        path = page.removesuffix("index.html")
        if path not in editions[prefix].page_dates:
            continue
        read[prefix][path] = read_page(site / prefix, path)
        if prefix not in early and editions[prefix].searchable_paths <= read[prefix].keys():
            entries = [entry for _, entry in sorted(read[prefix].items()) if entry is not None]
            early[prefix] = (len(entries), layout(entries))
    for ctx in contexts:
        prefix = ctx.settings.prefix
        entries = index_entries(ctx, site / prefix, read[prefix])
        count, files = early.get(prefix, (-1, {}))
        # The same entries when no more were found: those read early are among them.
        files = files if count == len(entries) else layout(entries)
        write_search_index(ctx, site / prefix, files=files)


def write_outputs(contexts: list[BuildContext], writers: tuple[Writer, ...], out: Path) -> None:
    """Every output of ``writers`` for every edition, into ``out`` (emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for ctx in contexts:
        for write in writers:
            write(ctx, out / ctx.settings.prefix)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it crosses a process boundary intact, else a BuildError that says it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to pickle
        return BuildError(f"{type(exc).__name__}: {exc}")
    return exc
