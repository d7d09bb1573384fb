"""``triagebook preview``: a built site served as its host will serve it, from the rules
the build wrote for the host: the headers of ``_headers`` (the security policy, caching,
the Markdown ``Link``), the 301s of ``_redirects``, ``Accept: text/markdown`` answered with
a page's twin (``Vary: Accept``), and a missing address answered with the nearest
``404.html``. For editors and tests to see what production will do, on 127.0.0.1."""

from __future__ import annotations

import functools
import io
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from generator.errors import GeneratorError
from generator.outputs.nginx import NGINX


#: Read by hosts, not served to readers.
HOST_FILES = ("_headers", "_redirects", NGINX)


def read_headers(site_dir: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """``_headers`` as (path pattern, [(name, value)]) in file order."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    path = site_dir / "_headers"
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        if line.strip() and not line.startswith((" ", "\t")):
            rules.append((line.strip(), []))
        elif line.strip() and rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def read_redirects(site_dir: Path) -> dict[str, tuple[str, int]]:
    path = site_dir / "_redirects"
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            found[parts[0]] = (parts[1], int(parts[2]) if len(parts) > 2 else 301)
    return found


def _matches(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


class PreviewHandler(SimpleHTTPRequestHandler):
    # Text in UTF-8, as the nginx snippet and the common hosts declare it.
    extensions_map = {  # noqa: RUF012 (the class attribute the base class reads)
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".xml": "text/xml; charset=utf-8",
        ".json": "application/json; charset=utf-8",
    }
    headers_rules: list[tuple[str, list[tuple[str, str]]]] = []
    redirects: dict[str, tuple[str, int]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _path(self) -> str:
        return unquote(urlsplit(self.path).path)

    def end_headers(self) -> None:
        path = self._path()
        for pattern, values in self.headers_rules:
            if _matches(pattern, path):
                for name, value in values:
                    self.send_header(name, value)
        if path.endswith("/") or path.endswith(".md"):
            self.send_header("Vary", "Accept")
        super().end_headers()

    def send_head(self) -> BinaryIO | None:
        path = self._path()
        if path in self.redirects:
            target, status = self.redirects[path]
            self.send_response(status)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        local = Path(self.translate_path(self.path))
        if local.name in HOST_FILES and local.parent == Path(self.directory).resolve():
            local = local.with_name("missing")  # the host files are not for readers
        wants_markdown = "text/markdown" in self.headers.get("Accept", "")
        if path.endswith("/") and wants_markdown and (local / "index.md").is_file():
            return self._file(local / "index.md", 200, "text/markdown; charset=utf-8")
        if path.endswith(".md") and local.is_file():
            return self._file(local, 200, "text/markdown; charset=utf-8")
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if not local.exists():
            root = Path(self.directory).resolve()
            for folder in (local.parent, *local.parent.parents):
                if (folder / "404.html").is_file() or folder == root:
                    return self._file(folder / "404.html", 404, "text/html; charset=utf-8")
        return super().send_head()

    def _file(self, file: Path, status: int, kind: str) -> BinaryIO:
        body = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def preview_server(site_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    if not (site_dir / "index.html").is_file():
        raise GeneratorError(f"{site_dir} holds no built site: run `triagebook build` first")
    handler = type(
        "Handler",
        (PreviewHandler,),
        {"headers_rules": read_headers(site_dir), "redirects": read_redirects(site_dir)},
    )
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(site_dir)))


def preview(site_dir: Path, host: str, port: int) -> None:
    server = preview_server(site_dir, host, port)
    print(f"previewing {site_dir} at http://{host}:{server.server_address[1]}/", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
