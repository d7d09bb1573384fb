"""Generated pages: the rulebook rendered to a Markdown tree through Jinja2 templates.

URLs are the contract in DESIGN.md §4; the source path of each page decides
its URL (``rules/http-429.md`` -> ``/rules/http-429/``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError
from mkdocs.utils.meta import get_data

from generator.config import Settings
from generator.errors import BuildError
from generator.files import write_text
from generator.render.glossary import Glossary, anchor
from generator.render.jsonld import page_jsonld, script_json
from generator.render.page import Page
from generator.render.templating import environment
from generator.render.urls import checklist_path, rule_path, source, topic_path
from generator.rulebook.model import Rule, Rulebook

RETRY_LABELS = {
    "none": "不要重试：先修正请求",
    "backoff": "可以自动重试（指数退避）",
    "manual": "仅人工决定后重试",
}
SENSITIVITY_LABELS = {
    "public": "可直接提供",
    "redact": "打码后提供",
    "never": "绝不收集",
}


def rule_page(rule: Rule) -> str:
    return source(rule_path(rule.id))


def checklist_page(rule: Rule) -> str:
    return source(checklist_path(rule.id))


def topic_page(layer_id: str) -> str:
    return source(topic_path(layer_id))


def faq_page(layer_id: str | None = None) -> str:
    return f"faq/{layer_id}.md" if layer_id else "faq/index.md"


def _newest(rules: list[Rule], fallback: dt.date) -> dt.date:
    return max((rule.reviewed for rule in rules), default=fallback)


def plan_pages(rb: Rulebook, settings: Settings) -> list[Page]:
    """Every generated page, in navigation order. Hubs take the newest date they list."""
    updated = rb.updated
    pages = [
        Page("index.md", "home.md.j2", settings.site_name, settings.description, "home", updated),
        Page(
            "search.md",
            "search.md.j2",
            "搜索",
            "按错误码、报错原文里的词或一句描述搜索全站。",
            "tool",
            None,
        ),
        Page(
            "diagnose.md",
            "diagnose.md.j2",
            "诊断报错",
            "粘贴报错原文或描述现象，直接找到对应的规则、证据模板和安全边界。",
            "tool",
            None,
        ),
        Page(
            "rules/index.md",
            "rules_index.md.j2",
            "全部错误规则",
            "按发生层列出的全部错误规则。",
            "hub",
            updated,
        ),
        Page(
            "topics/index.md",
            "topics_index.md.j2",
            "按发生层排查",
            "先判断失败发生在哪一层，再看这一层的规则。",
            "hub",
            updated,
        ),
        Page(
            faq_page(),
            "faq.md.j2",
            "常见问题",
            "全部错误规则的常见问题。",
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
                f"{layer.title}：排查专题",
                layer.summary,
                "topic",
                lastmod,
                {"layer": layer, "rules": rules},
            )
        )
        if rules:
            pages.append(
                Page(
                    faq_page(layer.id),
                    "faq.md.j2",
                    f"{layer.title}：常见问题",
                    layer.summary,
                    "faq",
                    lastmod,
                    {"layer": layer, "rules": rules},
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
                f"检查清单：{rule.title}",
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
            "证据字段",
            "排查时可以收集的证据字段，以及每个字段的敏感度。",
            "catalogue",
            None,
        ),
        Page(
            "boundaries.md",
            "boundaries.md.j2",
            "安全边界",
            "排查时绝不索取、绝不做的事。",
            "catalogue",
            None,
        ),
        Page("glossary.md", "glossary.md.j2", "术语表", "本站使用的术语。", "catalogue", None),
    ]
    return pages


def _common(rb: Rulebook, settings: Settings) -> dict[str, object]:
    """What every page template sees."""
    return {
        "rb": rb,
        "glossary": Glossary(rb),
        "anchor": anchor,
        "settings": settings,
        "retry_labels": RETRY_LABELS,
        "sensitivity_labels": SENSITIVITY_LABELS,
        "rule_page": rule_page,
        "checklist_page": checklist_page,
        "topic_page": topic_page,
        "faq_page": faq_page,
    }


def render_not_found(rb: Rulebook, settings: Settings, templates: Path) -> str:
    """The 404 page's content as HTML, its links written from the site's root."""
    page = Page("404.md", "not_found.html.j2", "", "", "not-found", None)
    template = environment(templates / "pages").get_template(page.template)
    return template.render(
        _common(rb, settings), page=page, page_path=page.src, twin=False, root_links=True
    )


def render_pages(
    rb: Rulebook, settings: Settings, templates: Path, pages: list[Page], *, twin: bool = False
) -> dict[str, str]:
    """Render every page to Markdown: ``{src: text}``.

    ``twin`` renders the clean Markdown twin published beside each page
    (absolute links, no front matter, no MkDocs-only syntax).
    """
    env = environment(templates / "pages")
    common = _common(rb, settings)
    out = {}
    for page in pages:
        try:
            template = env.get_template(page.template)
            # Passed to the theme as JSON strings: one front-matter scalar each is cheap
            # for MkDocs to read, where nested data cost a millisecond a page.
            jsonld = [] if twin else [script_json(d) for d in page_jsonld(page, rb, settings)]
            out[page.src] = template.render(
                common,
                page=page,
                page_path=page.src,
                twin=twin,
                jsonld=jsonld,
                glossary_seen=set(),
                **page.context,
            )
        except TemplateError as exc:
            where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, TemplateSyntaxError) else ""
            raise BuildError(
                f"template {page.template} {where} failed for {page.src}: {exc}"
            ) from exc
    return out


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
