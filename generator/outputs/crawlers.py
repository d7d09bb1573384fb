"""Files for crawlers and feed readers: ``sitemap.xml``, ``robots.txt`` and ``feed.xml``.

Dates are true: a page's ``<lastmod>`` is its rule's review date, a hub's is
the newest date it lists; hand-written pages carry none rather than a false one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.errors import BuildError
from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.render.markdown_text import to_text
from generator.render.pages import alternates
from generator.render.urls import rule_path

MAX_SITEMAP_URLS = 50_000


def sitemap_entries(ctx: BuildContext) -> list[dict[str, object]]:
    """Every page of the edition; a generated page with its other languages (hreflang)."""
    generated = {page.url_path for page in ctx.pages}
    return [
        {
            "loc": ctx.settings.url(path),
            "lastmod": day.isoformat() if day else None,
            "alternates": alternates(ctx.settings, path) if path in generated else [],
        }
        for path, day in ctx.page_dates.items()
    ]


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def feed_entries(ctx: BuildContext) -> list[dict[str, object]]:
    """One entry per revision (a rule without a log: one entry for its review), newest first."""
    entries: list[dict[str, object]] = []
    for rule in ctx.rulebook.rules:
        url = ctx.settings.url(rule_path(rule.id))
        log = [(r.date, r.reason, r.source) for r in rule.revisions] or [
            (rule.reviewed, rule.summary, None)
        ]
        for day, text, source in log:
            said = ctx.messages("feed.source", source=to_text(source)) if source else ""
            summary = to_text(text) + said
            entries.append(
                {
                    "title": rule.title,
                    "id": f"{url}#{day.isoformat()}",
                    "url": url,
                    "updated": _timestamp(day),
                    "summary": summary,
                    "codes": rule.codes,
                }
            )
    return sorted(entries, key=lambda e: (str(e["updated"]), str(e["id"])), reverse=True)


def write_crawler_files(ctx: BuildContext, site_dir: Path) -> list[Path]:
    env = ctx.environment(autoescape=True)
    entries = sitemap_entries(ctx)
    if len(entries) > MAX_SITEMAP_URLS:
        raise BuildError(
            f"{len(entries)} URLs exceed the sitemap limit of {MAX_SITEMAP_URLS:,} per file"
        )
    settings = ctx.settings
    written = [
        write_text(
            site_dir, "sitemap.xml", env.get_template("sitemap.xml.j2").render(entries=entries)
        ),
        write_text(
            site_dir,
            "feed.xml",
            env.get_template("feed.xml.j2").render(
                settings=settings,
                entries=feed_entries(ctx),
                updated=_timestamp(ctx.rulebook.updated),
            ),
        ),
    ]
    if not settings.prefix:  # crawlers read robots.txt at the root only: it lists every sitemap
        robots = ctx.environment().get_template("robots.txt.j2").render(settings=settings)
        written.append(write_text(site_dir, "robots.txt", robots))
    return written
