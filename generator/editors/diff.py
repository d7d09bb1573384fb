"""`triagebook diff`: what a rulebook change does to the site, in an editor's terms.

Rules are compared field by field; the affected URLs are found exactly, by
rendering the pages and API documents of both rulebooks and comparing them.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from generator.config import Settings
from generator.outputs.api import PREFIX, api_documents
from generator.outputs.context import BuildContext
from generator.render.pages import plan_pages, render_pages
from generator.render.templating import Templates, inline_code, table_cell
from generator.render.urls import rule_id_paths
from generator.rulebook.model import Rule, Rulebook


@dataclass(frozen=True)
class RuleChange:
    id: str
    kind: str  # added | removed | changed | renamed
    fields: list[str]
    target: str | None = None  # renamed/removed: where its redirect points


@dataclass(frozen=True)
class RulebookDiff:
    rules: list[RuleChange]
    catalogues: dict[str, list[str]]  # layers/evidence/boundaries/glossary -> changed keys
    pages: list[str]  # site URLs whose page changed, appeared or disappeared
    api: list[str]  # API document URLs that changed, appeared or disappeared
    dangling: list[str]  # removed rule ids without a redirect: their URLs will 404

    @property
    def empty(self) -> bool:
        return not (self.rules or any(self.catalogues.values()) or self.pages or self.api)


def _changed_fields(old: Rule, new: Rule) -> list[str]:
    return [
        f.name for f in dataclasses.fields(Rule) if getattr(old, f.name) != getattr(new, f.name)
    ]


def _catalogue_changes(old: Rulebook, new: Rulebook) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, key in (
        ("layers", "id"),
        ("evidence", "id"),
        ("boundaries", "id"),
        ("glossary", "term"),
    ):
        before = {getattr(x, key): x for x in getattr(old, name)}
        after = {getattr(x, key): x for x in getattr(new, name)}
        out[name] = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if old.redirects != new.redirects:
        out["redirects"] = sorted(
            k
            for k in old.redirects.keys() | new.redirects.keys()
            if old.redirects.get(k) != new.redirects.get(k)
        )
    return out


def _outputs(rb: Rulebook, settings: Settings, templates: Templates) -> tuple[dict, dict]:
    pages = plan_pages(rb, settings, templates.messages(settings.language))
    rendered = render_pages(rb, settings, templates, pages)
    by_url = {settings.url(page.url_path): rendered[page.src] for page in pages}
    for old, new in rb.redirects.items():
        for path in rule_id_paths(old):
            by_url[settings.url(path)] = f"redirect to {new}"
    docs = api_documents(BuildContext(rb, settings, pages, templates, []))
    api = {
        settings.url(PREFIX + path): json.dumps(doc, sort_keys=True) for path, doc in docs.items()
    }
    return by_url, api


def _differing(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def diff_rulebooks(
    old: Rulebook, new: Rulebook, settings: Settings, templates: Templates
) -> RulebookDiff:
    before, after = old.rule_by_id, new.rule_by_id
    changes: list[RuleChange] = []
    dangling: list[str] = []
    for rule_id in sorted(before.keys() | after.keys()):
        if rule_id not in before:
            changes.append(RuleChange(rule_id, "added", []))
        elif rule_id not in after:
            target = new.redirects.get(rule_id)
            kind = "renamed" if target and target not in before else "removed"
            changes.append(RuleChange(rule_id, kind, [], target))
            if target is None:
                dangling.append(rule_id)
        elif fields := _changed_fields(before[rule_id], after[rule_id]):
            changes.append(RuleChange(rule_id, "changed", fields))
    pages_before, api_before = _outputs(old, settings, templates)
    pages_after, api_after = _outputs(new, settings, templates)
    return RulebookDiff(
        rules=changes,
        catalogues=_catalogue_changes(old, new),
        pages=_differing(pages_before, pages_after),
        api=_differing(api_before, api_after),
        dangling=dangling,
    )


# ---- formats ----------------------------------------------------------------------------------


def _describe(change: RuleChange) -> str:
    if change.kind == "changed":
        return f"changed: {', '.join(change.fields)}"
    if change.kind == "renamed":
        return f"renamed to {change.target} (redirect declared)"
    if change.kind == "removed" and change.target:
        return f"removed, redirected to {change.target}"
    if change.kind == "removed":
        return "removed WITHOUT a redirect: its URLs will return 404"
    return "added"


def format_text(diff: RulebookDiff) -> str:
    if diff.empty:
        return "no changes"
    lines = [f"rule {c.id}: {_describe(c)}" for c in diff.rules]
    lines += [
        f"{name}: changed {', '.join(keys)}" for name, keys in diff.catalogues.items() if keys
    ]
    lines.append(f"{len(diff.pages)} page URL(s) affected:")
    lines += [f"  {url}" for url in diff.pages]
    lines.append(f"{len(diff.api)} API document(s) affected")
    for rule_id in diff.dangling:
        lines.append(
            f"warning: rule '{rule_id}' was removed without a redirect; add "
            f"`redirects: {{{rule_id}: <new-id>}}` to keep /rules/{rule_id}/ alive"
        )
    return "\n".join(lines)


def format_markdown(diff: RulebookDiff) -> str:
    if diff.empty:
        return "### Rulebook change\n\nNo change to the rules or the site.\n"
    out = ["### Rulebook change", ""]
    if diff.rules:
        out += ["| rule | change |", "|---|---|"]
        out += [f"| {inline_code(c.id)} | {_describe(c)} |" for c in diff.rules]
        out.append("")
    for name, keys in diff.catalogues.items():
        if keys:
            # Keys are rulebook text (glossary terms): a code span sized to hold them.
            shown = ", ".join(table_cell(inline_code(k)) for k in keys)
            out.append(f"- **{name}** changed: {shown}")
    for rule_id in diff.dangling:
        out.append(
            f"\n> [!WARNING]\n> `{rule_id}` was removed without a redirect: "
            f"`/rules/{rule_id}/` and `/checklists/{rule_id}/` will return 404. "
            f"Add `redirects: {{{rule_id}: <new-id>}}` to the rulebook."
        )
    out += [
        "",
        f"<details><summary>{len(diff.pages)} page URL(s) and {len(diff.api)} API "
        "document(s) affected</summary>",
        "",
    ]
    out += [f"- {url}" for url in diff.pages + diff.api]
    out += ["", "</details>", ""]
    return "\n".join(out)


def format_json(diff: RulebookDiff) -> str:
    return json.dumps(dataclasses.asdict(diff), ensure_ascii=False, indent=2)
