"""The rulebook's immutable model: frozen dataclasses, validated by pydantic.

These classes are the editors' contract. The committed JSON Schema
(`schema/rulebook.schema.json`) is generated from them, and every writer reads
only these objects, never the YAML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

#: Ids become URLs and file names: lowercase words joined by single hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: Codes become file names under /api/v1/codes/: no spaces or slashes, no dot first or last.
CODE_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?$"
#: Names Windows reserves for devices: as a file name they cannot be written or served.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)}
)

_FORBID = ConfigDict(extra="forbid", str_strip_whitespace=True)

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=300)]
#: Real SDK errors run long (a Python repr of a JSON body, a Java exception with its cause);
#: the cap only keeps a pasted log from bloating every page and the diagnosis data.
Signature = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2_000),
    Field(description="A literal error text as readers see it (up to 2,000 characters)."),
]
Sensitivity = Literal["public", "redact", "never"]
RetryPolicy = Literal["none", "backoff", "manual"]
Extractor = Literal["status", "error_code", "message", "request_id", "model", "url", "path", "time"]
CodeLang = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9+#._-]*$", max_length=40),
    Field(description="A language the highlighter (Pygments) knows: python, bash, go, yaml, …"),
]


def _doc(text: str) -> Field:  # type: ignore[valid-type]
    return Field(description=text)


@dataclass(frozen=True)
class Layer:
    """Where on the request path a failure happens."""

    __pydantic_config__ = _FORBID
    id: Annotated[Slug, _doc("Stable slug; the topic hub is /topics/<id>/.")]
    title: Annotated[Line, _doc("Short name shown on the site.")]
    summary: Annotated[Text, _doc("What fails at this layer and how to recognise it.")]
    proof: Annotated[
        Text | None,
        _doc(
            "How to prove a failure sits in this layer: the one check that tells it from "
            "its neighbours. Shown first on the layer's topic page."
        ),
    ] = None


@dataclass(frozen=True)
class EvidenceField:
    """One piece of evidence a reader can collect, defined once."""

    __pydantic_config__ = _FORBID
    id: Annotated[Slug, _doc("Stable slug referenced from rules[].evidence.")]
    label: Annotated[Line, _doc("Short name of the field.")]
    how: Annotated[Text, _doc("How the reader obtains the value.")]
    sensitivity: Annotated[
        Sensitivity,
        _doc("public: share as is; redact: share masked; never: must not be collected."),
    ]
    example: Annotated[Line | None, _doc("Example value for the evidence template.")] = None
    extract: Annotated[
        Extractor | None,
        _doc(
            "What the diagnosis may fill this field with from a pasted error text: the HTTP "
            "status, the error code, the error message, a request id, the model name, the URL "
            "(scheme and host), the endpoint path or the time. Never on a 'never' field."
        ),
    ] = None


@dataclass(frozen=True)
class Boundary:
    """A safe boundary: what must never be asked for or done."""

    __pydantic_config__ = _FORBID
    id: Annotated[Slug, _doc("Stable slug referenced from rules[].boundaries.")]
    title: Annotated[Line, _doc("The boundary in a few words.")]
    text: Annotated[Text, _doc("The boundary and why it exists.")]


@dataclass(frozen=True)
class GlossaryTerm:
    __pydantic_config__ = _FORBID
    term: Annotated[Line, _doc("The term as written in rule texts.")]
    definition: Annotated[Text, _doc("One or two sentences.")]
    aliases: Annotated[tuple[Line, ...], _doc("Other spellings of the term.")] = ()
    avoid: Annotated[
        tuple[Line, ...],
        _doc(
            "Other words for the same concept that rule texts must not use (check warns), "
            "outside code, quotations and parentheses."
        ),
    ] = ()


@dataclass(frozen=True)
class Retry:
    """Whether and how a failed call may be repeated."""

    __pydantic_config__ = _FORBID
    policy: Annotated[
        RetryPolicy,
        _doc(
            "none: repeating cannot help, fix first; backoff: automatic retry with "
            "exponential backoff; manual: only by a deliberate human decision."
        ),
    ]
    max_attempts: Annotated[
        int | None, Field(ge=1, le=10), _doc("Backoff only: how many attempts in all.")
    ] = None
    respect_retry_after: Annotated[
        bool | None,
        _doc(
            "Backoff only: wait as long as Retry-After says (the default). Set false to ignore it."
        ),
    ] = None
    note: Annotated[Text | None, _doc("One sentence shown with the policy.")] = None

    @property
    def retryable(self) -> bool:
        return self.policy != "none"

    @property
    def honours_retry_after(self) -> bool:
        """Whether an automatic retry waits for Retry-After: only a backoff retries
        automatically, and it does unless told not to."""
        return self.policy == "backoff" and self.respect_retry_after is not False


@dataclass(frozen=True)
class Faq:
    __pydantic_config__ = _FORBID
    q: Annotated[Line, _doc("The question as a reader asks it.")]
    a: Annotated[Text, _doc("The answer, shown verbatim on the FAQ page.")]


@dataclass(frozen=True)
class Example:
    __pydantic_config__ = ConfigDict(extra="forbid")
    lang: CodeLang
    code: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    title: Annotated[Line | None, _doc("Caption above the code.")] = None


@dataclass(frozen=True)
class Revision:
    """One entry of a rule's revision log: shown on its page and in the feed."""

    __pydantic_config__ = _FORBID
    date: Annotated[dt.date, _doc("When the rule changed (YYYY-MM-DD).")]
    reason: Annotated[Text, _doc("What changed and why.")]
    source: Annotated[Line | None, _doc("Where the question came from (ticket, thread).")] = None


