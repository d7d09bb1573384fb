"""What a pasted text reveals for the evidence template, and the secrets it must not repeat.

Each evidence field of the rulebook may name an extractor (``extract: status``); the
patterns below find its value. Every value is masked for secrets before it is shown, a
``redact`` field is marked as such, and a ``never`` field is never filled. Secrets are
found with the same detectors as ``check`` (``generator.rulebook.secrets_scan``); the
page receives their patterns in ``/api/v1/diagnose.json``.

Like the text patterns, these are written in the common subset of Python and ECMAScript
regular expressions; the first capture group is the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from generator.diagnose.text import MAX_CHARS, STATUS_AFTER, STATUS_BEFORE
from generator.rulebook.secrets_scan import AI_KEY_PATTERNS, PLACEHOLDER, detector_patterns

#: extractor -> patterns tried in order; the first match's first group is the value.
EXTRACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "status": (
        (r"\bHTTP/[0-9.]+ ([1-5][0-9]{2})\b", ""),
        (r"\b(?:status(?:[ _]?code)?|error code|code)[\"']?[ :=]+[\"']?([1-5][0-9]{2})\b", "i"),
        (r"\b([1-5][0-9]{2}) (?:" + "|".join(sorted(STATUS_AFTER)) + r")\b", "i"),
    ),
    "error_code": (
        (
            r"[\"'](?:code|error_code|errorCode)[\"'] *: *[\"']([A-Za-z][A-Za-z0-9_.-]{2,63})[\"']",
            "",
        ),
        (r"[\"']type[\"'] *: *[\"']([A-Za-z][A-Za-z0-9_.-]{2,63})[\"']", ""),
        (r"\b(E[A-Z]{4,}|ERR_[A-Z0-9_]{3,}|UND_ERR_[A-Z_]+|[A-Z]+(?:_[A-Z]+){2,})\b", ""),
    ),
    "request_id": (
        (r"\b(?:x-)?request[-_ ]?id[\"']?[ :=]+[\"']?([A-Za-z0-9_.:-]{6,80})", "i"),
        (r"\b((?:req|chatcmpl|msg)_[A-Za-z0-9]{6,60})", ""),
        (r"\bRay ID: ?([0-9a-f]{16})", "i"),
    ),
    "model": (
        (r"[\"']model[\"'] *: *[\"']([^\"'\n]{1,80})[\"']", ""),
        (r"\bmodel[ :=]+[\"'`]?([A-Za-z0-9][A-Za-z0-9._:/@-]{1,79})", "i"),
        # The Chinese word for "model" in a report, escaped: the published patterns are code, and
        # a site in another language carries no Chinese text.
        (r"\u6a21\u578b *[\"'\u201c]?([A-Za-z0-9][A-Za-z0-9._:/@-]{1,79})", ""),
        (
            r"\b((?:gpt|o[1-9]|chatgpt|claude|gemini|deepseek|qwen|glm|llama|mistral|moonshot|"
            r"kimi|doubao|ernie|yi|command|grok)-[A-Za-z0-9._:-]{1,60})",
            "i",
        ),
    ),
    "url": ((r"\b(https?://[A-Za-z0-9.-]+(?::[0-9]+)?)", "i"),),
    "path": ((r"\bhttps?://[A-Za-z0-9.-]+(?::[0-9]+)?(/[^ \t\n\"'<>?#]*)", "i"),),
    "time": (
        (
            r"\b([0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
            r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)",
            "",
        ),
        (r"\b([0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})", ""),
        (r"\b([0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}(?: [+-][0-9]{4})?)", ""),
    ),
    "message": ((r"([^\n]*[A-Za-z\u3400-\u9fff][^\n]*)", ""),),  # the first line with words
}
#: Longest value shown for one field.
MAX_VALUE = 300
_ = STATUS_BEFORE  # the same words decide a status in ``text``; here the patterns spell them


def _compile(pattern: str, flags: str) -> re.Pattern[str]:
    value = (
        re.ASCII | (re.IGNORECASE if "i" in flags else 0) | (re.MULTILINE if "m" in flags else 0)
    )
    return re.compile(pattern, value)


@cache
def _extractors() -> dict[str, list[re.Pattern[str]]]:
    return {kind: [_compile(p, f) for p, f in patterns] for kind, patterns in EXTRACTORS.items()}


@dataclass(frozen=True)
class Secret:
    kind: str
    start: int
    end: int


def find_secrets(text: str) -> list[Secret]:
    """Every secret-looking run of ``text``, by the detectors ``check`` uses; where two
    detectors find overlapping runs, the one that starts first (the longer on a tie)."""
    found: list[Secret] = []
    for kind, pattern, flags in secret_patterns():
        for match in _compile(pattern, flags).finditer(text):
            group = match.lastindex or 0
            value = match.group(group)
            if value and not PLACEHOLDER.search(value):
                found.append(Secret(kind, match.start(group), match.end(group)))
    kept: list[Secret] = []
    for secret in sorted(found, key=lambda s: (s.start, -s.end)):
        if not kept or secret.start >= kept[-1].end:
            kept.append(secret)
    return kept


def mask_secrets(text: str) -> str:
    """``text`` with every secret cut to its first 4 and last 2 characters."""
    for secret in reversed(find_secrets(text)):
        value = text[secret.start : secret.end]
        shown = f"{value[:4]}…{value[-2:]}" if len(value) > 8 else "…"
        text = text[: secret.start] + shown + text[secret.end :]
    return text


@cache
def secret_patterns() -> tuple[tuple[str, str, str], ...]:
    """(kind, pattern, flags) of every detector, in the shared regex subset."""
    return tuple(
        [(kind, pattern, flags) for kind, pattern, flags in detector_patterns()]
        + [("API key or bearer token", pattern, "") for pattern in AI_KEY_PATTERNS]
    )


def extract(text: str) -> dict[str, str]:
    """extractor -> the value found in ``text`` (masked, at most MAX_VALUE characters)."""
    text = text[:MAX_CHARS]
    values: dict[str, str] = {}
    for kind, patterns in _extractors().items():
        for pattern in patterns:
            match = pattern.search(text)
            if match and match.group(1).strip():
                values[kind] = mask_secrets(match.group(1).strip())[:MAX_VALUE]
                break
    return values
