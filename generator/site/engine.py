"""The site engine stage: a staged Markdown tree and theme overrides become HTML.

Two engines read the same mkdocs.yml and the same overrides: MkDocs with Material for
MkDocs (the default), and Zensical, Material's maintained successor. Nothing else differs
between them: the generator writes the Markdown and every machine-readable file itself,
and post-processes the HTML either engine writes. Each is run in strict mode (a warning
fails the build) with the rulebook's date as ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from mkdocs.plugins import BasePlugin
from mkdocs.utils.yaml import yaml_load

from generator.errors import BuildError
from generator.render.markdown_text import character_references

#: Longest a Zensical build may take before it is stopped (its own limit, not the site's).
ZENSICAL_TIMEOUT = 900


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """MkDocs reads SOURCE_DATE_EPOCH for every date it writes: make it the rulebook's."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _drop_theme_search(site_dir: Path) -> None:
    """Both engines copy the theme's search (lunr, its language packs, the worker; Zensical
    also its index) whether or not anything uses it. The site searches with its own index
    (docs/search.md), so they go, with the compressed sitemap, which the generator's true
    sitemap.xml would contradict."""
    scripts = site_dir / "assets" / "javascripts"
    shutil.rmtree(scripts / "lunr", ignore_errors=True)
    for worker in (scripts / "workers").glob("search.*"):
        worker.unlink()
    with contextlib.suppress(OSError):
        (scripts / "workers").rmdir()  # only when nothing else is in it
    (site_dir / "search.json").unlink(missing_ok=True)
    (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)


@dataclass(frozen=True)
class Job:
    """One edition to render: the staged docs into ``site_dir``."""

    config_file: Path
    docs_dir: Path
    site_dir: Path
    nav: list[Any]
    epoch: int  # the rulebook's newest date, for every date an engine writes
    #: Settings of mkdocs.yml to replace: the edition's address, language, theme, words.
    overrides: dict[str, Any] = field(default_factory=dict)


#: Told of each HTML page the engine has written, by its path under the site directory.
Finished = Callable[[str], None]


@dataclass(frozen=True)
class Pending:
    """The order in which the engine is to take the docs pages (where it reads them in
    turn), and the generated pages among them that may still be being written."""

    order: tuple[str, ...]  # docs paths (``rules/x.md``); pages not named come after
    generated: frozenset[str]  # those the generator may still be writing
    wait: Callable[[str], None]  # returns once the generated page at a docs path is written


def reads_in_turn(engine: str) -> bool:
    """Whether ``engine`` reads and writes pages one after another, in ``Pending.order``
    (MkDocs), so that it can start while they are still being written; Zensical reads
    every page at once."""
    return engine != "zensical"


def render_site(
    job: Job,
    engine: str = "mkdocs",
    finished: Finished | None = None,
    pending: Pending | None = None,
) -> None:
    """Render ``job`` with ``engine``; any warning fails the build. ``finished`` hears of
    each page as soon as it is written (MkDocs writes one after another; Zensical's are
    told when it is done), so another process can read pages while the engine runs.
    MkDocs takes pages in ``pending.order`` and reads each generated one once it is
    written (see ``reads_in_turn``); Zensical starts when all are written."""
    if engine == "zensical":
        if pending is not None:
            for source in sorted(pending.generated):
                pending.wait(source)
        _zensical(job)
        if finished is not None:
            for page in sorted(job.site_dir.rglob("*.html")):
                finished(page.relative_to(job.site_dir).as_posix())
    else:
        _mkdocs(job, finished=finished, pending=pending)
    _drop_theme_search(job.site_dir)


