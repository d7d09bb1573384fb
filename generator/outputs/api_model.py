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
API_VERSION = "1.3.0"


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
class CodeOut:
    code: str
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
class IndexOut:
    site: str
    site_url: str
    endpoints: list[Endpoint]
    rules: list[Link]
    codes: list[Link]
    #: The software that built these documents: ``{distribution: version}``.
    stack: dict[str, str]
