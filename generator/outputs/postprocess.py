"""Post-processing of built HTML, with lxml: only what the engine cannot express.

Task-list checkboxes from pymdownx.tasklist have no accessible name; each one
gets its step's text as ``aria-label`` so screen readers announce the step.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html

from generator.files import write_text
from generator.outputs.context import BuildContext

MAX_LABEL = 200


def label_checkboxes(html: str) -> str:
    root = lxml.html.document_fromstring(html)
    changed = False
    for box in root.xpath('//li[contains(@class, "task-list-item")]//input[@type="checkbox"]'):
        item = box.xpath('ancestor::li[contains(@class, "task-list-item")][1]')[0]
        text = " ".join(item.text_content().split())[:MAX_LABEL]
        if text and not box.get("aria-label"):
            box.set("aria-label", text)
            changed = True
    if not changed:
        return html
    return lxml.html.tostring(root, doctype="<!doctype html>", encoding="unicode")


def write_accessible_checklists(ctx: BuildContext, site_dir: Path) -> list[Path]:
    written = []
    for page in ctx.pages:
        if page.kind != "checklist":
            continue
        relative = f"{page.url_path}index.html"
        html = (site_dir / relative).read_text(encoding="utf-8")
        updated = label_checkboxes(html)
        if updated != html:
            written.append(write_text(site_dir, relative, updated))
    return written
