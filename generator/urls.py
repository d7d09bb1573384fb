"""Docs paths to site URLs: the one place that knows the directory-URL scheme."""

from __future__ import annotations


def url_path(src: str) -> str:
    """``rules/x.md`` -> ``rules/x/``; ``faq/index.md`` -> ``faq/``; ``index.md`` -> ``""``."""
    stem = src.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"