@dataclass(frozen=True)
class Rule:
    """One error: its meaning, layer, causes, evidence and safe handling."""

    __pydantic_config__ = _FORBID
    id: Annotated[Slug, _doc("Stable slug: the URL /rules/<id>/. Never reuse one.")]
    codes: Annotated[tuple[Code, ...], Field(min_length=1), _doc("Status and error codes.")]
    title: Line
    layer: Annotated[Slug, _doc("Id of a layer.")]
    summary: Annotated[Text, _doc("The short answer, answer first: 1-3 sentences.")]
    meaning: Text
    signatures: Annotated[tuple[Signature, ...], Field(min_length=1), _doc("Literal error texts.")]
    causes: Annotated[tuple[Text, ...], Field(min_length=1)]
    evidence: Annotated[tuple[Slug, ...], Field(min_length=1), _doc("Evidence field ids.")]
    boundaries: Annotated[tuple[Slug, ...], Field(min_length=1), _doc("Boundary ids.")]
    retry: Retry
    checklist: Annotated[tuple[Text, ...], Field(min_length=1), _doc("Steps, in order.")]
    faq: Annotated[tuple[Faq, ...], Field(min_length=2)]
    reviewed: Annotated[dt.date, _doc("Date of the last review (YYYY-MM-DD).")]
    summary_en: Annotated[
        Text | None,
        _doc(
            "One English paragraph for answer engines, in a rulebook without an English "
            "edition (rulebook.en.yaml's summary replaces it)."
        ),
    ] = None
    examples: tuple[Example, ...] = ()
    related: Annotated[tuple[Slug, ...], _doc("Ids of related rules.")] = ()
    owner: Annotated[Slug | None, _doc("Team that keeps this rule current.")] = None
    revisions: Annotated[tuple[Revision, ...], _doc("Revision log, newest first.")] = ()
    match: Annotated[
        tuple[Line, ...],
        _doc(
            "Phrases a reader might type to describe this failure without an error text, in "
            'any language ("the stream stops halfway", "answers suddenly got worse"); the '
            "diagnosis matches them as phrases and as words."
        ),
    ] = ()


LayerOrder = Literal["path", "list"]


@dataclass(frozen=True)
class Site:
    """What the site says about itself: the words of this knowledge base, not of the tool."""

    __pydantic_config__ = _FORBID
    intro: Annotated[
        Text | None, _doc("The home page's introduction, also the details of llms.txt.")
    ] = None
    layers_intro: Annotated[Text | None, _doc("Said above the layer diagram.")] = None
    layer_order: Annotated[
        LayerOrder,
        _doc(
            "path: the layers are the stations of a request, in order (the diagram numbers "
            "them and draws arrows); list: a set of areas in no order."
        ),
    ] = "list"


@dataclass(frozen=True)
class Rulebook:
    """The whole rulebook: catalogues first, then the rules."""

    __pydantic_config__ = _FORBID
    version: Literal[1]
    layers: Annotated[tuple[Layer, ...], Field(min_length=1)]
    evidence: tuple[EvidenceField, ...]
    boundaries: tuple[Boundary, ...]
    rules: tuple[Rule, ...]
    glossary: tuple[GlossaryTerm, ...] = ()
    site: Annotated[Site, _doc("The site's own words: introduction, how layers read.")] = field(
        default_factory=Site
    )
    review_interval_days: Annotated[
        int, Field(ge=1, le=3650), _doc("Rules not reviewed for this many days are due.")
    ] = 180
    redirects: Annotated[
        dict[Slug, Slug],
        _doc("Removed or renamed rule id -> the rule that replaces it; keeps old URLs alive."),
    ] = field(default_factory=dict)

    @cached_property
    def layer_by_id(self) -> dict[str, Layer]:
        return {layer.id: layer for layer in self.layers}

    @cached_property
    def evidence_by_id(self) -> dict[str, EvidenceField]:
        return {item.id: item for item in self.evidence}

    @cached_property
    def boundary_by_id(self) -> dict[str, Boundary]:
        return {item.id: item for item in self.boundaries}

    @cached_property
    def rule_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def citations(self) -> dict[tuple[str, str], list[Rule]]:
        """``("evidence" | "boundaries", id)`` -> the rules that cite that catalogue entry."""
        cited: dict[tuple[str, str], list[Rule]] = {}
        for rule in self.rules:
            for catalogue, refs in (("evidence", rule.evidence), ("boundaries", rule.boundaries)):
                for ref in refs:
                    cited.setdefault((catalogue, ref), []).append(rule)
        return cited

    def rules_in(self, layer_id: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.layer == layer_id]

    @property
    def updated(self) -> dt.date:
        """The newest review date: the rulebook's own notion of 'now'."""
        return max((rule.reviewed for rule in self.rules), default=dt.date(1970, 1, 1))
