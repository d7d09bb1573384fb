"""Site paths: the one place that knows the URL scheme of DESIGN.md §4.

Generated pages are written at ``<path>.md`` in the staged docs tree and served
at ``<path>/`` (MkDocs' directory URLs); every module asks here for either.
"""

from __future__ import annotations


def rule_path(rule_id: str) -> str:
    return f"rules/{rule_id}/"


def checklist_path(rule_id: str) -> str:
    return f"checklists/{rule_id}/"


def topic_path(layer_id: str) -> str:
    return f"topics/{layer_id}/"


def rule_id_paths(rule_id: str) -> tuple[str, str]:
    """The pages that belong to one rule id (and that a redirect must keep alive)."""
    return rule_path(rule_id), checklist_path(rule_id)


def source(path: str) -> str:
    """The staged Markdown file of the page at ``path``: ``rules/x/`` -> ``rules/x.md``."""
    return path.rstrip("/") + ".md"


def url_path(src: str) -> str:
    """``rules/x.md`` -> ``rules/x/``; ``faq/index.md`` -> ``faq/``; ``index.md`` -> ``""``."""
    stem = src.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"
