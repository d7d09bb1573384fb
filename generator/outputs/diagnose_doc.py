"""``/api/v1/diagnose.json``: the diagnosis index as data, so that the page and any other
tool rank a pasted error exactly as ``triagebook diagnose`` does (the algorithm is written
down in docs/diagnose.md)."""

from __future__ import annotations

import dataclasses

from generator.config import Settings
from generator.diagnose.evidence import EXTRACTORS, MAX_VALUE, secret_patterns
from generator.diagnose.index import MIN_SCORE, SCALE, WEIGHTS, Index
from generator.diagnose.rank import MAX_REASONS, REASON_KINDS
from generator.diagnose.text import CJK_STOPWORDS, spec
from generator.outputs.api_model import (
    DiagnoseEvidence,
    DiagnoseOut,
    DiagnoseRule,
    DiagnoseText,
)
from generator.render.markdown_text import to_text
from generator.render.urls import checklist_path, rule_path
from generator.rulebook.secrets_scan import PLACEHOLDER

ALGORITHM = "triagebook-diagnose/1"


def diagnose_document(index: Index, settings: Settings) -> DiagnoseOut:
    rb = index.rulebook
    fields = list(WEIGHTS)
    return DiagnoseOut(
        algorithm=ALGORITHM,
        # A stopword outside the vocabulary can never be cut from a text, so only those in
        # it need publishing (none for a rulebook without Chinese).
        text=dataclasses.replace(
            DiagnoseText(**spec()),  # type: ignore[arg-type]
            cjk_stopwords=sorted(CJK_STOPWORDS & index.vocabulary),
        ),
        fields=fields,
        weights=WEIGHTS,
        reason_kinds=REASON_KINDS,
        scale=SCALE,
        min_score=MIN_SCORE,
        max_reasons=MAX_REASONS,
        longest_word=index.longest,
        features={
            key: [n for p in postings for n in (p.rule, p.weight, fields.index(p.field))]
            for key, postings in index.postings.items()
        },
        rules=[
            DiagnoseRule(
                rule.id,
                to_text(rule.title),
                settings.url(rule_path(rule.id)),
                settings.url(checklist_path(rule.id)),
                list(rule.evidence),
            )
            for rule in rb.rules
        ],
        evidence=[
            DiagnoseEvidence(item.id, to_text(item.label), item.sensitivity, item.extract)
            for item in rb.evidence
            if item.sensitivity != "never"
        ],
        extractors={kind: list(patterns) for kind, patterns in EXTRACTORS.items()},
        max_value=MAX_VALUE,
        secrets=list(secret_patterns()),
        secret_placeholder=PLACEHOLDER.pattern,
    )
