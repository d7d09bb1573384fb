"""Publishing against a loopback server that behaves as indexnow.org documents."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.cli import main
from generator.config import load_settings
from generator.errors import PublishError
from generator.outputs.manifest import MANIFEST
from generator.publish.changes import PublishOptions, State, publish
from generator.site.build import Project, build

from conftest import mutate

KEY = "triagebook-test-key-0001"
HOST = "triagebook.example.com"


@dataclass
class FakeIndexNow:
    """Checks each POST as IndexNow does; answers from a script, then 200."""

    site_dir: Path
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    url: str = ""

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str]]:
        if handler.path != "/indexnow":
            return 404, {}
        if handler.headers.get("Content-Type") != "application/json; charset=utf-8":
            return 400, {}
        length = int(handler.headers.get("Content-Length", 0))
        try:
            body = json.loads(handler.rfile.read(length).decode("utf-8"))
        except ValueError:
            return 400, {}
        if set(body) != {"host", "key", "keyLocation", "urlList"} or len(body["urlList"]) > 10_000:
            return 400, {}
        self.requests.append(body)
        key_file = self.site_dir / urlsplit(body["keyLocation"]).path.lstrip("/")
        if not key_file.is_file() or key_file.read_text(encoding="utf-8") != body["key"]:
            return 403, {}
        if urlsplit(body["keyLocation"]).hostname != body["host"] or any(
            urlsplit(url).hostname != body["host"] for url in body["urlList"]
        ):
            return 422, {}
        return self.script.pop(0) if self.script else (200, {})


@pytest.fixture
def indexnow(tmp_path: Path) -> Iterator[FakeIndexNow]:
    fake = FakeIndexNow(site_dir=tmp_path / "site")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status, headers = fake.answer(self)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/indexnow"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(project: Path, tmp_path: Path) -> Path:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"\nextra:\n  indexnow:\n    key: {KEY}\n",
        encoding="utf-8",
    )
    build(Project(project / "rules" / "rulebook.yaml", config), tmp_path / "site")
    return tmp_path / "site"


def run(
    project: Path, site: Path, fake: FakeIndexNow, now: float | None = None, **kw: object
) -> tuple[list[str], list[str]]:
    said: list[str] = []
    options = PublishOptions(
        site_dir=site, state_file=site.parent / "state.json", endpoint=fake.url, **kw
    )  # type: ignore[arg-type]
    clock = {"now": (lambda: now)} if now is not None else {}
    sent = publish(load_settings(project / "mkdocs.yml"), options, say=said.append, **clock)
    return sent, said


def manifest_urls(site: Path) -> list[str]:
    return sorted(json.loads((site / MANIFEST).read_text(encoding="utf-8"))["urls"])


def test_build_writes_the_key_file_and_the_manifest(site: Path) -> None:
    assert (site / f"{KEY}.txt").read_bytes() == KEY.encode("utf-8")
    urls = manifest_urls(site)
    assert f"https://{HOST}/rules/http-429/" in urls and f"https://{HOST}/about/" in urls


def test_first_publish_sends_every_url_then_nothing(project, site, indexnow) -> None:
    sent, _ = run(project, site, indexnow)
    assert sent == manifest_urls(site)
    assert indexnow.requests == [
        {
            "host": HOST,
            "key": KEY,
            "keyLocation": f"https://{HOST}/{KEY}.txt",
            "urlList": sent,
        }
    ]
    sent, said = run(project, site, indexnow)
    assert sent == []
    assert said == ["nothing changed since the last publish; no request sent"]
    assert len(indexnow.requests) == 1


def test_one_edited_rule_sends_only_its_pages_and_the_hubs_that_show_it(
    project, site, indexnow, tmp_path
) -> None:
    run(project, site, indexnow)
    rules = project / "rules" / "rulebook.yaml"
    rules.write_text(
        mutate(
            rules.read_text(encoding="utf-8"),
            (
                "summary: 客户端找不到 API 域名对应的地址。先用 nslookup 检查域名。",
                "summary: 客户端解析不到 API 域名。先用 nslookup 或 dig 检查域名。",
            ),
        ),
        encoding="utf-8",
    )
    build(Project(rules, project / "mkdocs.yml"), site)
    sent, said = run(project, site, indexnow, force=True)
    # Only the pages that show the summary: hubs list codes and titles, not summaries.
    assert sent == [
        f"https://{HOST}/checklists/dns-enotfound/",
        f"https://{HOST}/rules/dns-enotfound/",
    ]
    assert said[0] == "0 added, 2 changed, 0 deleted: 2 URL(s) to submit"


def test_429_with_retry_after_is_retried(project, site, indexnow) -> None:
    indexnow.script = [(429, {"Retry-After": "1"})]
    sent, said = run(project, site, indexnow)
    assert sent == manifest_urls(site)
    assert len(indexnow.requests) == 2
    assert said[1] == "IndexNow answered 429; retrying in 1 s (attempt 2 of 4)"


def test_202_says_key_validation_is_pending(project, site, indexnow) -> None:
    indexnow.script = [(202, {})]
    _, said = run(project, site, indexnow)
    assert said[-1].endswith("with 202 (key validation pending)")


def test_403_fails_clearly_and_the_next_publish_sends_again(
    project, site, indexnow, capsys
) -> None:
    (site / f"{KEY}.txt").write_text("another-key", encoding="utf-8")  # a bad deploy
    args = [
        "publish",
        "--config",
        str(project / "mkdocs.yml"),
        "--site-dir",
        str(site),
        "--endpoint",
        indexnow.url,
        "--state",
        str(site.parent / "state.json"),
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert (
        f"error: IndexNow says the key is not valid (403 Forbidden): the key file "
        f"https://{HOST}/{KEY}.txt is not reachable or does not contain the key"
    ) in err
    assert not (site.parent / "state.json").exists()
    (site / f"{KEY}.txt").write_text(KEY, encoding="utf-8")
    assert main(args) == 0
    assert indexnow.requests[-1]["urlList"] == manifest_urls(site)


def test_422_names_the_host(project, site, indexnow) -> None:
    indexnow.script = [(422, {})]
    with pytest.raises(PublishError, match=f"they must belong to {HOST}"):
        run(project, site, indexnow)


def test_10001_changed_urls_go_in_two_requests(project, site, indexnow) -> None:
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    manifest["urls"] = {f"https://{HOST}/rules/r{i:05d}/": "h" for i in range(10_001)}
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    sent, _ = run(project, site, indexnow)
    assert [len(r["urlList"]) for r in indexnow.requests] == [10_000, 1]
    assert len(sent) == 10_001


def test_a_failed_second_batch_keeps_the_first_and_resends_the_rest(
    project, site, indexnow
) -> None:
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    manifest["urls"] = {f"https://{HOST}/rules/r{i:05d}/": "h" for i in range(10_001)}
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    indexnow.script = [(200, {}), (400, {})]
    with pytest.raises(PublishError, match="malformed"):
        run(project, site, indexnow)
    assert len(State.load(site.parent / "state.json").urls) == 10_000
    sent, _ = run(project, site, indexnow)
    assert sent == [f"https://{HOST}/rules/r10000/"]


def test_deleted_urls_are_sent_and_forgotten(project, site, indexnow) -> None:
    run(project, site, indexnow)
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    gone = f"https://{HOST}/rules/cors-blocked/"
    del manifest["urls"][gone]
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    sent, said = run(project, site, indexnow, force=True)
    assert sent == [gone] and said[0].startswith("0 added, 0 changed, 1 deleted")
    assert gone not in State.load(site.parent / "state.json").urls


def test_recently_accepted_urls_are_held_back_unless_forced(project, site, indexnow) -> None:
    run(project, site, indexnow)
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    changed = f"https://{HOST}/rules/http-429/"
    manifest["urls"][changed] = "edited"
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    sent, said = run(project, site, indexnow)
    assert sent == [] and said[0].startswith("holding back 1 changed URL(s)")
    assert " until 20" in said[0] and " UTC: publish again then, or use --force" in said[0]
    assert said[-1] == "no request sent"  # not "nothing changed": something did
    sent, _ = run(project, site, indexnow, force=True)
    assert sent == [changed]


def test_held_back_urls_are_sent_by_a_later_publish(project, site, indexnow) -> None:
    started = time.time()
    run(project, site, indexnow, now=started)
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    changed = f"https://{HOST}/rules/http-429/"
    manifest["urls"][changed] = "edited"
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert run(project, site, indexnow, now=started + 60)[0] == []
    sent, said = run(project, site, indexnow, now=started + 601)
    assert sent == [changed]
    assert not any("holding back" in line for line in said)


def test_dry_run_sends_nothing_and_keeps_the_state(project, site, indexnow) -> None:
    sent, said = run(project, site, indexnow, dry_run=True)
    assert sent == manifest_urls(site)
    assert indexnow.requests == []
    assert said[-1] == "dry run: nothing was sent and the state was not changed"
    assert not (site.parent / "state.json").exists()


def test_network_failure_is_clear_and_keeps_the_state(project, site, indexnow) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/indexnow"
    indexnow.url = closed
    with pytest.raises(PublishError, match=r"could not reach .* nothing was recorded"):
        run(project, site, indexnow)
    assert not (site.parent / "state.json").exists()


@pytest.mark.parametrize(
    ("site_url", "message"),
    [
        ("http://localhost:8000/", "site_url points at localhost"),
        ("http://127.0.0.1:8000/", "site_url points at 127.0.0.1"),
        (None, "site_url is not set in mkdocs.yml"),
    ],
)
def test_refuses_local_or_missing_site_url(project, site, indexnow, site_url, message) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "site_url: https://triagebook.example.com/\n",
        f"site_url: {site_url}\n" if site_url else "",
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(PublishError, match=message):
        run(project, site, indexnow)
    assert indexnow.requests == []


def test_refuses_pull_request_builds(project, site, indexnow, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    with pytest.raises(PublishError, match="pull-request build"):
        run(project, site, indexnow)


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 129, "ключ-ключ-ключ"])
def test_bad_keys_are_refused(project, site, indexnow, key) -> None:
    with pytest.raises(PublishError, match="8 to 128 characters of letters, digits and '-'"):
        run(project, site, indexnow, key=key)


def test_publish_never_runs_during_build(project, monkeypatch, tmp_path) -> None:
    # Any request during a build fails it (the writers' forked process inherits this).
    calls: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError("a build made a network request")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"\nextra:\n  indexnow:\n    key: {KEY}\n",
        encoding="utf-8",
    )
    build(Project(project / "rules" / "rulebook.yaml", config), tmp_path / "s2")
    assert calls == []
    assert (tmp_path / "s2" / f"{KEY}.txt").is_file()  # a key is configured, yet nothing sent
    assert not (project / ".triagebook" / "indexnow-state.json").exists()


# ---- endpoints that misbehave: nothing is recorded unless the endpoint itself accepted ----


@pytest.fixture
def raw_endpoint() -> Iterator[tuple[list[object], str]]:
    """A TCP server that answers each request with the next scripted bytes (a callable
    gets the socket to misbehave with)."""
    script: list[object] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                return
            with client:
                client.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request:
                    request += client.recv(65536)
                head, _, body = request.partition(b"\r\n\r\n")
                length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                while len(body) < length:
                    body += client.recv(65536)
                answer = (
                    script.pop(0) if script else b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                )
                with contextlib.suppress(OSError):
                    answer(client) if callable(answer) else client.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield script, f"http://127.0.0.1:{server.getsockname()[1]}/indexnow"
    finally:
        stop.set()
        server.close()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def trickle(client: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 200:
        client.sendall(bytes([byte]))
        time.sleep(0.05)


MISBEHAVIOUR = {
    "redirect-to-another-host": (
        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://collector.example.net/\r\n"
        b"Content-Length: 0\r\n\r\n",
        r"answered 307, a redirect to http://collector\.example\.net/: the URLs were not handed",
    ),
    "html-page-with-200": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 27\r\n\r\n"
        b"<html><body>Login</body>\r\n",
        r"answered 200 with a web page, not an IndexNow answer",
    ),
    "garbage-status-line": (b"SMTP ready\r\n\r\n", r"not valid HTTP"),
    "too-many-headers": (
        b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 150 + b"\r\n",
        r"not valid HTTP",
    ),
    "retry-after-days": (
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 999999\r\nContent-Length: 0\r\n\r\n",
        r"asks to wait 999,999 s: publish again after 20\d\d-\d\d-\d\d \d\d:\d\d UTC",
    ),
    "trickling-answer": (trickle, r"gave no complete answer within 2 s"),
}


@pytest.mark.parametrize("case", list(MISBEHAVIOUR), ids=list(MISBEHAVIOUR))
def test_a_misbehaving_endpoint_records_nothing(project, site, raw_endpoint, case) -> None:
    script, url = raw_endpoint
    answer, message = MISBEHAVIOUR[case]
    script.append(answer)
    options = PublishOptions(
        site_dir=site, state_file=site.parent / "state.json", endpoint=url, timeout=2
    )
    started = time.monotonic()
    with pytest.raises(PublishError, match=message):
        publish(load_settings(project / "mkdocs.yml"), options, say=lambda _: None)
    assert time.monotonic() - started < 10
    assert not (site.parent / "state.json").exists()


def test_misbehaviour_through_the_cli_is_one_line(project, site, raw_endpoint, capsys) -> None:
    script, url = raw_endpoint
    script.append(MISBEHAVIOUR["garbage-status-line"][0])
    args = ["publish", "--site-dir", str(site), "--config", str(project / "mkdocs.yml")]
    args += ["--endpoint", url, "--state", str(site.parent / "state.json")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "not valid HTTP" in err
