"""The diagnosis index: every rule's features with their weights, from the rulebook alone.

A feature found in several fields of a rule counts with its strongest field (codes above
signatures above typed phrases above titles above prose), scaled by how rare it is
across rules (``idf``): ``ECONNRESET`` in one rule says more than ``error`` in all of them,
and a rule's own specific code outweighs a status it shares with others.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cached_property

from generator.diagnose.text import Feature, cjk_runs, features, normalize
from generator.rulebook.model import Rule, Rulebook

#: Field weights. A field's words and pairs count; code pairs only as part of the code.
WEIGHTS = {
    "status": 8.0,  # the rule's own status code, read in a status context
    "code": 6.0,
    "signature": 2.5,  # a code-like word (ECONNRESET, HTTPSConnectionPool), a pair, CJK words
    "signature_word": 1.0,  # a plain English word of a signature ("information", "server")
    "title": 3.0,
    "match": 2.0,
    "summary": 1.0,
    "faq": 0.6,
    "weak": 0.4,  # one CJK character; a status number outside a status context
}
MAX_WEIGHT = max(WEIGHTS.values())
#: Fields whose word pairs are left out: prose, and typed phrases (they match by their
#: words; their pairs made the data larger and the ranking no better).
NO_PAIRS = frozenset({"summary", "faq", "match"})
#: A text with more features than this counts each of them less (by sqrt(SHORT / n)).
SHORT = 6
#: A rule is a match when its score reaches this (one distinctive word is not enough).
MIN_SCORE = 3.0
#: Scores are published as integers: hundredths.
SCALE = 10


@dataclass(frozen=True)
class Posting:
    rule: int  # index in the rulebook's rule list
    weight: int  # field weight x idf, in hundredths
    field: str  # the strongest field the feature came from: the kind of the reason


def _field_texts(rule: Rule) -> list[tuple[str, str]]:
    texts = [("signature", text) for text in rule.signatures]
    texts += [("match", text) for text in rule.match]
    texts += [("title", rule.title)]
    texts += [("summary", rule.summary)]  # summary_en adds bytes more than it adds answers
    texts += [("faq", item.q) for item in rule.faq]
    return texts


def _code_features(code: str) -> list[tuple[str, str]]:
    """A code as written: one word or status is the code itself; a code of several words
    ("Access-Control-Allow-Origin") counts as a code only as a whole phrase."""
    found = features(code)
    if len(found) == 1:
        key = found[0].key
        if key.startswith("s:"):  # the same number outside a status context, weakly
            return [(key, "status"), (f"n:{key[2:]}", "weak")]
        return [(key, "code")]
    return [(f.key, "code" if f.key.startswith("p:") else "signature") for f in found]


def code_like(word: str) -> bool:
    """ECONNRESET, CERT_HAS_EXPIRED, APITimeoutError, x509, TLS: not a plain word."""
    return "_" in word or any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])


def _field_of(field: str, feature: Feature) -> str:
    if field == "signature" and feature.key.startswith("w:") and not code_like(feature.shown):
        return "signature_word"
    if feature.key.startswith("c:") and len(feature.key) == 3:  # one CJK character
        return "weak"
    return field


def rule_features(
    rule: Rule, vocabulary: frozenset[str], longest: int
) -> dict[str, tuple[float, str]]:
    """Feature key -> (strength, field) of the strongest occurrence in one rule. In a long
    text (a signature that carries a whole JSON body) each feature counts less: a match
    on a short, specific text says more than one word of a long one."""
    found = [
        (key, WEIGHTS[field], field) for code in rule.codes for key, field in _code_features(code)
    ]
    for field, text in _field_texts(rule):
        extracted = [
            f
            for f in features(normalize(text), vocabulary, longest)
            # Word pairs are the phrases of error texts and titles.
            if not (field in NO_PAIRS and f.key.startswith("p:"))
        ]
        damping = min(1.0, math.sqrt(SHORT / len(extracted))) if extracted else 1.0
        for feature in extracted:
            kind = _field_of(field, feature)
            found.append((feature.key, WEIGHTS[kind] * damping, kind))
    best: dict[str, tuple[float, str]] = {}
    for key, strength, field in found:
        if key not in best or strength > best[key][0]:
            best[key] = (strength, field)
    return best


def vocabulary(texts: list[str]) -> frozenset[str]:
    """The CJK words of the rulebook, as jieba cuts them: the page ships them (they are the
    keys of the CJK features) and cuts a pasted text with them, without a server."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # Each run cut once: rules share their phrases (a layer's words, a gateway's wording).
    runs = {run for text in set(texts) for run in cjk_runs(normalize(text))}
    return frozenset(word for run in runs for word in jieba.cut(run, HMM=False) if len(word) >= 2)


@dataclass(frozen=True)
class Index:
    rulebook: Rulebook

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """The words the index is cut with, which are exactly the CJK feature keys of two or
        more characters: so the page, which has only the keys, cuts a text the same way."""
        texts = [text for rule in self.rulebook.rules for _, text in _field_texts(rule)]
        words = vocabulary(texts)
        for _ in range(8):  # a word the longest-first cut never yields is dropped; repeat
            longest = max((len(word) for word in words), default=1)
            used = {
                f.key[2:]
                for text in set(texts)
                for f in features(normalize(text), words, longest)
                if f.key.startswith("c:") and len(f.key) > 3
            }
            if used == words:
                break
            words = frozenset(used)
        return words

    @cached_property
    def longest(self) -> int:
        return max((len(word) for word in self.vocabulary), default=1)

    def query(self, text: str) -> list[Feature]:
        """The features of a pasted text, cut with this index's vocabulary."""
        return features(normalize(text), self.vocabulary, self.longest)

    @cached_property
    def postings(self) -> dict[str, list[Posting]]:
        per_rule = [
            rule_features(rule, self.vocabulary, self.longest) for rule in self.rulebook.rules
        ]
        # How many rules carry a feature, each counted by the strength of its field: a
        # status that is one rule's code and a word in another's signature stays telling.
        frequency: dict[str, float] = {}
        for found in per_rule:
            for key, (strength, _) in found.items():
                frequency[key] = frequency.get(key, 0) + strength / MAX_WEIGHT
        total = len(per_rule)
        postings: dict[str, list[Posting]] = {}
        for i, found in enumerate(per_rule):
            for key, (strength, field) in found.items():
                idf = math.log(1 + total / frequency[key])
                weight = round(strength * idf * SCALE)
                if weight > 0:
                    postings.setdefault(key, []).append(Posting(i, weight, field))
        return dict(sorted(postings.items()))
