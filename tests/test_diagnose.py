"""Diagnose: a pasted error text to the rules that answer it, as the CLI and tools see it.

The labelled corpus (tests/diagnose/corpus.yaml: real texts from SDKs, runtimes, curl,
browsers, nginx, Cloudflare, gateways, and typed descriptions) must put the right rule
first for 90 % of the texts and among the first three for 97 %.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from generator.diagnose.evidence import EXTRACTORS, extract, find_secrets, mask_secrets
from generator.diagnose.index import Index
from generator.diagnose.rank import rank
from generator.diagnose.text import FRAMES, NOISE, TAGS, normalize
from generator.rulebook.loader import load_or_raise

from conftest import ROOT, run_cli

CORPUS = Path(__file__).resolve().parent / "diagnose" / "corpus.yaml"
TOP1, TOP3 = 0.90, 0.97


@cache
def index() -> Index:
    return Index(load_or_raise(ROOT / "rules" / "rulebook.yaml"))


def corpus() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def ranked_ids(text: str, top: int = 3) -> list[str]:
    rules = index().rulebook.rules
    return [rules[match.rule].id for match in rank(text, index(), top)]


def test_the_corpus_is_labelled_with_real_rules() -> None:
    ids = {rule.id for rule in index().rulebook.rules}
    entries = corpus()
    assert len(entries) >= 100
    assert [e["rule"] for e in entries if e["rule"] not in ids] == []
    assert [a for e in entries for a in e.get("also", []) if a not in ids] == []
    kinds = {e["kind"] for e in entries}
    assert len(kinds) >= 12  # SDKs, runtimes, curl, browsers, gateways, typed text …


def test_corpus_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    entries = corpus()
    first = sum(ranked_ids(e["text"])[:1] == [e["rule"]] for e in entries)
    three = sum(e["rule"] in ranked_ids(e["text"]) for e in entries)
    with capsys.disabled():
        print(
            f"\ndiagnose corpus: top-1 {first}/{len(entries)} = {first / len(entries):.1%}, "
            f"top-3 {three}/{len(entries)} = {three / len(entries):.1%}"
        )
    assert first / len(entries) >= TOP1
    assert three / len(entries) >= TOP3


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Error: getaddrinfo ENOTFOUND api.example.com", "dns-enotfound"),
        ("Error code: 404 - {'error': {'code': 'model_not_found'}}", "invalid-model"),
        ("read ECONNRESET", "econnreset"),
        ("流式输出到一半就断了", "stream-interrupted"),
        ("公司网络下证书报错", "tls-certificate"),
    ],
)
def test_typical_texts_reach_their_rule_first(text: str, rule: str) -> None:
    assert ranked_ids(text)[:1] == [rule]


def test_a_specific_code_beats_the_generic_status() -> None:
    generic = ranked_ids("HTTP/1.1 404 Not Found")
    specific = ranked_ids("Error code: 404 - {'error': {'code': 'model_not_found'}}")
    assert generic[0] == "http-404"
    assert specific[0] == "invalid-model"


def test_noise_does_not_change_the_answer() -> None:
    plain = "connect ECONNREFUSED"
    noisy = (
        "2026-11-30T08:15:02.123Z [worker-7] request req_8f2b1c9a77e1f00d failed:\\r\\n"
        "Error: connect ECONNREFUSED 10.20.30.40:8443\\n    at TCPConnectWrap.afterConnect "
        "[as oncomplete] (node:net:1555:16) {\\n  errno: -111,\\n  address: '10.20.30.40' }"
    )
    assert ranked_ids(noisy)[0] == ranked_ids(plain)[0] == "econnrefused"


def test_normalizing_removes_what_varies() -> None:
    text = normalize(
        'Traceback (most recent call last):\n  File "/srv/app.py", line 12, in main\n'
        "    client.call()\nhttpx.ConnectError at https://api.example.com:8443/v1/x "
        "from 192.168.1.20:51234 id 3f2b1c9a-77e1-4f00-9d2a-1234567890ab <b>&amp;</b>"
    )
    assert "app.py" not in text and "line 12" not in text and "client.call" not in text
    for gone in ("api.example.com", "192.168", "3f2b1c9a", "<b>"):
        assert gone not in text
    assert "httpx.ConnectError" in text and "&" in text


def test_every_shared_pattern_is_in_the_common_regex_subset() -> None:
    patterns = [TAGS, *FRAMES, *NOISE] + [p for ps in EXTRACTORS.values() for p in ps]
    for pattern, flags in patterns:
        assert set(flags) <= {"i", "m"}
        assert "(?P<" not in pattern and "(?i" not in pattern and "\\A" not in pattern
        assert "\\s" not in pattern and "\\Z" not in pattern, pattern
        re.compile(pattern, re.ASCII)


# ---- evidence and secrets -----------------------------------------------------------------


def test_evidence_is_read_from_the_text() -> None:
    text = (
        "2026-11-30 08:15:02 POST https://api.example.com/v1/chat/completions\n"
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached "
        "for gpt-4o', 'type': 'requests', 'code': 'rate_limit_exceeded'}}\n"
        "x-request-id: req_8f2b1c9a77e1"
    )
    values = extract(text)
    assert values["status"] == "429"
    assert values["error_code"] == "rate_limit_exceeded"
    assert values["request_id"] == "req_8f2b1c9a77e1"
    assert values["model"] == "gpt-4o"
    assert values["url"] == "https://api.example.com"
    assert values["path"] == "/v1/chat/completions"
    assert values["time"] == "2026-11-30 08:15:02"


def test_no_never_field_extracts_anything() -> None:
    rb = index().rulebook
    assert [e.id for e in rb.evidence if e.sensitivity == "never" and e.extract] == []


KEY = "sk-proj-" + "Qw3rTy7uIoPaSdFgHjKlZxCvBnM1234567890abcdefghiJKL"


def test_secrets_are_found_and_masked() -> None:
    text = f"Authorization: Bearer {KEY}\nError code: 401 invalid_api_key"
    assert [s.kind for s in find_secrets(text)] == ["API key or bearer token"]
    masked = mask_secrets(text)
    assert KEY not in masked and "sk-p…KL" in masked
    assert extract(f"model: gpt-4o key {KEY}")["model"] == "gpt-4o"


def test_placeholders_are_not_secrets() -> None:
    assert find_secrets("Authorization: Bearer sk-your-key-here-xxxxxxxxxxxx") == []


# ---- the command ------------------------------------------------------------------------


def test_cli_text_output_names_title_url_and_reasons() -> None:
    done = run_cli("diagnose", "Error: getaddrinfo ENOTFOUND api.example.com")
    assert done.returncode == 0
    assert done.stdout.startswith("1. ")
    assert "https://triagebook.example.com/rules/dns-enotfound/" in done.stdout
    assert "because: code: ENOTFOUND" in done.stdout


def test_cli_json_is_a_ranked_list() -> None:
    done = run_cli("diagnose", "--format", "json", "--top", "2", "read ECONNRESET")
    results = json.loads(done.stdout)
    assert len(results) <= 2 and results[0]["id"] == "econnreset"
    assert set(results[0]) == {"id", "title", "score", "url", "reasons"}
    assert results[0]["score"] >= results[-1]["score"]


def test_cli_reads_stdin_and_files(tmp_path: Path) -> None:
    path = tmp_path / "error.log"
    path.write_text("curl: (6) Could not resolve host: api.example.com\n", encoding="utf-8")
    from_file = run_cli("diagnose", "--file", str(path), "--format", "json")
    assert json.loads(from_file.stdout)[0]["id"] == "dns-enotfound"


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["hello there, nice weather"], 1),
        ([""], 1),
        (["--top", "0", "x"], 2),
        (["x", "--file", "y"], 2),
        (["--format", "xml", "x"], 2),
    ],
)
def test_cli_exit_status(args: list[str], status: int) -> None:
    assert run_cli("diagnose", *args).returncode == status


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff\xfe" * 1000, b"\xe4\xb8" * 50_000, b"ETIMEDOUT " * 2_000_000],
    ids=["empty", "binary", "broken-utf8", "huge"],
)
def test_cli_survives_any_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    done = run_cli("diagnose", "--file", str(path))
    assert done.returncode in (0, 1)


def test_cli_warns_about_secrets_on_stderr_and_never_repeats_them() -> None:
    done = run_cli("diagnose", f"401 invalid_api_key Authorization: Bearer {KEY}")
    assert "secret" in done.stderr and "rotate" in done.stderr
    assert KEY not in done.stdout + done.stderr


# ---- the published data -------------------------------------------------------------------


def test_the_page_data_is_small(real_site: Path) -> None:
    raw = (real_site / "api/v1/diagnose.json").read_bytes()
    size = len(gzip.compress(raw, 9))
    print(f"\ndiagnose.json: {len(raw):,} bytes, {size:,} gzipped")
    assert size <= 40 * 1024


def test_the_page_data_ranks_like_the_index(real_site: Path) -> None:
    data = json.loads((real_site / "api/v1/diagnose.json").read_text(encoding="utf-8"))["result"]
    postings = index().postings
    assert set(data["features"]) == set(postings)
    assert [r["id"] for r in data["rules"]] == [r.id for r in index().rulebook.rules]
    vocabulary = {k[2:] for k in data["features"] if k.startswith("c:") and len(k) > 3}
    assert vocabulary == set(index().vocabulary)
