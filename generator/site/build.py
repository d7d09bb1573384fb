"""The whole build: load -> validate -> model -> render -> engine -> swap in.

Everything is written into a temporary directory beside the target and swapped
in at the very end, so a failed or interrupted build leaves the previous site
exactly as it was.
"""

from __future__ import annotations

import calendar
import gc
import hashlib
import html
from urllib.parse import urlsplit
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from generator.errors import BuildError
from generator.outputs.api import write_api
from generator.outputs.context import BuildContext, Writer
from generator.outputs.crawlers import write_crawler_files
from generator.outputs.keyfile import write_key_file
from generator.outputs.llms import write_llms
from generator.outputs.hosting import write_host_files
from generator.outputs.security import apply_policy
from generator.outputs.manifest import write_manifest
from generator.outputs.not_found import write_not_found
from generator.outputs.redirects import write_redirects
from generator.outputs.twins import write_twins
from generator.render.messages import Messages
from generator.render.page import Page
from generator.render.pages import hand_written_pages, plan_pages, render_pages, write_pages
from generator.rulebook.model import Rulebook
from generator.site.engine import Job, Pending, reads_in_turn, render_site
from generator.site.second_process import SecondProcess, Share
from generator.config import Settings, load_settings
from generator.site.project import EditionBuild, Project, editions
from generator.site.swap import merge_into, restore_interrupted_swap, retire, swap_in

#: Outputs that need only the model: written by a second process while the engine
#: renders HTML (the machine has two cores), then moved into the new site.
WRITERS: tuple[Writer, ...] = (
    write_twins,
    write_llms,
    write_crawler_files,
    write_api,
    write_redirects,
    write_key_file,
)
#: Outputs that change the engine's HTML (the search index reads it, in the second
#: process); then the policy and the manifest, which hash the HTML as these left it.
SITE_WRITERS: tuple[Writer, ...] = (write_not_found,)


@dataclass(frozen=True)
class Staged:
    """One edition as the engine received it: what a later rebuild of a few pages needs."""

    edition: EditionBuild
    context: BuildContext
    job: Job


@dataclass(frozen=True)
class BuildResult:
    rulebook: Rulebook
    pages: list[Page]
    site_dir: Path
    seconds: float
    staged: tuple[Staged, ...] = ()
    engine: str = "mkdocs"
    policy: str = ""  # the content security policy every page carries


def check_content(content: Path, root: Path) -> None:
    """Refuse what content/ must not publish: symbolic links that lead outside the project
    (they would publish any file the builder can read), broken links and link loops."""
    pending, seen = [content], {content.resolve()}
    while pending:
        folder = pending.pop()
        for entry in sorted(folder.iterdir()):
            shown = (
                entry.relative_to(content.parent) if entry.is_relative_to(content.parent) else entry
            )
            if entry.is_symlink():
                try:
                    target = entry.resolve(strict=True)
                except (OSError, RuntimeError):
                    raise BuildError(f"{shown}: broken symbolic link (or a loop)") from None
                if not target.is_relative_to(root):
                    raise BuildError(
                        f"{shown} links outside the project ({target}): refusing to publish it"
                    )
            if entry.is_dir():
                real = entry.resolve()
                if real in seen:
                    raise BuildError(f"{shown}: symbolic link loop")
                seen.add(real)
                pending.append(entry)


def check_site_dir(project: Project, site_dir: Path) -> None:
    """The site directory is emptied by every build: it must not hold or sit in a source."""
    sources = {
        "the rulebook's folder": project.rules.resolve().parent,
        "content/": project.content.resolve(),
        "templates/": (project.root / "templates").resolve(),
        "the site settings": project.config.resolve(),
    }
    for label, source in sources.items():
        if source.is_relative_to(site_dir) or site_dir.is_relative_to(source):
            raise BuildError(
                f"--site-dir {site_dir} would overlap {label} ({source}), and a build replaces "
                "the whole site directory: choose a folder of its own, such as site/"
            )


def copy_layers(folders: list[Path], target: Path) -> None:
    """Copy ``folders`` into ``target``, the first folder's files winning (the package's
    templates are last, a project's own first)."""
    for folder in reversed(folders):
        shutil.copytree(folder, target, dirs_exist_ok=True)


def prepare(project: Project, eb: EditionBuild, docs: Path, pages: list[Page]) -> None:
    """A new ``docs`` for the edition with its hand-written pages (checked by ``plan``) and
    the assets, ready for the generated ``pages`` (none may be written by hand)."""
    if docs.exists():
        shutil.rmtree(docs)
    content = project.content_for(eb.edition)
    if content.is_dir():
        shutil.copytree(content, docs)
    else:
        docs.mkdir(parents=True)
    # The pages' own scripts and styles, served from the site like the theme's.
    copy_layers(project.templates.folders("assets"), docs / "assets" / "triagebook")
    clashes = sorted(p.src for p in pages if (docs / p.src).exists())
    if clashes:
        raise BuildError(
            f"{content.name}/ has pages at generated paths: {', '.join(clashes)} "
            "(generated pages are never written by hand; rename or remove these)"
        )


