"""The site engine stage: MkDocs + Material render a staged Markdown tree to HTML.

Nothing else lives in MkDocs: the generator writes Markdown and the
machine-readable files itself, so the engine can be replaced (Zensical reads
the same mkdocs.yml) without moving content generation.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.errors import BuildError


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
    """Material copies its search (lunr, its language packs, the worker: 1.2 MB) whether or
    not its search plugin runs. The site searches with its own index, so they go."""
    scripts = site_dir / "assets" / "javascripts"
    shutil.rmtree(scripts / "lunr", ignore_errors=True)
    for worker in (scripts / "workers").glob("search.*"):
        worker.unlink()
    with contextlib.suppress(OSError):
        (scripts / "workers").rmdir()  # only when nothing else is in it


def render_site(
    config_file: Path,
    docs_dir: Path,
    site_dir: Path,
    nav: list[Any],
    epoch: int,
    overrides: dict[str, Any] | None = None,
) -> None:
    """Run MkDocs in strict mode on ``docs_dir``; any warning fails the build.
    ``overrides`` replace settings of mkdocs.yml (an edition's address and language)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("jieba").setLevel(logging.WARNING)  # its start-up chatter is noise
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        with _source_date(epoch):
            config = load_config(
                str(config_file),
                docs_dir=str(docs_dir),
                site_dir=str(site_dir),
                nav=nav,
                strict=True,
                **(overrides or {}),
            )
            build(config)
        # MkDocs dates every sitemap entry with the build date; the generator writes a
        # true sitemap.xml, and a stale compressed copy must not contradict it.
        (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)
        if "search" not in config.plugins:
            _drop_theme_search(site_dir)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in collect.messages)
        raise BuildError(f"the site engine failed: {exc}\n{details}".rstrip()) from exc
    finally:
        logger.removeHandler(collect)
