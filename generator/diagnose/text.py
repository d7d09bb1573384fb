"""How a pasted error text becomes features: the shared spec of the diagnosis.

The page's script and this module apply the same steps, and the patterns that carry the
steps are published in ``/api/v1/diagnose.json`` so that any tool can reimplement them.
Every pattern is written in the common subset of Python and ECMAScript regular
expressions: ASCII classes only (Python compiles them with ``re.ASCII``), no inline
flags, no possessive quantifiers, and no ``\\s`` (whose meaning differs between the two).

Steps (``normalize``): cut to ``MAX_CHARS``; undo string escapes (``\\n``, ``\\"``, ``\\u4e2d``);
unify white space; drop HTML tags; decode the common entities; drop stack-frame lines;
replace URLs, addresses, ids, dates and paths by a space. Then ``features``: words and
numbers (``[A-Za-z0-9_]+``), lowercased, plain English words lightly stemmed, stop words
dropped; CJK runs as character pairs; neighbouring words as pairs; a three-digit number
as a status only in a status context (``Error code: 429``, ``HTTP/1.1 502``,
``429 Too Many Requests``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from generator.render.templating import PACKAGE_TEMPLATES
from generator.render.words import SUFFIXES, stem

#: Longer texts are cut: the first part of a log carries the error.
MAX_CHARS = 20_000
_BLANK = "[ \\t\\f\\v\\u00a0\\u1680\\u2000-\\u200b\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"

#: (pattern, flags) of the tags, entities and frames to drop, in order; see ``normalize``.
TAGS = (r"<[A-Za-z!/?][^<>]{0,300}>", "")
FRAMES: tuple[tuple[str, str], ...] = (
    (r"^[ \t]+at [^ \t\n].*$", "m"),  # JavaScript, Java
    (r"^at [^ \t\n]+ \(.*\)$", "m"),
    (r"^[ \t]*File \"[^\"\n]*\", line [0-9]+.*\n(?:[ \t]{4,}[^\n]*\n?)?", "m"),  # Python
    (r"^[ \t]*\.\.\. [0-9]+ more$", "m"),
    (r"^[ \t]*Traceback \(most recent call last\):$", "m"),
    (r"^goroutine [0-9]+ \[.*$", "m"),  # Go
    (r"^[ \t]+[/A-Za-z][^ \n]*\.go:[0-9]+.*$", "m"),
)
#: What varies from one occurrence of an error to the next, replaced by a space.
NOISE: tuple[tuple[str, str], ...] = (
    (r"[a-z][a-z0-9+.-]*://[^ \t\n\"'<>()\[\]{}]+", "i"),  # URLs
    (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", ""),  # e-mail addresses
    (r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "i"),  # UUIDs
    (
        r"\b(?:req|request|chatcmpl|cmpl|msg|run|file|call|resp|batch|org|proj|sess|toolu)"
        r"[_-][A-Za-z0-9_-]{6,}",
        "i",
    ),
    (
        r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:\.[0-9]+)?"
        r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?",
        "",
    ),  # timestamps
    (r"\b[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}\b", ""),  # dates
    (r"\b[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}(?: [+-][0-9]{4})?", ""),
    (r"\b[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?\b", ""),  # times
    (r"\[?\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b\]?(?::[0-9]+)?", "i"),  # IPv6
    (r"\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]+)?\b", ""),  # IPv4 with a port
    (r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b(?::[0-9]+)?", ""),  # hosts
    (r"(?:[A-Za-z]:)?(?:[/\\][A-Za-z0-9_.@~+-]+){2,}[/\\]?", ""),  # file and URL paths
    (r"\b[0-9a-f]{16,}\b", "i"),  # hashes and hex ids
    (r"\b(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{24,}\b", ""),  # tokens
)


def word_list(name: str) -> frozenset[str]:
    """A word list of templates/diagnose/: words split by white space, ``#`` starts a comment."""
    text = (PACKAGE_TEMPLATES / "diagnose" / name).read_text(encoding="utf-8")
    return frozenset(
        w for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


WORD_PATTERN = r"[A-Za-z0-9_]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
#: Words that say nothing about which error it is, in English and in Chinese: data files of
#: templates/diagnose/ (they say why each word is there).
STOPWORDS = word_list("stopwords.txt")
CJK_STOPWORDS = word_list("stopwords.zh.txt")
#: Words before a number that make it an HTTP status, and words after one.
STATUS_BEFORE = frozenset(
    "status code http error statuscode status_code response returned got answered".split()
)
STATUS_AFTER = frozenset(
    "ok created accepted bad unauthorized payment forbidden not method request conflict "
    "gone length precondition payload entity uri unsupported too unprocessable internal "
    "gateway service timeout time version insufficient locked upgrade".split()
)


def _flags(flags: str) -> int:
    value = re.ASCII
    if "i" in flags:
        value |= re.IGNORECASE
    if "m" in flags:
        value |= re.MULTILINE
    return value


@cache
def _compiled(pattern: str, flags: str) -> re.Pattern[str]:
    return re.compile(pattern, _flags(flags))


_ESCAPES = re.compile(r"\\(?:r\\n|[nrt\"'/]|u([0-9a-fA-F]{4}))")
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos|nbsp));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'", "nbsp": " "}


