"""The static JSON API v1 under ``/api/v1/``: documents, JSON Schema and OpenAPI.

JSON is produced by ``json.dumps`` of the model's API shapes, never by a template.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from generator.diagnose.index import Index
from generator.files import write_text
from generator.outputs.api_model import (
    API_VERSION,
    BoundaryOut,
    CodeOut,
    CodeRetryOut,
    DiagnoseOut,
    Endpoint,
    EvidenceRef,
    ExampleOut,
    FaqOut,
    IndexOut,
    LanguageOut,
    LayerOut,
    Link,
    RedirectOut,
    RetryOut,
    RevisionOut,
    RuleOut,
    Urls,
)
from generator.outputs.context import BuildContext
from generator.outputs.diagnose_doc import diagnose_document
from generator.outputs.stack import stack_versions
from generator.outputs.twins import twin_path
from generator.render.markdown_text import to_html
from generator.render.urls import checklist_path, rule_id_paths, rule_path, topic_path
from generator.rulebook.model import (
    CODE_PATTERN,
    SLUG_PATTERN,
    Boundary,
    EvidenceField,
    Rule,
    Rulebook,
)

PREFIX = "api/v1/"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)  # building one costs milliseconds: once per shape


#: From the most cautious retry policy to the least.
CAUTION = ("none", "manual", "backoff")


def code_retry(carriers: list[Rule]) -> CodeRetryOut:
    """The retry advice for a code alone: the most cautious policy among the rules that
    carry it; max_attempts the smallest of theirs when that policy is backoff."""
    policies = [rule.retry.policy for rule in carriers]
    policy = min(policies, key=CAUTION.index)
    chosen = [rule.retry for rule in carriers if rule.retry.policy == policy]
    attempts = [r.max_attempts for r in chosen if r.max_attempts is not None]
    return CodeRetryOut(
        policy=policy,
        max_attempts=min(attempts) if policy == "backoff" and attempts else None,
        respect_retry_after=any(r.honours_retry_after for r in chosen),
        agreed=len(set(policies)) == 1,
    )


def _dump(value: Any, shape: Any) -> Any:
    return _adapter(shape).dump_python(value, mode="json")


class ApiBuilder:
    def __init__(self, ctx: BuildContext) -> None:
        self.rb: Rulebook = ctx.rulebook
        self.settings = ctx.settings

    def url(self, path: str) -> str:
        return self.settings.url(path)

    def evidence(self, item: EvidenceField) -> EvidenceRef:
        return EvidenceRef(
            item.id, item.label, item.how, to_html(item.how), item.sensitivity, item.example
        )

    def boundary(self, item: Boundary) -> BoundaryOut:
        return BoundaryOut(item.id, item.title, item.text, to_html(item.text))

    def rule(self, rule: Rule) -> RuleOut:
        rb = self.rb
        layer = rb.layer_by_id[rule.layer]
        retry = rule.retry
        return RuleOut(
            id=rule.id,
            urls=Urls(
                page=self.url(rule_path(rule.id)),
                checklist=self.url(checklist_path(rule.id)),
                markdown=self.url(twin_path(rule_path(rule.id))),
                api=self.url(f"{PREFIX}rules/{rule.id}.json"),
            ),
            codes=list(rule.codes),
            title=rule.title,
            layer=Link(layer.id, layer.title, self.url(topic_path(layer.id))),
            summary=rule.summary,
            summary_html=to_html(rule.summary),
            summary_en=rule.summary_en or rule.summary,
            meaning=rule.meaning,
            meaning_html=to_html(rule.meaning),
            signatures=list(rule.signatures),
            causes=list(rule.causes),
            causes_html=[to_html(text) for text in rule.causes],
            evidence=[self.evidence(rb.evidence_by_id[ref]) for ref in rule.evidence],
            boundaries=[self.boundary(rb.boundary_by_id[ref]) for ref in rule.boundaries],
            retry=RetryOut(
                retry.policy,
                retry.retryable,
                retry.max_attempts,
                retry.honours_retry_after,
                retry.note,
                to_html(retry.note) if retry.note else None,
            ),
            checklist=list(rule.checklist),
            checklist_html=[to_html(text) for text in rule.checklist],
            faq=[FaqOut(item.q, item.a, to_html(item.a)) for item in rule.faq],
            examples=[ExampleOut(ex.lang, ex.title, ex.code) for ex in rule.examples],
            related=[
                Link(ref, rb.rule_by_id[ref].title, self.url(rule_path(ref)))
                for ref in rule.related
            ],
            owner=rule.owner,
            reviewed=rule.reviewed,
            revisions=[
                RevisionOut(r.date, r.reason, to_html(r.reason), r.source) for r in rule.revisions
            ],
        )

    def envelope(self, result: Any, total: int | None) -> dict[str, Any]:
        return {
            "schema_version": API_VERSION,
            "generated_at": f"{self.rb.updated.isoformat()}T00:00:00Z",
            "total": total,
            "result": result,
        }


def codes_index(rb: Rulebook) -> dict[str, list[Rule]]:
    """Every code and the rules that carry it, in rulebook order."""
    found: dict[str, list[Rule]] = {}
    for rule in rb.rules:
        for code in rule.codes:
            found.setdefault(code, []).append(rule)
    return dict(sorted(found.items()))


ENDPOINTS = [
    ("index.json", "This index: links to every document."),
    ("rules.json", "Every rule, full."),
    ("rules/{id}.json", "One rule, full, with its page URLs."),
    (
        "codes/{code}.json",
        "The rules that carry one status or error code; also answers in lowercase.",
    ),
    ("evidence.json", "The catalogue of evidence fields and their sensitivity."),
    ("boundaries.json", "The safe boundaries."),
    ("layers.json", "The layers of the request path, with their rule ids."),
    ("redirects.json", "Removed or renamed rule ids and the rules that replace them."),
    ("diagnose.json", "The diagnosis index: rank the rules for a pasted error text offline."),
    ("schema/rule.schema.json", "JSON Schema (2020-12) of one rule object."),
    ("openapi.json", "OpenAPI 3.1 description of these endpoints."),
]


def api_documents(ctx: BuildContext) -> dict[str, Any]:
    """Every API document: ``{path under /api/v1/: JSON-ready value}``."""
    b = ApiBuilder(ctx)
    rb = b.rb
    rules = {rule.id: _dump(b.rule(rule), RuleOut) for rule in rb.rules}
    docs: dict[str, Any] = {
        "rules.json": b.envelope(list(rules.values()), len(rules)),
        "evidence.json": b.envelope(
            [_dump(b.evidence(item), EvidenceRef) for item in rb.evidence], len(rb.evidence)
        ),
        "boundaries.json": b.envelope(
            [_dump(b.boundary(item), BoundaryOut) for item in rb.boundaries], len(rb.boundaries)
        ),
        "layers.json": b.envelope(
            [
                _dump(
                    LayerOut(
                        layer.id,
                        layer.title,
                        layer.summary,
                        to_html(layer.summary),
                        b.url(topic_path(layer.id)),
                        [rule.id for rule in rb.rules_in(layer.id)],
                    ),
                    LayerOut,
                )
                for layer in rb.layers
            ],
            len(rb.layers),
        ),
    }
    redirects = [
        _dump(
            RedirectOut(
                old,
                new,
                [b.url(path) for path in rule_id_paths(old)],
                [b.url(path) for path in rule_id_paths(new)],
            ),
            RedirectOut,
        )
        for old, new in sorted(rb.redirects.items())
    ]
    docs["redirects.json"] = b.envelope(redirects, len(redirects))
    for rule_id, value in rules.items():
        docs[f"rules/{rule_id}.json"] = b.envelope(value, None)
    codes = codes_index(rb)
    for code, carriers in codes.items():
        result = {
            "code": code,
            "retry": _dump(code_retry(carriers), CodeRetryOut),
            "rules": [rules[rule.id] for rule in carriers],
        }
        docs[f"codes/{code}.json"] = b.envelope(result, len(carriers))
        # Clients often lower-case what they look up; `check` refuses codes that differ
        # only by case, so the lowercase name is free to answer too.
        docs.setdefault(f"codes/{code.lower()}.json", docs[f"codes/{code}.json"])
    index = IndexOut(
        site=ctx.settings.site_name,
        site_url=ctx.settings.site_url,
        language=ctx.settings.language_tag,
        languages=[
            LanguageOut(
                edition.language_tag,
                edition.site_name,
                ctx.settings.edition_url(edition, ""),
                ctx.settings.edition_url(edition, PREFIX + "index.json"),
            )
            for edition in ctx.settings.every_edition
        ],
        endpoints=[Endpoint(path, b.url(PREFIX + path), text) for path, text in ENDPOINTS],
        rules=[Link(r.id, r.title, b.url(f"{PREFIX}rules/{r.id}.json")) for r in rb.rules],
        codes=[Link(code, code, b.url(f"{PREFIX}codes/{code}.json")) for code in codes],
        stack=stack_versions(),
    )
    docs["index.json"] = b.envelope(_dump(index, IndexOut), None)
    diagnosis = diagnose_document(Index(rb), ctx.settings)
    docs["diagnose.json"] = b.envelope(_dump(diagnosis, DiagnoseOut), len(rb.rules))
    docs["schema/rule.schema.json"] = rule_schema(ctx)
    docs["openapi.json"] = openapi(ctx)
    return docs


def rule_schema(ctx: BuildContext) -> dict[str, Any]:
    schema = TypeAdapter(RuleOut).json_schema(mode="serialization")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": ctx.settings.url(f"{PREFIX}schema/rule.schema.json"),
        "title": "triagebook rule",
        **schema,
    }


def _envelope_schema(
    result: dict[str, Any], *, listed: bool, counted: bool | None = None
) -> dict[str, Any]:
    """The envelope around ``result``: a list (``listed``) or one object; ``total``
    is an integer for counted documents and null for single objects."""
    counted = listed if counted is None else counted
    return {
        "type": "object",
        "required": ["schema_version", "generated_at", "total", "result"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"type": "string", "const": API_VERSION},
            "generated_at": {"type": "string", "format": "date-time"},
            "total": {"type": "integer"} if counted else {"type": "null"},
            "result": {"type": "array", "items": result} if listed else result,
        },
    }


def openapi(ctx: BuildContext) -> dict[str, Any]:
    shapes = [
        RuleOut,
        EvidenceRef,
        BoundaryOut,
        LayerOut,
        CodeOut,
        IndexOut,
        LanguageOut,
        RedirectOut,
        DiagnoseOut,
    ]
    refs, defs = TypeAdapter.json_schemas(
        [(shape.__name__, "serialization", TypeAdapter(shape)) for shape in shapes],
        ref_template="#/components/schemas/{model}",
    )
    ref = {name: refs[(name, "serialization")] for name in (s.__name__ for s in shapes)}

    def get(summary: str, schema: dict[str, Any], params: list[dict] | None = None) -> dict:
        op: dict[str, Any] = {
            "summary": summary,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                "404": {"description": "No such document."},
            },
        }
        if params:
            op["parameters"] = params
        return {"get": op}

    def param(name: str, pattern: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": pattern},
        }

    paths = {
        "/index.json": get(
            "Links to every document.", _envelope_schema(ref["IndexOut"], listed=False)
        ),
        "/rules.json": get("Every rule.", _envelope_schema(ref["RuleOut"], listed=True)),
        "/rules/{id}.json": get(
            "One rule.", _envelope_schema(ref["RuleOut"], listed=False), [param("id", SLUG_PATTERN)]
        ),
        "/codes/{code}.json": get(
            "The rules that carry a code.",
            _envelope_schema(ref["CodeOut"], listed=False, counted=True),
            [param("code", CODE_PATTERN)],
        ),
        "/evidence.json": get(
            "Evidence fields.", _envelope_schema(ref["EvidenceRef"], listed=True)
        ),
        "/boundaries.json": get(
            "Safe boundaries.", _envelope_schema(ref["BoundaryOut"], listed=True)
        ),
        "/layers.json": get("Layers.", _envelope_schema(ref["LayerOut"], listed=True)),
        "/redirects.json": get("Redirects.", _envelope_schema(ref["RedirectOut"], listed=True)),
        "/diagnose.json": get(
            "The diagnosis index (algorithm: docs/diagnose.md in the project).",
            _envelope_schema(ref["DiagnoseOut"], listed=False, counted=True),
        ),
        "/schema/rule.schema.json": get("JSON Schema of one rule.", {"type": "object"}),
        "/openapi.json": get("This description.", {"type": "object"}),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{ctx.settings.site_name} JSON API",
            "version": API_VERSION,
            "description": "Static, read-only JSON documents generated from the rulebook. "
            "Every field is always present; empty values are null or [].",
        },
        "jsonSchemaDialect": SCHEMA_DIALECT,
        "servers": [{"url": ctx.settings.url(PREFIX).rstrip("/")}],
        "paths": paths,
        "components": {"schemas": defs.get("$defs", defs)},
    }


#: Read by people as well as programs: indented. The data documents are compact,
#: which also lets json use its C encoder (indenting falls back to pure Python).
PRETTY = {"openapi.json", "schema/rule.schema.json", "index.json"}


def write_api(ctx: BuildContext, site_dir: Path) -> list[Path]:
    return [
        write_text(
            site_dir,
            PREFIX + path,
            json.dumps(
                doc,
                ensure_ascii=False,
                indent=2 if path in PRETTY else None,
                separators=None if path in PRETTY else (",", ":"),
            )
            + "\n",
        )
        for path, doc in api_documents(ctx).items()
    ]
