"""What every output writer receives: the validated model and the site settings.

Writers never read YAML; each one takes this context and the directory of the
site being built, and returns the paths it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config import Settings
from generator.model import Rulebook
from generator.pages import Page


@dataclass(frozen=True)
class BuildContext:
    rulebook: Rulebook
    settings: Settings
    pages: list[Page]  # generated pages, in navigation order
    templates: Path
    hand_written: list[tuple[str, str]]  # (docs-relative path, title) of content/ pages


Writer = Callable[[BuildContext, Path], list[Path]]


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
