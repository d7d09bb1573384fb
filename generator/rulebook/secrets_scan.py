"""Find secret-looking strings in rulebook text.

detect-secrets' regex detectors cover the well-known token formats (AWS,
GitHub, Slack, Stripe, JWT, private keys, OpenAI's legacy keys); AI gateways
add shapes it does not know (``sk-proj-…``, ``sk-ant-…``, bare bearer tokens),
which the few patterns below cover. A cheap pre-filter keeps a 1,000-rule
check well under a second: most text is prose with no token-like run at all.
"""

from __future__ import annotations

import bisect
import importlib
import pkgutil
import re
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
#: AI providers' key shapes that detect-secrets does not know; the diagnosis page uses them
#: too, so they stay in the regex subset that Python and ECMAScript share.
AI_KEY_PATTERNS = (
    r"\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_]{16,}",
    r"\b[Bb]earer[ \t]+([A-Za-z0-9_.=+/-]{16,})",
    r"\bAIza[0-9A-Za-z_-]{35}",  # Google API keys, which travel in ?key= URLs
)
_AI_KEYS = [re.compile(pattern) for pattern in AI_KEY_PATTERNS]
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


def detector_patterns() -> list[tuple[str, str, str]]:
    """(kind, pattern, flags) of detect-secrets' detectors, for other regex engines:
    flags as letters ("i", "m"); verbose patterns have no blanks to strip here."""
    found = []
    for detector in _detectors():
        for pattern in detector.denylist:
            flags = ("i" if pattern.flags & re.IGNORECASE else "") + (
                "m" if pattern.flags & re.MULTILINE else ""
            )
            found.append((detector.secret_type, pattern.pattern, flags))
    return found


def find_secrets(text: str) -> list[tuple[str, str]]:
    """``(kind, masked value)`` for each secret-looking string in ``text``."""
    return find_secrets_in([text])[0]


#: Findings by text: a long-running process (serve) scans only the texts an edit changed.
_SCANNED: dict[str, list[tuple[str, str]]] = {}
_SCANNED_MAX = 200_000


def find_secrets_in(texts: list[str]) -> list[list[tuple[str, str]]]:
    """``find_secrets`` for many texts at once: each detector runs once over the
    token-like runs of all of them, which keeps a 1,000-rule check fast."""
    new = [text for text in dict.fromkeys(texts) if text not in _SCANNED]
    if len(_SCANNED) + len(new) > _SCANNED_MAX:
        _SCANNED.clear()
    _SCANNED.update(zip(new, _scan(new), strict=True))
    return [_SCANNED[text] for text in texts]


def _scan(texts: list[str]) -> list[list[tuple[str, str]]]:
    runs = _token_runs(texts)
    found = _known_secrets(texts, runs)
    results: list[list[tuple[str, str]]] = []
    for text, text_runs in zip(texts, runs, strict=True):
        hits = [(kind, value) for value, kind in found.items() if value in text]
        seen = {value for _, value in hits}
        for run in text_runs:
            if (
                len(run) >= _MIN_RANDOM
                and not any(value in run for value in seen)
                and not PLACEHOLDER.search(run)
                and _looks_random(run)
            ):
                seen.add(run)
                hits.append(("long random token", run))
        results.append([(kind, mask(value)) for kind, value in hits])
    return results


def _token_runs(texts: list[str]) -> list[list[str]]:
    """The token-like runs of each text, found in one regex pass over all of them."""
    runs: list[list[str]] = [[] for _ in texts]
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    # "\n" is not a token character, so no run spans two texts.
    for match in _CANDIDATE.finditer("\n".join(texts)):
        runs[bisect.bisect_right(starts, match.start()) - 1].append(match.group(0))
    return runs


def _known_secrets(texts: list[str], runs: list[list[str]]) -> dict[str, str]:
    """Secret value -> kind, from detect-secrets' detectors and the AI-key patterns."""
    # Detectors only match inside token-like runs (private keys excepted), so scanning
    # the runs finds the same secrets as scanning the whole texts.
    pool = "\n".join(
        text if "-----BEGIN" in text else "\n".join(text_runs)
        for text, text_runs in zip(texts, runs, strict=True)
        if text_runs
    )
    found: dict[str, str] = {}
    for detector in _detectors():
        for value in detector.analyze_string(pool):
            if not PLACEHOLDER.search(value):
                found.setdefault(value, detector.secret_type)
    for pattern in _AI_KEYS:
        for text, text_runs in zip(texts, runs, strict=True):
            if not text_runs and "earer" not in text:
                continue
            for match in pattern.finditer(text):
                if not PLACEHOLDER.search(match.group(0)):
                    found.setdefault(match.group(match.lastindex or 0), "API key or bearer token")
    return found


def _looks_random(value: str) -> bool:
    classes = sum(bool(re.search(p, value)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes == 3 and _ENTROPY.calculate_shannon_entropy(value) > _ENTROPY.entropy_limit


def mask(value: str) -> str:
    """Show just enough to find the string, never the whole secret."""
    return f"{value[:4]}…{value[-2:]}" if len(value) > 8 else "…"
