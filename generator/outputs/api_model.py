"""The JSON API v1 shapes. Documents are dumped from these classes and the published
JSON Schema and OpenAPI components are generated from them, so the data and its
description cannot drift apart.

Every field is always present: empty values are ``null`` or ``[]``, never missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

#: The API's version; bump per CHANGELOG_API.md (major = breaking, minor = additive).
API_VERSION = "1.6.0"


@dataclass(frozen=True)
class Link:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class Urls:
    page: str
    checklist: str
    markdown: str
    api: str


@dataclass(frozen=True)
class EvidenceRef:
    id: str
    label: str
    how: str
    how_html: str
    sensitivity: Literal["public", "redact", "never"]
    example: str | None


@dataclass(frozen=True)
class BoundaryOut:
    id: str
    title: str
    text: str
    text_html: str


@dataclass(frozen=True)
class LayerOut:
    id: str
    title: str
    summary: str
    summary_html: str
    url: str
    rules: list[str]


@dataclass(frozen=True)
class RetryOut:
    policy: Literal["none", "backoff", "manual"]
    retryable: bool
    max_attempts: int | None
    respect_retry_after: bool
    note: str | None
    note_html: str | None


@dataclass(frozen=True)
class FaqOut:
    q: str
    a: str
    a_html: str


@dataclass(frozen=True)
class ExampleOut:
    lang: str
    title: str | None
    code: str


@dataclass(frozen=True)
class RevisionOut:
    date: dt.date
    reason: str
    reason_html: str
    source: str | None


@dataclass(frozen=True)
class RuleOut:
    id: str
    urls: Urls
    codes: list[str]
    title: str
    layer: Link
    summary: str
    summary_html: str
    summary_en: str
    meaning: str
    meaning_html: str
    signatures: list[str]
    causes: list[str]
    causes_html: list[str]
    evidence: list[EvidenceRef]
    boundaries: list[BoundaryOut]
    retry: RetryOut
    checklist: list[str]
    checklist_html: list[str]
    faq: list[FaqOut]
    examples: list[ExampleOut]
    related: list[Link]
    owner: str | None
    reviewed: dt.date
    revisions: list[RevisionOut]


@dataclass(frozen=True)
class CodeRetryOut:
    """What a client that knows only this code may do: the most cautious policy of the
    rules that carry it (none before manual before backoff), so a code shared by a
    retryable and a non-retryable failure is never retried on the code alone."""

    policy: Literal["none", "backoff", "manual"]
    max_attempts: int | None
    respect_retry_after: bool
    agreed: bool  # every rule carrying the code has this policy; if not, tell them apart first


@dataclass(frozen=True)
class CodeOut:
    code: str
    retry: CodeRetryOut
    rules: list[RuleOut]


@dataclass(frozen=True)
class Endpoint:
    path: str
    url: str
    description: str


@dataclass(frozen=True)
class RedirectOut:
    old_id: str
    new_id: str
    old_urls: list[str]
    new_urls: list[str]


@dataclass(frozen=True)
class LanguageOut:
    """One language of the knowledge base and where its own API starts."""

    language: str  # BCP 47, e.g. "zh-CN" or "en"
    site: str
    site_url: str
    index: str  # that language's /api/v1/index.json


@dataclass(frozen=True)
class IndexOut:
    site: str
    site_url: str
    #: The language of every text in these documents (BCP 47).
    language: str
    #: Every language of the knowledge base, this one included, the default first.
    languages: list[LanguageOut]
    endpoints: list[Endpoint]
    rules: list[Link]
    codes: list[Link]
    #: The software that built these documents: ``{distribution: version}``.
    stack: dict[str, str]


# ---- /api/v1/diagnose.json: the diagnosis index, see docs/diagnose.md ----------------------


@dataclass(frozen=True)
class DiagnoseText:
    """How a text becomes features: patterns as (pattern, flags) pairs, flags "i" and "m"."""

    max_chars: int
    blank: str
    tags: tuple[str, str]
    frames: list[tuple[str, str]]
    noise: list[tuple[str, str]]
    token: str
    stopwords: list[str]
    cjk_stopwords: list[str]
    suffixes: list[str]
    status_before: list[str]
    status_after: list[str]


@dataclass(frozen=True)
class DiagnoseRule:
    id: str
    title: str
    url: str
    checklist: str
    evidence: list[str]


@dataclass(frozen=True)
class DiagnoseEvidence:
    id: str
    label: str
    sensitivity: Literal["public", "redact"]
    extract: str | None


@dataclass(frozen=True)
class DiagnoseOut:
    algorithm: str
    text: DiagnoseText
    #: Field names; a posting's third number indexes this list.
    fields: list[str]
    weights: dict[str, float]
    #: Field -> the kind a reason names (status, code, signature, phrase, title, words).
    reason_kinds: dict[str, str]
    #: Posting weights are integers: divide by scale.
    scale: int
    min_score: float
    max_reasons: int
    #: Characters of the longest CJK word (the vocabulary is the "c:" feature keys).
    longest_word: int
    #: Feature key -> flat postings [rule, weight, field, rule, weight, field, …].
    features: dict[str, list[int]]
    rules: list[DiagnoseRule]
    evidence: list[DiagnoseEvidence]
    extractors: dict[str, list[tuple[str, str]]]
    max_value: int
    #: (kind, pattern, flags) of the secret detectors that `check` uses.
    secrets: list[tuple[str, str, str]]
    #: A found secret that matches this (case-insensitive) is a placeholder, not a secret.
    secret_placeholder: str
