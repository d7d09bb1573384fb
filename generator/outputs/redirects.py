"""Redirect pages for removed or renamed rule ids, so old URLs never 404.

A static host cannot send a 301, so each old URL gets a tiny page with a
canonical link and an immediate refresh to the rule that replaced it.
"""

from __future__ import annotations

from pathlib import Path

from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.render.urls import rule_id_paths
from generator.rulebook.model import Rulebook


def redirect_paths(rb: Rulebook) -> list[str]:
    """The site paths that serve a redirect: every page of every redirected id."""
    return [path for old in sorted(rb.redirects) for path in rule_id_paths(old)]


def write_redirects(ctx: BuildContext, site_dir: Path) -> list[Path]:
    template = ctx.environment(autoescape=True).get_template("redirect.html.j2")
    written = []
    for old, new in sorted(ctx.rulebook.redirects.items()):
        rule = ctx.rulebook.rule_by_id[new]
        for old_path, new_path in zip(rule_id_paths(old), rule_id_paths(new), strict=True):
            target = ctx.settings.url(new_path)
            html = template.render(settings=ctx.settings, target=target, title=rule.title)
            written.append(write_text(site_dir, f"{old_path}index.html", html))
    return written