def halve(pages: list[Page]) -> tuple[list[Page], list[Page]]:
    """Two shares of about the same work: a rule's pages (page and checklist) stay in one,
    and rules, like the other pages, go to each in turn."""
    halves: tuple[list[Page], list[Page]] = ([], [])
    units: dict[str, int] = {}
    for page in pages:
        rule = page.context.get("rule")
        unit = units.setdefault(rule.id if rule is not None else page.src, len(units))
        halves[unit % 2].append(page)
    return halves


def engine_order(ctx: BuildContext) -> list[Page]:
    """The generated pages in the order an engine that reads pages in turn is to take
    them: searchable ones first (the second process reads them for the index while the
    engine writes the rest), else as planned."""
    return sorted(ctx.pages, key=lambda page: not page.searchable)


def engine_sources(ctx: BuildContext) -> list[str]:
    """Every docs page in the engine's order: the searchable generated pages, the
    hand-written pages (searchable too, as a rule), then the other generated pages."""
    ordered = engine_order(ctx)
    searchable = sum(page.searchable for page in ordered)
    return [
        *(page.src for page in ordered[:searchable]),
        *(src for src, _ in ctx.hand_written),
        *(page.src for page in ordered[searchable:]),
    ]


def plan(project: Project, eb: EditionBuild) -> BuildContext:
    """The edition's pages, generated and hand-written (``content/`` checked first)."""
    content = project.content_for(eb.edition)
    if content.is_dir():
        check_content(content, project.root)
    t = project.templates.messages(eb.settings.language)
    pages = plan_pages(eb.rulebook, eb.settings, t)
    written = hand_written_pages(content)
    return BuildContext(eb.rulebook, eb.settings, pages, project.templates, written)


def navigation(pages: list[Page], hand_written: list[tuple[str, str]], t: Messages) -> list[Any]:
    """Hubs only: rule and checklist pages are listed on hubs, never in the nav.

    With every page in the nav each page renders the whole tree, so build time
    grows with pages x nav size (DESIGN.md §6); hubs keep it linear.
    """
    by_kind: dict[str, list[Page]] = {}
    for page in pages:
        by_kind.setdefault(page.kind, []).append(page)
    # The theme prints nav titles without escaping; layer titles come from the rulebook.
    topics = [{html.escape(p.title): p.src} for p in by_kind.get("topic", [])]
    nav: list[Any] = [{t("nav.home"): "index.md"}]
    nav += [{p.title: p.src} for p in by_kind.get("tool", [])]
    nav += [{p.title: p.src} for p in by_kind.get("hub", []) if p.src == "rules/index.md"]
    # Every entry titled here: a page's own title is unknown to a rebuild of other pages.
    hub = next((p.title for p in by_kind.get("hub", []) if p.src == "topics/index.md"), "")
    nav.append({t("nav.topics"): [{hub: "topics/index.md"}, *topics]})
    nav.append({t("nav.faq"): "faq/index.md"})  # the FAQ hub links each layer's FAQ page
    nav.append({t("nav.reference"): [{p.title: p.src} for p in by_kind.get("catalogue", [])]})
    if hand_written:
        nav.append({t("nav.about"): [{title: src} for src, title in hand_written]})
    return nav


def source_epoch(rb: Rulebook) -> int:
    """The rulebook's newest review date as SOURCE_DATE_EPOCH: dates never come from the clock."""
    return calendar.timegm(rb.updated.timetuple())


def build(project: Project, site_dir: Path, rulebook: Rulebook | None = None) -> BuildResult:
    """Build the site, every language edition of it; ``rulebook`` skips loading
    ``project.rules`` (a model already validated, or built by a test that exercises the
    renderer without the checks)."""
    started = time.perf_counter()
    builds = editions(project, rulebook)
    # The model lives for the whole build: keep the cyclic collector from rescanning it
    # on every collection (that made page rendering grow faster than the rule count).
    gc.freeze()
    try:
        return _build(project, builds, site_dir, started)
    finally:
        gc.unfreeze()


def _build(
    project: Project, builds: list[EditionBuild], site_dir: Path, started: float
) -> BuildResult:
    site_dir = site_dir.resolve()
    check_site_dir(project, site_dir)
    try:
        return _build_into(project, builds, site_dir, started)
    except OSError as exc:  # the environment: a read-only folder, a full disk
        where = exc.filename or site_dir
        raise BuildError(f"cannot build the site: {exc.strerror or exc}: {where}") from exc


