"""How long `triagebook serve` takes to show a one-rule edit: from saving the rulebook to
the server answering with the edited page (what a reloading browser then fetches).

The server runs as a user runs it, in its own process; each edit changes the title of
another rule, a few seconds after the last (an editor does not type every second).
"""

from __future__ import annotations

import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PAUSE = 3.0  # between edits
TIMEOUT = 600.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _retitled(text: str, rule_id: str, mark: str) -> str:
    at = re.search(rf"^( *)- id: {re.escape(rule_id)}\n", text, re.M)
    assert at, rule_id
    title = re.compile(rf"^{at[1]}  title: ", re.M).search(text, at.end())
    assert title, rule_id
    return text[: title.end()] + mark + " " + text[title.end() :]


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def serve_edit_seconds(project: Path, engine: str, rule_ids: list[str], repeat: int) -> float:
    """The median time a one-rule edit takes to be served, over ``repeat`` edits."""
    port, rules = _free_port(), project / "rules" / "rulebook.yaml"
    original = rules.read_text(encoding="utf-8")
    command = [sys.executable, "-m", "generator", "serve", "--project", str(project)]
    command += ["--engine", engine, "--dev-addr", f"127.0.0.1:{port}"]
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + TIMEOUT
            while _page(f"http://127.0.0.1:{port}/") == "":
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"serve did not start:\n{log.read()[-3000:]}")
                time.sleep(0.5)
            times = []
            for k in range(repeat):
                rule_id = rule_ids[(k * 7 + 3) % len(rule_ids)]
                mark = f"EDIT{k}x{engine}"
                time.sleep(PAUSE)
                started = time.perf_counter()
                rules.write_text(_retitled(original, rule_id, mark), encoding="utf-8")
                url = f"http://127.0.0.1:{port}/rules/{rule_id}/"
                while mark not in _page(url):
                    if time.perf_counter() - started > TIMEOUT:
                        raise RuntimeError(f"serve never showed the edit of {rule_id}")
                    time.sleep(0.02)
                times.append(time.perf_counter() - started)
            return statistics.median(times)
        finally:
            server.terminate()
            server.wait(timeout=60)
            rules.write_text(original, encoding="utf-8")