def _unescape(match: re.Match[str]) -> str:
    if match.group(1):
        return chr(int(match.group(1), 16))
    return {"t": " ", '"': '"', "'": "'", "/": "/"}.get(match.group(0)[1], "\n")


def _entity(match: re.Match[str]) -> str:
    number, hexa, name = match.groups()
    if name:
        return _NAMED[name]
    code = int(number) if number else int(hexa, 16)
    return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else " "


@lru_cache(maxsize=65_536)  # the index normalizes each rulebook text several times
def normalize(text: str) -> str:
    text = text[:MAX_CHARS]
    text = _ESCAPES.sub(_unescape, text)
    text = re.sub(_BLANK, " ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _compiled(*TAGS).sub(" ", text)
    text = _ENTITY.sub(_entity, text)
    for pattern, flags in FRAMES:
        text = _compiled(pattern, flags).sub("", text)
    for pattern, flags in NOISE:
        text = _compiled(pattern, flags).sub(" ", text)
    return text


@dataclass(frozen=True)
class Feature:
    key: str  # "w:timeout", "p:hang up", "c:<CJK word>", "s:429", "n:1020"
    shown: str  # as the text wrote it, for the reasons


def _is_status(tokens: list[str], i: int) -> bool:
    before = {tokens[j].lower() for j in range(max(0, i - 2), i)}
    after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    # "OpenAIError: 408", "HTTPError 502": a number right after an error's name is a status
    named = i > 0 and tokens[i - 1].lower().endswith(("error", "exception"))
    return bool(before & STATUS_BEFORE) or named or after in STATUS_AFTER or len(tokens) <= 2


def segment(run: str, vocabulary: frozenset[str], longest: int) -> list[str]:
    """A CJK run cut into the vocabulary's words, longest first from the left; characters
    that start no word stand alone."""
    words, i = [], 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 0, -1):
            if size == 1 or run[i : i + size] in vocabulary:
                words.append(run[i : i + size])
                i += size
                break
    return words


def features(
    text: str, vocabulary: frozenset[str] = frozenset(), longest: int = 1
) -> list[Feature]:
    """The features of a normalized text, in order of appearance, each once. CJK runs are
    cut into the words of ``vocabulary`` (its longest word has ``longest`` characters)."""
    tokens = _compiled(WORD_PATTERN, "").findall(text)
    found: dict[str, Feature] = {}
    previous: tuple[str, str] | None = None
    for i, token in enumerate(tokens):
        if token[0] >= "\u3040":  # a CJK run: its words; no word pairs across it
            previous = None
            for word in segment(token, vocabulary, longest):
                if len(word) > 1 and word not in CJK_STOPWORDS:  # a lone character says little
                    found.setdefault(f"c:{word}", Feature(f"c:{word}", word))
            continue
        if token.isdigit():
            previous = None
            if len(token) == 3 and 100 <= int(token) <= 599 and _is_status(tokens, i):
                found.setdefault(f"s:{token}", Feature(f"s:{token}", token))
            elif 2 <= len(token) <= 5:
                found.setdefault(f"n:{token}", Feature(f"n:{token}", token))
            continue
        word = token.lower()
        if word in STOPWORDS or len(word) == 1:
            previous = None
            continue
        if token.isalpha() and (token.islower() or token[1:].islower()):
            word = stem(word)
        found.setdefault(f"w:{word}", Feature(f"w:{word}", token))
        if previous is not None:
            key = f"p:{previous[0]} {word}"
            found.setdefault(key, Feature(key, f"{previous[1]} {token}"))
        previous = (word, token)
    return list(found.values())


def cjk_runs(text: str) -> list[str]:
    return [t for t in _compiled(WORD_PATTERN, "").findall(text) if t[0] >= "\u3040"]


def spec() -> dict[str, object]:
    """The patterns and word lists, as published for other implementations."""
    return {
        "max_chars": MAX_CHARS,
        "blank": _BLANK,
        "tags": TAGS,
        "frames": list(FRAMES),
        "noise": list(NOISE),
        "token": WORD_PATTERN,
        "stopwords": sorted(STOPWORDS),
        "cjk_stopwords": sorted(CJK_STOPWORDS),
        "suffixes": list(SUFFIXES),
        "status_before": sorted(STATUS_BEFORE),
        "status_after": sorted(STATUS_AFTER),
    }
