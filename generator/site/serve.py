"""Live preview: MkDocs' live-reload server over the generator's own builds.

The first build is a whole one. After it, an edit to the rules renders again only the
pages that show what changed (``incremental``), so the browser shows a one-rule edit in
about two seconds at 1,000 rules; the machine-readable files follow in a background
process. Any other change (settings, templates, hand-written pages, layers, glossary...)
takes a whole build. A failed rebuild prints its problems and keeps serving the last
good site (builds are atomic), so an editor can fix the rulebook and watch it recover.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mkdocs.livereload import _SCRIPT_TEMPLATE, LiveReloadServer

from generator.errors import BuildError, GeneratorError
from generator.rulebook.problems import RulebookError, format_problems
from generator.site.build import BuildResult, build
from generator.site.incremental import refresh_outputs, update
from generator.site.project import Project


class _Server(LiveReloadServer):
    """MkDocs' server, its reload script served as a file: every page carries a content
    security policy that refuses inline scripts, the one MkDocs injects too."""

    _SCRIPT = re.compile(r"/\.livereload/([0-9]+)/([0-9]+)\.js")

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        at = content.rfind(b"</body>")
        at = len(content) if at < 0 else at
        tag = b'<script src="/.livereload/%d/%d.js"></script>' % (epoch, time.monotonic_ns())
        return content[:at] + tag + content[at:]

    def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
        found = self._SCRIPT.fullmatch(environ["PATH_INFO"])
        if not found:
            return super()._serve_request(environ, start_response)
        script = _SCRIPT_TEMPLATE.substitute(epoch=found[1], request_id=found[2]).encode()
        start_response("200 OK", [("Content-Type", "text/javascript; charset=utf-8")])
        return [script]


def _sources(project: Project) -> list[Path]:
    """What only a whole build can take in: the site settings, the templates and every
    edition's hand-written pages (content/, content.<lang>/); the rulebooks are compared
    as models instead."""
    contents = sorted(project.root.glob(f"{project.content.name}.*"))
    return [project.config, project.root / "templates", project.content, *contents]


def _inputs(project: Project) -> str:
    """A fingerprint of every file of ``_sources``."""
    digest = hashlib.sha256()
    for source in _sources(project):
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


class Preview:
    """The served site and what its next rebuild needs to know."""

    def __init__(self, project: Project, site_dir: Path) -> None:
        self.project, self.site_dir = project, site_dir
        self.last: BuildResult | None = None
        self.inputs = ""
        self.refreshing: multiprocessing.process.BaseProcess | None = None

    def rebuild(self) -> None:
        self.stop()
        started = time.perf_counter()
        try:
            said = self._rebuild()
        except RulebookError as exc:
            print(format_problems(exc.problems, "text"), file=sys.stderr)
            print("rebuild failed; still serving the last good site", file=sys.stderr)
        except GeneratorError as exc:
            print(f"error: {exc}\nrebuild failed; fix it and save again", file=sys.stderr)
        else:
            print(f"{said} in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    def _rebuild(self) -> str:
        inputs = _inputs(self.project)
        if self.last is not None and inputs == self.inputs:
            try:
                fast = update(self.project, self.last)
            except BuildError:
                # It may have rendered some pages: the next rebuild is a whole one.
                self.last = None
                raise
            if fast is not None:
                self.last, pages = fast
                if pages:
                    self._start_refresh()
                return f"rebuilt {len(pages)} pages"
        self.last, self.inputs = build(self.project, self.site_dir), inputs
        return f"rebuilt the whole site, {len(self.last.pages)} pages"

    def _start_refresh(self) -> None:
        """The machine-readable files, after the pages: the browser need not wait."""
        assert self.last is not None
        context = multiprocessing.get_context("spawn")  # the server's threads are running
        contexts = [staged.context for staged in self.last.staged]  # no second YAML load
        self.refreshing = context.Process(
            target=refresh_outputs, args=(contexts, self.site_dir, self.last.policy), daemon=True
        )
        self.refreshing.start()

    def stop(self) -> None:
        """A refresh of an older rulebook would write stale files over newer ones."""
        if self.refreshing is not None and self.refreshing.is_alive():
            self.refreshing.terminate()
            self.refreshing.join()
        self.refreshing = None


def serve(project: Project, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    site_dir = project.work / "serve" / "site"
    preview = Preview(project, site_dir)
    preview.rebuild()
    if preview.last is None:
        raise GeneratorError("the first build failed; fix the problems above and run serve again")
    # Looks for changes four times a second (MkDocs: twice): an edit shows sooner.
    server = _Server(
        builder=preview.rebuild, host=host, port=port, root=str(site_dir), polling_interval=0.25
    )
    for path in (project.rules.parent, *_sources(project)):
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        preview.stop()
        server.shutdown()