class _Pending(BasePlugin):
    """Orders the files MkDocs found as ``Pending.order`` says, adding the generated pages
    not on disk yet, then holds MkDocs back at each generated page until it is written
    (MkDocs then reads the file itself). MkDocs renders and writes pages in that order,
    which changes nothing in them."""

    def __init__(self, pending: Pending) -> None:
        self.pending = pending

    def on_files(self, files: Any, /, *, config: Any) -> Any:
        from mkdocs.structure.files import File, Files

        first = []
        for src in self.pending.order:
            found = files.get_file_from_path(src)
            if found is None and src in self.pending.generated:  # not written yet
                found = File(src, config.docs_dir, config.site_dir, config.use_directory_urls)
            if found is not None:  # else a page MkDocs leaves out (exclude_docs)
                first.append(found)
        taken = {f.src_uri for f in first}
        return Files(first + [f for f in files if f.src_uri not in taken])

    def on_page_read_source(self, /, *, page: Any, config: Any) -> None:
        if page.file.src_uri in self.pending.generated:
            self.pending.wait(page.file.src_uri)


class _Finished(BasePlugin):
    """MkDocs writes a page right after its post_page event, so a page is known written
    at the next page's event, and the last one at post_build."""

    def __init__(self, finished: Finished) -> None:
        self.finished, self.pending = finished, ""

    def _flush(self) -> None:
        if self.pending:
            self.finished(self.pending)
        self.pending = ""

    def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
        self._flush()
        self.pending = page.file.dest_uri
        return output

    def on_post_build(self, *, config: Any) -> None:
        self._flush()


def render_changed(job: Job) -> None:
    """Render again only the pages whose staged source is newer than their HTML, into the
    site ``job`` built before (MkDocs' dirty build; Zensical has none), keeping every other
    file as it is: the files the theme writes on each build (sitemap.xml, 404.html) were
    replaced by the generator's and stay so."""
    keep = {name: job.site_dir / name for name in ("sitemap.xml", "404.html")}
    kept = {name: path.read_bytes() for name, path in keep.items() if path.is_file()}
    quiet = _DropDirtyWarning()
    build_logger = logging.getLogger("mkdocs.commands.build")
    build_logger.addFilter(quiet)
    try:
        _mkdocs(job, dirty=True)
    finally:
        build_logger.removeFilter(quiet)
        for name, content in kept.items():
            keep[name].write_bytes(content)
    _drop_theme_search(job.site_dir)


