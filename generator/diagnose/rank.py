"""Rank the rules for a pasted text: the sum of the weights of the features they share.

Each result names its reasons: the features that contributed most, as the text wrote
them, with the field of the rule they matched (a code, a status, a signature, a phrase an
editor added, or words of the title and prose).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.diagnose.index import MIN_SCORE, SCALE, Index

#: How many reasons each result names.
MAX_REASONS = 3
#: The field a feature matched in, as a result names it.
REASON_KINDS = {
    "status": "status",
    "code": "code",
    "signature": "signature",
    "signature_word": "signature",
    "match": "phrase",
    "title": "title",
    "summary": "words",
    "faq": "words",
    "weak": "words",
}


@dataclass(frozen=True)
class Reason:
    kind: str  # one of REASON_KINDS' values
    text: str  # as the pasted text wrote it

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass(frozen=True)
class Match:
    rule: int  # index in the rulebook's rule list
    score: float
    reasons: list[Reason]


def rank(text: str, index: Index, top: int | None = None) -> list[Match]:
    """The rules that match ``text``, best first (ties in rulebook order)."""
    scores: dict[int, int] = {}
    contributions: dict[int, list[tuple[int, Reason]]] = {}
    for feature in index.query(text):
        for posting in index.postings.get(feature.key, ()):
            scores[posting.rule] = scores.get(posting.rule, 0) + posting.weight
            kind = "status" if feature.key.startswith("s:") else REASON_KINDS[posting.field]
            contributions.setdefault(posting.rule, []).append(
                (posting.weight, Reason(kind, feature.shown))
            )
    ranked = sorted(
        (rule for rule, score in scores.items() if score >= MIN_SCORE * SCALE),
        key=lambda rule: (-scores[rule], rule),
    )
    matches = [
        Match(
            rule,
            scores[rule] / SCALE,
            [
                reason
                for _, reason in sorted(contributions[rule], key=lambda c: -c[0])[:MAX_REASONS]
            ],
        )
        for rule in ranked
    ]
    return matches[:top] if top else matches
