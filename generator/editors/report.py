"""`triagebook report stale`: rules whose review is due, with their owners."""

from __future__ import annotations

import datetime as dt
import json

from generator.rulebook.checks import stale_rules
from generator.rulebook.model import Rulebook


def format_stale(rb: Rulebook, today: dt.date, fmt: str) -> str:
    rows = [
        {
            "id": rule.id,
            "title": rule.title,
            "owner": rule.owner,
            "reviewed": str(rule.reviewed),
            "days_overdue": days,
        }
        for _, rule, days in stale_rules(rb, today)
    ]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if not rows:
        return f"no rule is due for review on {today} (interval {rb.review_interval_days} days)"
    if fmt == "markdown":
        lines = ["| rule | owner | last reviewed | days overdue |", "|---|---|---|---|"]
        lines += [
            f"| `{r['id']}` | {r['owner'] or '—'} | {r['reviewed']} | {r['days_overdue']} |"
            for r in rows
        ]
        return "\n".join(lines)
    width = max(len(str(r["id"])) for r in rows)
    lines = [
        f"{len(rows)} rule(s) due for review on {today} (interval {rb.review_interval_days} days):"
    ]
    lines += [
        f"  {r['id']:<{width}}  owner {r['owner'] or '-':<14} reviewed {r['reviewed']}  "
        f"{r['days_overdue']} day(s) overdue"
        for r in rows
    ]
    return "\n".join(lines)
