"""Generated pages: the rulebook rendered to a Markdown tree through Jinja2 templates.

URLs are the contract in DESIGN.md §4; the source path of each page decides
its URL (``rules/http-429.md`` -> ``/rules/http-429/``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError
from mkdocs.utils.meta import get_data

from generator.config import Settings
from generator.errors import BuildError
from generator.files import write_text
from generator.render.glossary import Glossary, anchor
from generator.render.jsonld import page_jsonld, script_json
from generator.render.messages import Messages
from generator.render.page import Page
from generator.render.templating import Templates
from generator.render.urls import checklist_path, rule_path, source, topic_path
from generator.render.words import MIN_STEM, SUFFIXES
from generator.rulebook.model import Rule, Rulebook


def rule_page(rule: Rule) -> str:
    return source(rule_path(rule.id))


def checklist_page(rule: Rule) -> str:
    return source(checklist_path(rule.id))


def topic_page(layer_id: str) -> str:
    return source(topic_path(layer_id))


#: A layer's FAQ page holds this many rules' questions; more go to /faq/<layer>/2/ …, so no
#: page grows with the rulebook (at 1,000 rules a layer's questions fill 900 KB).
FAQ_RULES_PER_PAGE = 40
#: The FAQ hub shows this many questions a layer, then links to the layer's pages.
FAQ_HUB_QUESTIONS = 8
#: The all-rules page lists this many rules a layer, then links to the layer's topic page.
RULES_PER_LAYER = 40


def faq_page(layer_id: str | None = None, part: int = 1) -> str:
    if not layer_id:
        return "faq/index.md"
    return f"faq/{layer_id}.md" if part == 1 else f"faq/{layer_id}/{part}.md"


def faq_parts(rules: list[Rule]) -> list[list[Rule]]:
    """A layer's rules as its FAQ pages hold them, in order."""
    return [rules[i : i + FAQ_RULES_PER_PAGE] for i in range(0, len(rules), FAQ_RULES_PER_PAGE)]


