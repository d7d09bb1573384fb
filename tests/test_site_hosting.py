"""The host rules as production applies them, twice: through the generated nginx snippet in
Debian's nginx (`nginx -t` accepts a server block that includes it), and through
`triagebook preview`. Both answer alike: the security headers, immutable caching for
fingerprinted files, a 301 for an old rule id, and the Markdown twin for
`Accept: text/markdown`, with `Vary: Accept`."""

from __future__ import annotations

import getpass
import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.site.build import build

from conftest import project_of

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME = Path("/etc/nginx/mime.types")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import ROOT, SMALL

    root = tmp_path_factory.mktemp("hosted")
    project = root / "project"
    (project / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copy(SMALL, project / "rules" / "rulebook.yaml")  # it redirects cors-error
    site = root / "site"
    build(project_of(project), site)
    return site


@pytest.fixture(scope="module")
def preview_site(small_site: Path) -> Iterator[tuple[int, Path]]:
    import threading

    from generator.site.preview import preview_server

    server = preview_server(small_site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], small_site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def nginx_site(
    small_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, Path]]:
    assert Path(NGINX).exists(), "nginx is missing: run `make test` (it installs Debian's nginx)"
    # Workers run as this user (nginx ignores `user` when not started as root), so the
    # pytest folders, private to it, stay readable.
    root = tmp_path_factory.mktemp("nginx")
    site = small_site
    port = _free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
user {getpass.getuser()};
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
    include {MIME};
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include {site}/_nginx.conf;
    }}
}}
""",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(root), "-c", str(conf)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([NGINX, "-p", str(root), "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port, site
    finally:
        server.terminate()
        server.wait(timeout=10)


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


@pytest.fixture(params=["nginx", "preview"])
def hosted(request: pytest.FixtureRequest) -> tuple[int, Path]:
    return request.getfixturevalue(f"{request.param}_site")


def test_pages_carry_the_security_headers_and_revalidate(hosted) -> None:
    port, site = hosted
    response = get(port, "/rules/http-429/")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    policy = response.getheader("Content-Security-Policy")
    assert policy and policy.endswith("frame-ancestors 'none'") and "object-src 'none'" in policy
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Cache-Control") == "public, max-age=0, must-revalidate"
    assert response.getheader("Vary") == "Accept"
    bundle = next((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    response = get(port, "/" + bundle.relative_to(site).as_posix())
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Security-Policy") == policy
    assert get(port, "/_headers").status == 404


def test_an_old_rule_id_is_a_real_redirect(hosted) -> None:
    port, _ = hosted
    for old, new in (
        ("/rules/cors-error/", "/rules/cors-blocked/"),
        ("/checklists/cors-error/", "/checklists/cors-blocked/"),
    ):
        response = get(port, old)
        assert response.status == 301
        assert response.getheader("Location").endswith(new)


def test_an_agent_asking_for_markdown_gets_the_twin(hosted) -> None:
    port, site = hosted
    response = get(port, "/rules/http-429/", Accept="text/markdown")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/markdown; charset=utf-8"
    assert response.getheader("Vary") == "Accept"
    twin = (site / "rules" / "http-429" / "index.md").read_bytes()
    assert response.body == twin  # type: ignore[attr-defined]
    # A page without a twin answers with itself; a browser still gets HTML.
    response = get(port, "/about/", Accept="text/markdown")
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/html")
    response = get(port, "/rules/http-429/", Accept="text/html,*/*;q=0.8")
    assert response.getheader("Content-Type").startswith("text/html")
    assert get(port, "/no/such/page/").status == 404
