from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small" / "rulebook.yaml"


def mutate(text: str, *edits: tuple[str, str]) -> str:
    """Apply exact, single-occurrence edits; fail loudly if the fixture drifted."""
    for old, new in edits:
        assert text.count(old) == 1, f"fixture edit is ambiguous or missing: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throw-away copy of this project's site settings, templates and content."""
    for name in ("mkdocs.yml",):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("site_templates", "content"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "rules").mkdir()
    shutil.copy(SMALL, tmp_path / "rules" / "rulebook.yaml")
    return tmp_path


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real rulebook, built once for the session, as `make site` builds it."""
    from generator.build import Project, build

    site = tmp_path_factory.mktemp("real") / "site"
    build(Project(ROOT / "rules" / "rulebook.yaml", ROOT / "mkdocs.yml"), site)
    return site


@pytest.fixture(scope="session")
def served(real_site: Path) -> Iterator[str]:
    """The real site on a loopback HTTP server; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(real_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