class _DropDirtyWarning(logging.Filter):
    """MkDocs warns that a dirty build may leave other pages' navigation stale: here the
    navigation lists hubs only and is the same for every page, and in strict mode that
    warning would fail the rebuild."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def _mkdocs(
    job: Job,
    *,
    dirty: bool = False,
    finished: Finished | None = None,
    pending: Pending | None = None,
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("jieba").setLevel(logging.WARNING)  # its start-up chatter is noise
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        with _source_date(job.epoch):
            config = load_config(
                str(job.config_file),
                docs_dir=str(job.docs_dir),
                site_dir=str(job.site_dir),
                nav=job.nav,
                strict=True,
                **job.overrides,
            )
            if finished:
                config.plugins["triagebook/finished"] = _Finished(finished)
            if pending:
                config.plugins["triagebook/pending"] = _Pending(pending)
            build(config, dirty=dirty)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in collect.messages)
        raise BuildError(f"the site engine failed: {exc}\n{details}".rstrip()) from exc
    finally:
        logger.removeHandler(collect)


def _zensical(job: Job) -> None:
    """Zensical is driven as a command. It wants the docs and the output inside the folder
    of its configuration, so both live in the staging area, beside a configuration written
    there: mkdocs.yml with the edition's settings, and paths relative to it."""
    docs_dir, site_dir, overrides = job.docs_dir, job.site_dir, job.overrides
    with job.config_file.open(encoding="utf-8") as fh:
        config = yaml_load(fh) or {}
    _links_from_sources(docs_dir, directory_urls=config.get("use_directory_urls", True))
    home = docs_dir.parent
    out = home / f"{docs_dir.name}.html"
    if out.exists():
        shutil.rmtree(out)
    theme = {**config.get("theme", {}), **overrides.get("theme", {})}
    if isinstance(theme.get("palette"), dict):
        # One scheme: MkDocs' theme renders no switch for it, Zensical (which makes every
        # palette a list) an invisible radio button that takes keyboard focus. Its own
        # default colours are the same (the default scheme, indigo).
        theme.pop("palette")
    if theme.get("custom_dir"):
        theme["custom_dir"] = os.path.relpath(theme["custom_dir"], home)
    settings = {
        **config,
        **overrides,
        "theme": theme,
        "docs_dir": docs_dir.name,
        "site_dir": out.name,
        "nav": job.nav,
        "strict": True,
    }
    settings.pop("validation", None)  # MkDocs' link checks; Zensical checks links itself
    # The site searches with its own index; Zensical's would add a whole-site download.
    plugins = settings.get("plugins") or []
    if "search" not in plugins and "material/search" not in plugins:
        settings["plugins"] = {"search": {"enabled": False}}
    written = home / f"{docs_dir.name}.zensical.yml"
    written.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")
    command = [sys.executable, "-m", "zensical", "build", "--strict", "-f", written.name]
    try:
        done = subprocess.run(
            command,
            cwd=home,
            capture_output=True,
            text=True,
            check=False,
            timeout=ZENSICAL_TIMEOUT,
            env={**os.environ, "SOURCE_DATE_EPOCH": str(job.epoch), "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"the site engine (zensical) took over {ZENSICAL_TIMEOUT} s") from None
    except OSError as exc:
        raise BuildError(f"cannot run the site engine (zensical): {exc}") from exc
    if done.returncode != 0 or not out.is_dir():
        raise BuildError(f"the site engine (zensical) failed:\n{_zensical_report(done)}")
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(out, site_dir)


def _zensical_report(done: subprocess.CompletedProcess[str]) -> str:
    """What Zensical said, as plain lines: no colours, no Python traceback of its own."""
    said = _ANSI.sub("", done.stdout + "\n" + done.stderr)
    said = said.split("Traceback (most recent call last)", 1)[0]
    if "No module named zensical" in done.stderr:
        said = "zensical is not installed (make site installs it from the lock)"
    lines = [line.rstrip() for line in said.splitlines() if line.strip()]
    lines = [line for line in lines if line not in ("Build started",)]
    return "\n".join(f"  {line}" for line in lines[-40:])


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_NOSCRIPT = re.compile(r"(<noscript>.*?</noscript>)", re.DOTALL | re.IGNORECASE)


def _links_from_sources(docs_dir: Path, *, directory_urls: bool) -> None:
    """The generator writes the links of raw HTML relative to the page's address, as MkDocs
    serves them. Zensical resolves them against the Markdown file instead (as it does
    Markdown links), so each is restated relative to its file: the same address after
    Zensical's rewriting."""
    for source in docs_dir.rglob("*.md"):
        path = source.relative_to(docs_dir)
        at = path.parent if path.stem == "index" or not directory_urls else path.with_suffix("")
        text = source.read_text(encoding="utf-8")
        page, folder = at.as_posix(), path.parent.as_posix()
        # Inside <noscript> an HTML parser sees text, not links: Zensical leaves those.
        parts = _NOSCRIPT.split(text)
        for i in range(0, len(parts), 2):
            parts[i] = _URL_ATTRIBUTE.sub(
                lambda m, page=page, folder=folder: m[1] + _restate(m[2], page, folder) + m[3],
                parts[i],
            )
        moved = "".join(parts)
        if moved != text:
            source.write_text(moved, encoding="utf-8")


def _restate(value: str, page: str, folder: str) -> str:
    url = urlsplit(html.unescape(value))
    if url.scheme or url.netloc or url.path.startswith("/") or url.path.endswith(".md"):
        return value
    if not url.path:
        return value  # a fragment or a query of the page itself
    target = posixpath.normpath(posixpath.join(page, url.path))
    moved = posixpath.relpath(target, folder or ".")
    if url.path.endswith("/") and not moved.endswith("/"):
        moved += "/"
    restated = urlunsplit(("", "", moved, url.query, url.fragment))
    # Text from the rulebook reaches the engine as character references: keep it so.
    return character_references(restated) if "&#" in value else restated
