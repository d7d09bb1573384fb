"""Fast rebuilds for ``serve``: after a whole build, an edit to rules renders again only
the pages that show what changed, and MkDocs turns only those pages into HTML.

A rule is shown on its own page and checklist, on the pages of the rules that name it
as related (they print its title), and on pages that are not one rule's own (home, hubs,
FAQ, catalogues: a few dozen, whatever the size of the rulebook), which are always
rendered again and written only if they changed. Anything else (settings, layers,
glossary, evidence, boundaries, the order or the layers of rules, the newest review
date, templates, hand-written pages, the engine being Zensical) takes the whole build:
``update`` then returns None. The machine-readable files (search index, twins, API,
llms, sitemap) are not touched here; serve refreshes them in the background.
"""

from __future__ import annotations

import shutil
from dataclasses import fields, replace
from pathlib import Path

from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.outputs.security import extend_policy
from generator.render.page import Page
from generator.render.pages import render_pages
from generator.rulebook.model import Rulebook
from generator.outputs.hosting import write_host_files
from generator.outputs.manifest import write_manifest
from generator.outputs.search_index import write_search_index
from generator.site.build import WRITERS, BuildResult, Staged, plan
from generator.site.second_process import write_outputs
from generator.site.swap import merge_into
from generator.site.engine import render_changed
from generator.site.project import Project, editions

#: Pages that show one rule only; every other page may show any rule.
OWN_PAGES = ("rule", "checklist")


def pages_to_render(old: Rulebook, new: Rulebook, pages: list[Page]) -> list[Page] | None:
    """The pages of ``new`` that may differ from ``old``'s, or None if any may."""
    if any(
        getattr(old, f.name) != getattr(new, f.name) for f in fields(Rulebook) if f.name != "rules"
    ):
        return None
    shape = [(rule.id, rule.layer) for rule in old.rules]
    if shape != [(rule.id, rule.layer) for rule in new.rules] or old.updated != new.updated:
        return None
    changed = {b.id for a, b in zip(old.rules, new.rules, strict=True) if a != b}
    shown = changed | {rule.id for rule in new.rules if changed.intersection(rule.related)}
    return [p for p in pages if p.kind not in OWN_PAGES or p.context["rule"].id in shown]


def _outline(pages: list[Page]) -> list[tuple[str, str]]:
    """What the navigation is made of: every page's path, and the title of each page that
    is not one rule's own (those are never listed in it)."""
    return [(p.src, "" if p.kind in OWN_PAGES else p.title) for p in pages]


def update(project: Project, last: BuildResult) -> tuple[BuildResult, list[Path]] | None:
    """Bring the site ``last`` built up to date with the rulebook: the new state and the
    pages rewritten, or None when only a whole build can (which then also redoes any page
    written here). Raises RulebookError as a build does, before anything is written."""
    builds = editions(project)
    if last.engine != "mkdocs" or len(builds) != len(last.staged):
        return None
    plans = []
    for before, eb in zip(last.staged, builds, strict=True):
        ctx = before.context
        if eb.edition != before.edition.edition or eb.settings != ctx.settings:
            return None
        planned = plan(project, eb)
        if _outline(planned.pages) != _outline(ctx.pages):
            return None
        chosen = pages_to_render(ctx.rulebook, eb.rulebook, planned.pages)
        if chosen is None:
            return None
        plans.append((before, eb, planned, chosen))
    staged, rewritten = [], []
    for before, eb, planned, chosen in plans:
        docs, site = before.job.docs_dir, before.job.site_dir
        rendered = render_pages(eb.rulebook, eb.settings, project.templates, chosen)
        changed = [p for p in chosen if (docs / p.src).read_text("utf-8") != rendered[p.src]]
        for page in changed:
            write_text(docs, page.src, rendered[page.src])
        if changed:
            render_changed(before.job)
        rewritten += [site / page.url_path / "index.html" for page in changed]
        staged.append(Staged(eb, planned, before.job))
    if not extend_policy(rewritten, last.policy):
        return None
    default = staged[0].context
    state = replace(last, rulebook=default.rulebook, pages=default.pages, staged=tuple(staged))
    return state, rewritten


def refresh_outputs(contexts: list[BuildContext], site_dir: Path, policy: str) -> None:
    """The machine-readable files of the site ``site_dir`` up to date with ``contexts`` (the
    state ``update`` left), after it rewrote the pages (the 404 page keeps the text of the
    whole build)."""
    extra = site_dir.with_name(f".{site_dir.name}.refresh")
    write_outputs(contexts, WRITERS, extra)
    merge_into(extra, site_dir)
    for ctx in contexts:
        index = write_search_index(ctx, site_dir / ctx.settings.prefix)
        # The index before this one: a folder named after its content, beside index.json.
        base = next(path.parent for path in index if path.name == "index.json")
        current = {path.relative_to(base).parts[0] for path in index}
        for stale in (p for p in base.iterdir() if p.is_dir() and p.name not in current):
            shutil.rmtree(stale)
    write_host_files(contexts, site_dir, policy)
    write_manifest(contexts, site_dir)