def faq_answer(rb: Rulebook, rule: Rule) -> str:
    """The FAQ page that holds ``rule``'s questions."""
    rules = rb.rules_in(rule.layer)
    return faq_page(rule.layer, rules.index(rule) // FAQ_RULES_PER_PAGE + 1)


def _newest(rules: list[Rule], fallback: dt.date) -> dt.date:
    return max((rule.reviewed for rule in rules), default=fallback)


def plan_pages(rb: Rulebook, settings: Settings, t: Messages) -> list[Page]:
    """Every generated page, in navigation order. Hubs take the newest date they list."""
    updated = rb.updated
    pages = [
        Page("index.md", "home.md.j2", settings.site_name, settings.description, "home", updated),
        Page(
            "search.md",
            "search.md.j2",
            t("page.search.title"),
            t("page.search.description"),
            "tool",
            None,
        ),
        Page(
            "diagnose.md",
            "diagnose.md.j2",
            t("page.diagnose.title"),
            t("page.diagnose.description"),
            "tool",
            None,
        ),
        Page(
            "rules/index.md",
            "rules_index.md.j2",
            t("page.rules.title"),
            t("page.rules.description"),
            "hub",
            updated,
        ),
        Page(
            "topics/index.md",
            "topics_index.md.j2",
            t("page.topics.title"),
            t("page.topics.description"),
            "hub",
            updated,
        ),
        Page(
            faq_page(),
            "faq.md.j2",
            t("page.faq.title"),
            t("page.faq.description"),
            "faq",
            updated,
            {"layer": None, "rules": list(rb.rules)},
        ),
    ]
    for layer in rb.layers:
        rules = rb.rules_in(layer.id)
        # A layer without rules has a topic page (it says so) with no date of its own,
        # and no FAQ page: an empty FAQPage is invalid structured data.
        lastmod = _newest(rules, updated) if rules else None
        pages.append(
            Page(
                topic_page(layer.id),
                "topic.md.j2",
                t("page.topic.title", layer=layer.title),
                layer.summary,
                "topic",
                lastmod,
                {"layer": layer, "rules": rules},
            )
        )
        parts = faq_parts(rules)
        for part, chunk in enumerate(parts, 1):
            title = t("page.faq_layer.title", layer=layer.title)
            pages.append(
                Page(
                    faq_page(layer.id, part),
                    "faq.md.j2",
                    title if part == 1 else t("page.faq_layer.part", title=title, part=part),
                    layer.summary,
                    "faq",
                    _newest(chunk, updated),
                    {"layer": layer, "rules": chunk, "part": part, "parts": len(parts)},
                )
            )
    for rule in rb.rules:
        pages.append(
            Page(
                rule_page(rule),
                "rule.md.j2",
                rule.title,
                rule.summary,
                "rule",
                rule.reviewed,
                {"rule": rule},
            )
        )
        pages.append(
            Page(
                checklist_page(rule),
                "checklist.md.j2",
                t("page.checklist.title", title=rule.title),
                rule.summary,
                "checklist",
                rule.reviewed,
                {"rule": rule},
            )
        )
    # The catalogues carry no dates of their own: no lastmod rather than a borrowed one
    # (a rule's review must not make search engines recrawl the evidence page).
    pages += [
        Page(
            "evidence.md",
            "evidence.md.j2",
            t("page.evidence.title"),
            t("page.evidence.description"),
            "catalogue",
            None,
        ),
        Page(
            "boundaries.md",
            "boundaries.md.j2",
            t("page.boundaries.title"),
            t("page.boundaries.description"),
            "catalogue",
            None,
        ),
        Page(
            "glossary.md",
            "glossary.md.j2",
            t("page.glossary.title"),
            t("page.glossary.description"),
            "catalogue",
            None,
        ),
    ]
    return pages


def alternates(settings: Settings, path: str) -> list[dict[str, str]]:
    """The page at ``path`` in every language of the site (generated pages exist in
    each), plus ``x-default``, the default language's, for readers of any other."""
    if len(settings.editions) < 2:
        return []
    found = [
        {"lang": e.language_tag, "url": settings.edition_url(e, path)} for e in settings.editions
    ]
    return [*found, {"lang": "x-default", "url": found[0]["url"]}]


def _common(rb: Rulebook, settings: Settings) -> dict[str, object]:
    """What every page template sees."""
    return {
        "rb": rb,
        "glossary": Glossary(rb),
        "anchor": anchor,
        "settings": settings,
        "rule_page": rule_page,
        "checklist_page": checklist_page,
        "topic_page": topic_page,
        "faq_page": faq_page,
        "faq_answer": lambda rule: faq_answer(rb, rule),
        "FAQ_HUB_QUESTIONS": FAQ_HUB_QUESTIONS,
        "RULES_PER_LAYER": RULES_PER_LAYER,
        "stemming": {"suffixes": SUFFIXES, "min": MIN_STEM},
    }


def render_not_found(rb: Rulebook, settings: Settings, templates: Templates) -> str:
    """The 404 page's content as HTML, its links written from the site's root."""
    page = Page("404.md", "not_found.html.j2", "", "", "not-found", None)
    template = templates.environment("pages", settings.language).get_template(page.template)
    return template.render(
        _common(rb, settings), page=page, page_path=page.src, twin=False, root_links=True
    )


def render_pages(
    rb: Rulebook,
    settings: Settings,
    templates: Templates,
    pages: list[Page],
    *,
    twin: bool = False,
) -> dict[str, str]:
    """Render every page to Markdown: ``{src: text}``.

    ``twin`` renders the clean Markdown twin published beside each page
    (absolute links, no front matter, no MkDocs-only syntax).
    """
    return dict(rendered_pages(rb, settings, templates, pages, twin=twin))


def rendered_pages(
    rb: Rulebook,
    settings: Settings,
    templates: Templates,
    pages: list[Page],
    *,
    twin: bool = False,
) -> Iterator[tuple[str, str]]:
    """``render_pages`` one page at a time, in the order of ``pages``: ``(src, text)``."""
    env = templates.environment("pages", settings.language)
    t = templates.messages(settings.language)
    common = _common(rb, settings)
    for page in pages:
        try:
            template = env.get_template(page.template)
            # Passed to the theme as JSON strings: one front-matter scalar each is cheap
            # for MkDocs to read, where nested data cost a millisecond a page.
            jsonld = [] if twin else [script_json(d) for d in page_jsonld(page, rb, settings, t)]
            text = template.render(
                common,
                page=page,
                page_path=page.src,
                twin=twin,
                jsonld=jsonld,
                alternates=alternates(settings, page.url_path),
                glossary_seen=set(),
                **page.context,
            )
        except TemplateError as exc:
            where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, TemplateSyntaxError) else ""
            raise BuildError(
                f"template {page.template} {where} failed for {page.src}: {exc}"
            ) from exc
        yield page.src, text


def write_pages(rendered: dict[str, str], docs_dir: Path) -> list[Path]:
    return [write_text(docs_dir, src, text) for src, text in rendered.items()]


def hand_written_pages(content: Path) -> list[tuple[str, str]]:
    """``(docs path, title)`` of each page in content/, sorted by path."""
    found = []
    for path in sorted(content.rglob("*.md")) if content.is_dir() else []:
        body, meta = get_data(path.read_text(encoding="utf-8"))
        heading = next((ln[2:].strip() for ln in body.splitlines() if ln.startswith("# ")), None)
        found.append((path.relative_to(content).as_posix(), str(meta.get("title") or heading)))
    return found
