"""Retry data a tool can trust: no code's structured advice retries what prose forbids."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

#: Provider codes documented as permanent until something is changed (a key, a balance, the
#: request): retrying unchanged cannot succeed (OpenAI, Anthropic, Google RPC error codes).
PERMANENT = {
    "insufficient_quota", "invalid_api_key", "model_not_found", "context_length_exceeded",
    "content_filter", "content_policy_violation", "billing_hard_limit_reached",
    "authentication_error", "permission_error", "not_found_error", "invalid_request_error",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED", "INVALID_ARGUMENT", "NOT_FOUND",
    "FAILED_PRECONDITION", "400", "401", "402", "403", "404", "413", "422",
}  # fmt: skip
#: Words with which the prose forbids retrying.
FORBIDS = re.compile(
    r"不要(?:自动)?重试|不要重发|重试(?:也)?(?:无用|没有意义|无意义)|不应(?:自动)?重试"
    r"|must not be retried|do not retry|don't retry|never retry",
    re.I,
)
SENTENCE = re.compile(r"(?:[^。；！？\n.!?]|\.(?=\S))+")  # a dot inside a word or code stays


def code_docs(site: Path) -> list[dict]:
    docs = []
    for path in sorted((site / "api/v1/codes").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))["result"]
        if path.stem == doc["code"]:  # skip the lowercase aliases
            docs.append(doc)
    return docs


def forbidding_sentences(rule: dict, code: str) -> list[str]:
    """Sentences of the rule's prose that name ``code`` and forbid retrying."""
    texts = [rule["summary"], rule["meaning"], rule["retry"]["note"] or "", rule["summary_en"]]
    token = re.compile(rf"(?<![\w.-]){re.escape(code)}(?![\w-])")
    return [
        s for text in texts for s in SENTENCE.findall(text) if token.search(s) and FORBIDS.search(s)
    ]


def test_every_code_walked(real_site: Path) -> None:
    docs = code_docs(real_site)
    assert len(docs) > 150
    problems = []
    for doc in docs:
        code, advice = doc["code"], doc["retry"]
        policies = {rule["retry"]["policy"] for rule in doc["rules"]}
        assert advice["agreed"] == (len(policies) == 1), code
        if advice["policy"] != "backoff":
            continue
        if code in PERMANENT:
            problems.append(f"{code}: permanent by its provider's documentation, yet backoff")
        for rule in doc["rules"]:
            for sentence in forbidding_sentences(rule, code):
                problems.append(f"{code}: backoff, but {rule['id']} says: {sentence.strip()}")
    for path in sorted((real_site / "api/v1/rules").glob("*.json")):
        rule = json.loads(path.read_text(encoding="utf-8"))["result"]
        if rule["retry"]["policy"] == "backoff":
            problems += [
                f"{rule['id']}: backoff carries {c}" for c in PERMANENT & set(rule["codes"])
            ]
    assert not problems, "\n".join(problems)


def test_a_code_shared_by_a_rate_limit_and_an_exhausted_quota_is_not_retried(
    real_site: Path,
) -> None:
    doc = json.loads((real_site / "api/v1/codes/429.json").read_text(encoding="utf-8"))
    assert doc["result"]["retry"] == {
        "policy": "none",
        "max_attempts": None,
        "respect_retry_after": False,
        "agreed": False,
    }
    limit = json.loads((real_site / "api/v1/codes/rate_limit_exceeded.json").read_text())
    assert limit["result"]["retry"]["policy"] == "backoff"
    assert limit["result"]["retry"]["max_attempts"] >= 1


@pytest.mark.parametrize(
    ("retry", "message"),
    [
        (
            "policy: none\n      respect_retry_after: true",
            "rules[0].retry.respect_retry_after: respect_retry_after only applies to the "
            "backoff policy, not 'none'",
        ),
        (
            "policy: manual\n      respect_retry_after: false",
            "rules[0].retry.respect_retry_after: respect_retry_after only applies to the "
            "backoff policy, not 'manual'",
        ),
    ],
)
def test_check_refuses_retry_fields_that_mean_nothing(
    tmp_path: Path, small_text: str, retry: str, message: str
) -> None:
    from conftest import mutate, problems_for

    text = mutate(
        small_text,
        ("policy: backoff\n      max_attempts: 5\n      respect_retry_after: true", retry),
    )
    assert any(message in p for p in problems_for(tmp_path, text, strict=True, errors_only=True))


def test_check_refuses_a_client_error_under_backoff(tmp_path: Path, small_text: str) -> None:
    from conftest import mutate, problems_for

    text = mutate(small_text, ('codes: ["429", "rate_limit_exceeded"]', 'codes: ["429", "401"]'))
    assert any(
        "rules[0].codes[1]: status 401 is a client error that repeating cannot fix" in p
        for p in problems_for(tmp_path, text, errors_only=True)
    )
