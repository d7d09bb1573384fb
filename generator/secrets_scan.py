"""Find secret-looking strings in rulebook text.

detect-secrets' regex detectors cover the well-known token formats (AWS,
GitHub, Slack, Stripe, JWT, private keys, OpenAI's legacy keys); AI gateways
add shapes it does not know (``sk-proj-…``, ``sk-ant-…``, bare bearer tokens),
which the few patterns below cover. A cheap pre-filter keeps a 1,000-rule
check well under a second: most text is prose with no token-like run at all.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from functools import cache

from detect_secrets import plugins
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString

#: Placeholders that documentation may use instead of a real key.
PLACEHOLDER = re.compile(
    r"your|example|placeholder|dummy|redacted|x{4,}|\*{3,}|\.{3}|<[^>]*>|\$\{?[A-Z_]+",
    re.IGNORECASE,
)
_CANDIDATE = re.compile(r"[A-Za-z0-9_\-+/=.]{20,}|-----BEGIN|[Bb]earer\s")
_AI_KEYS = [
    re.compile(r"\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_]{16,}"),
    re.compile(r"\b[Bb]earer\s+([A-Za-z0-9_\-.=+/]{16,})"),
]
_ENTROPY = Base64HighEntropyString(limit=4.5)
_MIN_RANDOM = 32


@cache
def _detectors() -> list[RegexBasedDetector]:
    found = []
    for info in pkgutil.iter_modules(plugins.__path__):
        module = importlib.import_module(f"{plugins.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, RegexBasedDetector)
                and value is not RegexBasedDetector
                and value.__module__ == module.__name__
                and info.name not in {"keyword", "ip_public", "basic_auth"}
            ):
                found.append(value())
    return found


def find_secrets(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, masked value)`` for each secret-looking string in ``text``."""
    candidates = [m.group(0) for m in _CANDIDATE.finditer(text)]
    if not candidates:
        return
    # The detectors only match inside token-like runs, so scanning just those runs
    # finds the same secrets in a fraction of the text.
    tokens = "\n".join(candidates) if "-----BEGIN" not in text else text
    seen: set[str] = set()
    for detector in _detectors():
        for value in detector.analyze_string(tokens):
            if value not in seen and not PLACEHOLDER.search(value):
                seen.add(value)
                yield detector.secret_type, mask(value)
    for pattern in _AI_KEYS:
        for match in pattern.finditer(text):
            value = match.group(match.lastindex or 0)
            if value not in seen and not PLACEHOLDER.search(match.group(0)):
                seen.add(value)
                yield "API key or bearer token", mask(value)
    for value in candidates:
        if (
            len(value) >= _MIN_RANDOM
            and not any(found in value for found in seen)
            and not PLACEHOLDER.search(value)
            and _looks_random(value)
        ):
            seen.add(value)
            yield "long random token", mask(value)


def _looks_random(value: str) -> bool:
    classes = sum(bool(re.search(p, value)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes == 3 and _ENTROPY.calculate_shannon_entropy(value) > _ENTROPY.entropy_limit


def mask(value: str) -> str:
    """Show just enough to find the string, never the whole secret."""
    return f"{value[:4]}…{value[-2:]}" if len(value) > 8 else "…"
