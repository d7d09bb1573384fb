from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small" / "rulebook.yaml"


def problems_for(
    tmp_path: Path, text: str, *, strict: bool = False, errors_only: bool = False
) -> list[str]:
    """``check``'s messages for a rulebook ``text``, as an editor reads them."""
    from generator.rulebook.loader import load

    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path, strict=strict, display="rulebook.yaml")
    return [p.text() for p in (loaded.errors if errors_only else loaded.problems)]


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``triagebook ARGS`` in a subprocess, as a user runs it; it never prints a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "TRIAGEBOOK_DEBUG": ""},
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def tree_digest(site: Path) -> dict[str, str]:
    """Every file of a built site with its SHA-256: two sites are identical when these are."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def load_bench():  # type: ignore[no-untyped-def]
    """The benchmark script as a module: its synthesiser makes big rulebooks."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench", ROOT / "tests/bench/bench.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def project_of(root: Path):  # type: ignore[no-untyped-def]
    from generator.site.build import Project

    return Project(root / "rules" / "rulebook.yaml", root / "mkdocs.yml")


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
    for name in ("content",):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "rules").mkdir()
    shutil.copy(SMALL, tmp_path / "rules" / "rulebook.yaml")
    return tmp_path


#: The site engines every output, browser and Lighthouse test runs against.
ENGINES = ("mkdocs", "zensical")
_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session", params=ENGINES)
def real_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real rulebook, built once per engine for the session, as `make site` builds it.
    Tests that use it run once per engine; a test may pick engines with indirect
    parametrization (``@pytest.mark.parametrize("real_site", [...], indirect=True)``)."""
    from generator.site.build import Project, build

    engine = request.param
    if engine not in _BUILT:
        site = tmp_path_factory.mktemp(f"real-{engine}") / "site"
        rules, config = ROOT / "rules" / "rulebook.yaml", ROOT / "mkdocs.yml"
        build(Project(rules, config, engine=engine), site)
        _BUILT[engine] = site
    return _BUILT[engine]


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless chromium, driven by Playwright (`make test` installs both)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _page(browser, served: str, **options: object):  # type: ignore[no-untyped-def]
    # Playwright evaluates waits and expressions with eval(), which the site's content
    # security policy refuses; the policy itself is tested in test_site_security.py with
    # tabs that keep it (``strict=True``).
    strict = bool(options.pop("strict", False))
    context = browser.new_context(
        base_url=served,
        permissions=["clipboard-read", "clipboard-write"],
        bypass_csp=not strict,
        **options,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return context, page


@pytest.fixture
def page(browser, served: str):  # type: ignore[no-untyped-def]
    """A desktop reader's tab on the served site; ``page.errors`` collects console errors."""
    context, tab = _page(browser, served)
    yield tab
    context.close()


@pytest.fixture
def strict_page(browser, served: str):  # type: ignore[no-untyped-def]
    """A desktop tab that keeps the site's content security policy (no eval: wait with
    locators, read with ``evaluate`` of a plain expression in an isolated world)."""
    context, tab = _page(browser, served, strict=True)
    yield tab
    context.close()


@pytest.fixture
def phone(browser, served: str):  # type: ignore[no-untyped-def]
    """A phone reader's tab: 390 px wide, touch."""
    context, tab = _page(browser, served, viewport=PHONE, is_mobile=True, has_touch=True)
    yield tab
    context.close()


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
    """A static server that gzips text and answers a missing address with the nearest
    404.html up the tree (the English edition's under /en/), as Cloudflare Pages does."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.exists():
            root = Path(self.directory).resolve()
            nearest = next(
                found
                for folder in (path.parent, *path.parent.parents)
                if (found := folder / "404.html").is_file() or folder == root
            )
            body = nearest.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        if (
            not path.is_file()
            or path.suffix not in GZIP_SUFFIXES
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()  # directories without a slash get redirected here
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


GZIP_SUFFIXES = {".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".md"}
