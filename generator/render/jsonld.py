"""schema.org JSON-LD for each generated page, placed in the page head by the theme.

FAQPage answers are the visible answers as text; TechArticle and BreadcrumbList
describe rule and checklist pages. We emit these for answer engines and other
consumers, not for Google rich results (FAQ and HowTo results are retired).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from generator.render.markdown_text import to_text
from generator.render.urls import rule_path

if TYPE_CHECKING:
    from generator.config import Settings
    from generator.render.messages import Messages
    from generator.render.page import Page
    from generator.rulebook.model import Rule, Rulebook

CONTEXT = "https://schema.org"
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(data: dict[str, Any]) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` are escaped, so no text
    inside can close the element or start a comment."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def _breadcrumbs(settings: Settings, trail: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": settings.url(path)}
            for i, (name, path) in enumerate(trail, start=1)
        ],
    }


def _article(page: Page, settings: Settings, rule: Rule) -> dict[str, Any]:
    article = {
        "@context": CONTEXT,
        "@type": "TechArticle",
        "headline": page.title,
        "description": to_text(rule.summary),
        "dateModified": rule.reviewed.isoformat(),
        "inLanguage": settings.language_tag,
        "url": settings.url(page.url_path),
        "keywords": list(rule.codes),
        "isPartOf": {"@type": "WebSite", "name": settings.site_name, "url": settings.site_url},
    }
    if rule.summary_en and settings.language != "en":  # an English abstract of another language
        article["abstract"] = to_text(rule.summary_en)
    return article


def faq_page(rules: list[Rule], settings: Settings) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": "FAQPage",
        "inLanguage": settings.language_tag,
        "mainEntity": [
            {
                "@type": "Question",
                "name": to_text(item.q),
                "acceptedAnswer": {"@type": "Answer", "text": to_text(item.a)},
            }
            for rule in rules
            for item in rule.faq
        ],
    }


def page_jsonld(page: Page, rb: Rulebook, settings: Settings, t: Messages) -> list[dict[str, Any]]:
    home = (settings.site_name, "")
    rules_hub = (t("page.rules.title"), "rules/")
    if page.kind == "rule":
        rule = page.context["rule"]
        crumbs = [home, rules_hub, (page.title, page.url_path)]
        return [_article(page, settings, rule), _breadcrumbs(settings, crumbs)]
    if page.kind == "checklist":
        rule = page.context["rule"]
        crumbs = [
            home,
            rules_hub,
            (rule.title, rule_path(rule.id)),
            (t("rule.checklist"), page.url_path),
        ]
        return [_article(page, settings, rule), _breadcrumbs(settings, crumbs)]
    if page.kind == "faq":
        crumbs = [home, (t("page.faq.title"), "faq/")]
        if page.url_path != "faq/":
            crumbs.append((page.title, page.url_path))
            return [faq_page(page.context["rules"], settings), _breadcrumbs(settings, crumbs)]
        # The hub shows questions without answers: FAQPage data must match what is shown.
        return [_breadcrumbs(settings, crumbs)]
    if page.kind == "home":
        return [
            {
                "@context": CONTEXT,
                "@type": "WebSite",
                "name": settings.site_name,
                "description": settings.description,
                "url": settings.site_url,
                "inLanguage": settings.language_tag,
            }
        ]
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "CollectionPage",
        "name": page.title,
        "description": to_text(page.description),
        "url": settings.url(page.url_path),
        "inLanguage": settings.language_tag,
    }
    if page.lastmod:
        collection["dateModified"] = page.lastmod.isoformat()
    return [
        collection,
        _breadcrumbs(settings, [home, (page.title, page.url_path)]),
    ]
