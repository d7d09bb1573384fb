"""Benchmark: how check, page generation, the engine and the whole build scale with rules.

Synthesises rulebooks of N rules from the real one (every rule copied under new
ids and with texts of its own, layers kept) and prints the median of several runs per
stage, then the ratio t(largest)/t(smallest) per stage: linear scaling gives about the
ratio of rule counts (10 for 100 -> 1,000). "build/engine" is the whole build over the
engine alone; "serve edit" the time from saving a one-rule edit to `triagebook serve`
answering with the edited page. Then what a reader downloads, at each size. Not a
test: machines are noisy, so read medians and ratios, not single timings.

    python tests/bench/bench.py [--sizes 100 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from budgets import reader_budgets  # noqa: E402
from serve_edit import serve_edit_seconds  # noqa: E402

from generator.config import ENGINES  # noqa: E402
from generator.outputs.context import BuildContext  # noqa: E402
from generator.render.pages import render_pages, write_pages  # noqa: E402
from generator.rulebook import secrets_scan  # noqa: E402
from generator.rulebook.loader import load, load_or_raise  # noqa: E402
from generator.site.build import (  # noqa: E402
    Project,
    build,
    engine_settings,
    navigation,
    plan,
    prepare,
    source_epoch,
    stage_theme,
)
from generator.site.engine import Job, render_site  # noqa: E402
from generator.site.project import EditionBuild, editions  # noqa: E402


def synthesise(source: Path, n: int, target: Path) -> None:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    rules = data["rules"]
    out = []
    for i in range(n):
        rule = copy.deepcopy(rules[i % len(rules)])
        rule["id"] = f"{rule['id']}-{i}"
        if i >= len(rules):
            distinct(rule, i)
        j = (i + 1) % n  # link each copy to the next one, as real rules link to neighbours
        rule["related"] = [f"{rules[j % len(rules)]['id']}-{j}"] if n > 1 else []
        out.append(rule)
    data["rules"] = out
    # Redirects point at the first copy of the rule they name (its id gained a suffix).
    first_copy = {rule["id"]: f"{rule['id']}-{i}" for i, rule in enumerate(rules)}
    data["redirects"] = {old: first_copy[new] for old, new in data.get("redirects", {}).items()}
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


#: Prose fields of a rule that a copy makes its own.
PROSE = ("title", "summary", "meaning", "causes", "checklist")


def distinct(rule: dict, i: int) -> None:  # type: ignore[type-arg]
    """Give copy ``i`` texts of its own, as a real rulebook's rules have: a cache keyed by
    text must gain no more here than on a real rulebook of this size."""
    mark = f" ({i})"
    for name in PROSE:
        value = rule[name]
        rule[name] = [text + mark for text in value] if isinstance(value, list) else value + mark
    for item in rule["faq"]:
        item["q"], item["a"] = item["q"] + mark, item["a"] + mark


def cold() -> None:
    """Forget what earlier runs cached: a user's build starts in a new process."""
    for name, module in list(sys.modules.items()):
        if name.startswith("generator"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    secrets_scan._SCANNED.clear()


def stage(project: Project, eb: EditionBuild, docs: Path) -> BuildContext:
    """Page generation as the build does it, on one core: plan, then every page."""
    ctx = plan(project, eb)
    prepare(project, eb, docs, ctx.pages)
    write_pages(render_pages(eb.rulebook, eb.settings, project.templates, ctx.pages), docs)
    return ctx


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        cold()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


#: What a reader downloads, by rulebook size and engine (sizes do not vary between runs).
budgets: dict[tuple[int, str], dict[str, tuple[int, str]]] = {}
#: The most a reader may download at 1,000 rules (bytes): issue 16's budgets.
LIMITS = {"largest HTML page": 300_000, "first view (gzip)": 150_000, "one query (gzip)": 150_000}
STAGES = ["check", "pages", "engine", "whole build", "build/engine", "serve edit"]


def measure(n: int, engines: list[str], repeat: int, work: Path) -> dict[str, dict[str, float]]:
    """Seconds per stage for each engine (check and pages are the same for both)."""
    project_dir = work / f"n{n}"
    (project_dir / "rules").mkdir(parents=True)
    for name in ("mkdocs.yml",):
        shutil.copy(ROOT / name, project_dir / name)
    for name in ("content",):
        shutil.copytree(ROOT / name, project_dir / name)
    rules = project_dir / "rules" / "rulebook.yaml"
    synthesise(ROOT / "rules" / "rulebook.yaml", n, rules)
    project = Project(rules, project_dir / "mkdocs.yml")
    rb = load_or_raise(rules)
    (eb,) = editions(project, rb)
    docs = project.work / "bench-docs"
    common = {
        "check": median_seconds(lambda: load(rules), repeat),
        "pages": median_seconds(lambda: stage(project, eb, docs), repeat),
    }
    # The engine exactly as the build drives it: the staged theme, the edition's settings.
    t = project.templates.messages(eb.settings.language)
    theme = stage_theme(project, project.work / "bench-theme")
    overrides = engine_settings(eb.settings, theme, t, {eb.edition.language: ""})
    results = {}
    for engine in engines:
        site = work / f"engine-{n}-{engine}"

        def engine_only(engine: str = engine, site: Path = site) -> None:
            # Staged anew each time: Zensical's link pass edits the staged pages.
            ctx = stage(project, eb, docs)
            nav = navigation(ctx.pages, ctx.hand_written, t)
            job = Job(project.config, docs, site, nav, source_epoch(rb), overrides)
            started = time.perf_counter()
            render_site(job, engine)
            shutil.rmtree(site)
            return time.perf_counter() - started

        row = dict(common)
        row["engine"] = statistics.median(engine_only() for _ in range(repeat))
        on = dataclasses.replace(project, engine=engine)
        out = work / f"site-{n}-{engine}"
        row["whole build"] = median_seconds(lambda on=on, out=out: build(on, out), repeat)
        row["build/engine"] = row["whole build"] / row["engine"]
        budgets[n, engine] = reader_budgets(out)
        ids = [rule.id for rule in rb.rules]
        row["serve edit"] = serve_edit_seconds(project_dir, engine, ids, repeat)
        results[engine] = row
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="triagebook-bench-") as tmp:
        table = {n: measure(n, args.engines, args.repeat, Path(tmp)) for n in args.sizes}
    print(f"median of {args.repeat} runs, seconds")
    print(f"{'rules':>6} {'engine':>9} " + " ".join(f"{s:>12}" for s in STAGES))
    for n, rows in table.items():
        for engine, row in rows.items():
            print(f"{n:>6} {engine:>9} " + " ".join(f"{row[s]:>12.2f}" for s in STAGES))
    small, large = min(table), max(table)
    if small != large:
        for engine in args.engines:
            ratios = " ".join(
                f"{table[large][engine][s] / max(table[small][engine][s], 1e-9):>12.1f}"
                for s in STAGES
            )
            print(f"{'ratio':>6} {engine:>9} {ratios}")
        print(f"(ratio: t({large}) / t({small}); linear = {large / small:.0f})")
    print("\nwhat a reader downloads, KB (worst page or query; limit at 1,000 rules)")
    for measure_name, limit in LIMITS.items():
        print(f"  {measure_name} (limit {limit / 1000:.0f})")
        for (n, engine), found in budgets.items():
            size, where = found[measure_name]
            print(f"    {n:>6} {engine:>9} {size / 1000:8.1f}  {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