def _build_into(
    project: Project, builds: list[EditionBuild], site_dir: Path, started: float
) -> BuildResult:
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(site_dir.with_name(f".{site_dir.name}.lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BuildError(
            f"another build is writing {site_dir} right now; wait for it to finish"
        ) from None
    restore_interrupted_swap(site_dir)
    # Everything that becomes the site is written beside it, so the final moves are
    # renames on one filesystem wherever the site directory lives.
    tmp = site_dir.with_name(f".{site_dir.name}.tmp")
    extra = site_dir.with_name(f".{site_dir.name}.outputs")
    work = staging_dir(project, site_dir)
    try:
        theme = stage_theme(project, work / "theme")
        # Each language names itself in the switch, in its own words.
        languages = {b.edition.language: project.templates.messages(b.edition.language)(
            "meta.language_name") for b in builds}
        planned = [plan(project, eb) for eb in builds]
        if tmp.exists():
            shutil.rmtree(tmp)
        engine = project.engine or builds[0].settings.engine
        folders = [
            work / "docs" / (eb.edition.language if eb.edition.prefix else "_default")
            for eb in builds
        ]
        trash = work / "trash"  # what the second process deletes while it waits
        for eb, ctx, docs in zip(builds, planned, folders, strict=True):
            if docs.exists():
                retire(docs, trash)
            prepare(project, eb, docs, ctx.pages)
        # The second process renders pages, then writes the outputs while this one runs the
        # engine. An engine that reads pages in turn starts at once and waits for each
        # page it comes to: the second process renders them all, in that order, searchable
        # pages first (the engine then writes them first, and the second process reads
        # them for the index while the engine writes the rest). Else each process renders
        # half, and the engine waits for both.
        in_turn = reads_in_turn(engine)
        halves = [([], engine_order(ctx)) if in_turn else halve(ctx.pages) for ctx in planned]
        shares = [
            Share(eb.rulebook, eb.settings, docs, theirs)
            for eb, (_, theirs), docs in zip(builds, halves, folders, strict=True)
        ]
        second = SecondProcess(planned, shares, WRITERS, extra, tmp, trash)
        try:
            staged = []
            for eb, ctx, docs, (ours, _) in zip(builds, planned, folders, halves, strict=True):
                write_pages(render_pages(eb.rulebook, eb.settings, project.templates, ours), docs)
                job = Job(
                    project.config,
                    docs,
                    site_dir / eb.settings.prefix,  # where it is served once swapped in
                    navigation(ctx.pages, ctx.hand_written, ctx.messages),
                    source_epoch(eb.rulebook),
                    engine_settings(eb.settings, theme, ctx.messages, languages),
                )
                staged.append(Staged(eb, ctx, job))
            # The default edition first: the engine empties the folder it builds into.
            for s in staged:
                prefix = s.edition.settings.prefix
                into = replace(s.job, site_dir=tmp / prefix)
                pending = Pending(
                    tuple(engine_sources(s.context)),
                    frozenset(p.src for p in s.context.pages),
                    second.waiter(prefix),
                )
                render_site(into, engine, second.finished(prefix), pending)
            second.engine_finished()
            second.pages_written()
            # What follows changes HTML while the second process may still read pages:
            # each file is replaced whole, and what it reads (the body) stays the same.
            second.outputs_written()
            merge_into(extra, tmp)
            for ctx in planned:
                for write in SITE_WRITERS:
                    write(ctx, tmp / ctx.settings.prefix)
            policy = apply_policy(tmp)
            second.result()
        finally:
            second.stop()
        write_host_files(planned, tmp, policy)
        write_manifest(planned, tmp)
        swap_in(tmp, site_dir, trash)
    finally:
        for leftover in (tmp, extra):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
        lock.release()
    default = planned[0]
    seconds = time.perf_counter() - started
    return BuildResult(
        default.rulebook, default.pages, site_dir, seconds, tuple(staged), engine, policy
    )


def staging_dir(project: Project, site_dir: Path) -> Path:
    """Where a build of ``site_dir`` stages its pages and theme: per site directory, so a
    preview and a build can run side by side."""
    return project.work / "build" / hashlib.sha256(str(site_dir).encode()).hexdigest()[:12]


def stage_theme(project: Project, target: Path) -> Path:
    """The theme's overrides as the engine reads them: the package's, a project's own
    ``templates/theme`` over them, and a ``theme.custom_dir`` of mkdocs.yml over both."""
    if target.exists():
        shutil.rmtree(target)
    folders = project.templates.folders("theme")
    custom = load_settings(project.config).theme.get("custom_dir")
    if custom:
        folders.insert(0, project.config.parent / str(custom))
    copy_layers(folders, target)
    return target


def engine_settings(
    settings: Settings, theme: Path, t: Messages, languages: dict[str, str]
) -> dict[str, Any]:
    """What the engine must be told of an edition beyond mkdocs.yml: its address, name and
    language, the staged theme, the language switch (Material's ``extra.alternate``) and
    the words the theme's overrides print."""
    root_path = urlsplit(settings.root_url or settings.site_url).path
    alternate = [
        {"name": languages[e.language], "link": root_path + e.prefix, "lang": e.language}
        for e in settings.editions
    ]
    words = {
        "feed_title": t("feed.title", site=settings.site_name),
        "og_locale": t("meta.og_locale"),
        "language_tag": settings.language_tag,
    }
    return {
        "site_url": settings.site_url,
        "site_name": settings.site_name,
        "site_description": settings.description,
        "theme": {**settings.theme, "custom_dir": str(theme), "language": settings.language},
        "extra": {
            **settings.extra,
            **({"alternate": alternate} if len(alternate) > 1 else {}),
            "triagebook": words,
        },
    }
