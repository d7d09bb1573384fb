"""Faults while publishing: crashes while saving the state, network faults; the state never lies."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from generator.errors import PublishError
from generator.publish.changes import State
from generator.site.build import build

from conftest import project_of

pytestmark = pytest.mark.slow


def test_a_crash_while_saving_the_state_keeps_the_old_one(tmp_path, monkeypatch) -> None:
    path = tmp_path / "state.json"
    State({"https://x.example/": "a"}, {"https://x.example/": 1.0}).save(path)
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError("power cut (simulated)")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="power cut"):
        State({"https://x.example/": "b"}, {}).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def _server(behaviour) -> tuple[str, threading.Thread, socket.socket]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        conn, _ = listener.accept()
        behaviour(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/indexnow", thread, listener


@pytest.mark.parametrize("fault", ["timeout", "reset"])
def test_network_faults_are_clear_and_keep_the_state(fault, project, tmp_path, monkeypatch) -> None:
    from generator.config import load_settings
    from generator.publish import indexnow
    from generator.publish.changes import PublishOptions, publish

    def timeout(conn: socket.socket) -> None:
        time.sleep(2)
        conn.close()

    def reset(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    monkeypatch.setattr(indexnow, "TIMEOUT", 0.5)
    url, thread, listener = _server(timeout if fault == "timeout" else reset)
    site = tmp_path / "site"
    (project / "mkdocs.yml").write_text(
        (project / "mkdocs.yml").read_text("utf-8") + "\nextra:\n  indexnow:\n    key: abcdefgh1\n",
        "utf-8",
    )
    build(project_of(project), site)
    state = tmp_path / "state.json"
    options = PublishOptions(site_dir=site, state_file=state, endpoint=url)
    with pytest.raises(PublishError, match=f"could not reach {url}: .*nothing was recorded"):
        publish(load_settings(project / "mkdocs.yml"), options, say=lambda _: None)
    assert not state.exists()
    thread.join(timeout=5)
    listener.close()


def test_json_state_file_of_another_tool_is_refused_clearly(tmp_path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(["not", "a", "state"]), encoding="utf-8")
    with pytest.raises(PublishError, match="is not a publish state file"):
        State.load(path)


pytestmark = pytest.mark.slow
