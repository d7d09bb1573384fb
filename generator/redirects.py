"""Redirect pages for removed or renamed rule ids, so old URLs never 404.

A static host cannot send a 301, so each old URL gets a tiny page with a
canonical link and an immediate refresh to the rule that replaced it.
"""

from __future__ import annotations

from pathlib import Path

from generator.crawlers import xml_environment
from generator.files import write_text
from generator.outputs import BuildContext

KINDS = ("rules", "checklists")


def redirect_urls(ctx: BuildContext) -> list[str]:
    return [f"{kind}/{old}/" for old in ctx.rulebook.redirects for kind in KINDS]


def write_redirects(ctx: BuildContext, site_dir: Path) -> list[Path]:
    template = xml_environment(ctx.templates / "machine").get_template("redirect.html.j2")
    written = []
    for old, new in sorted(ctx.rulebook.redirects.items()):
        rule = ctx.rulebook.rule_by_id[new]
        for kind in KINDS:
            target = ctx.settings.url(f"{kind}/{new}/")
            html = template.render(settings=ctx.settings, target=target, title=rule.title)
            written.append(write_text(site_dir, f"{kind}/{old}/index.html", html))
    return written
