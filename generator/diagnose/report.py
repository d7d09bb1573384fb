"""`triagebook diagnose`: the ranked rules for a pasted text, for a terminal or a tool.

Secrets in the text are named on standard error (masked), with the advice to rotate them;
the results never repeat them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from generator.config import Settings
from generator.diagnose.evidence import find_secrets, mask_secrets
from generator.diagnose.index import Index
from generator.diagnose.rank import rank
from generator.diagnose.text import MAX_CHARS
from generator.errors import GeneratorError
from generator.render.urls import checklist_path, rule_path
from generator.rulebook.model import Rulebook


def read_input(text: str | None, file: Path | None) -> str:
    """The text to diagnose: the argument, the file, or standard input; any bytes are
    read as UTF-8 (undecodable bytes replaced), and only the first part of a long log."""
    if text is not None:
        return text
    limit = MAX_CHARS * 4  # UTF-8 takes at most 4 bytes a character
    try:
        if file is not None:
            with file.open("rb") as fh:
                raw = fh.read(limit)
        else:
            if sys.stdin.isatty():
                print("paste the error text, then press Ctrl-D", file=sys.stderr)
            raw = sys.stdin.buffer.read(limit)
    except OSError as exc:
        raise GeneratorError(f"cannot read {file or 'standard input'}: {exc.strerror}") from exc
    return raw.decode("utf-8", "replace").replace("\0", " ")


def report(text: str, rulebook: Rulebook, settings: Settings, top: int, fmt: str) -> bool:
    """Print the ranked rules; True when at least one rule matched."""
    secrets = find_secrets(text)
    if secrets:
        kinds = sorted({secret.kind for secret in secrets})
        print(
            f"warning: the text contains {len(secrets)} secret(s) ({', '.join(kinds)}); they are "
            "masked here. A key that was pasted anywhere should be rotated now.",
            file=sys.stderr,
        )
    results: list[dict[str, Any]] = []
    for match in rank(text, Index(rulebook), top):
        rule = rulebook.rules[match.rule]
        results.append(
            {
                "id": rule.id,
                "title": rule.title,
                "score": match.score,
                "url": settings.url(rule_path(rule.id)),
                "reasons": [mask_secrets(str(reason)) for reason in match.reasons],
            }
        )
    if fmt == "json":
        print(json.dumps(results, ensure_ascii=False, indent=2))
    elif not results:
        print("no rule matches this text", file=sys.stderr)
    for i, result in enumerate(results if fmt == "text" else [], start=1):
        print(f"{i}. {result['title']}  [{result['id']}, score {result['score']:g}]")
        print(f"   {result['url']}")
        print(f"   checklist: {settings.url(checklist_path(str(result['id'])))}")
        print(f"   because: {'; '.join(result['reasons'])}")
    return bool(results)
