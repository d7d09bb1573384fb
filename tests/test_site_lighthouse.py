"""Page quality as readers and crawlers measure it: Lighthouse in Debian's chromium.

The site is served on 127.0.0.1 with gzip (conftest's server), as a static host serves it.
Lighthouse comes from tests/audit (npm, pinned); `make test` installs it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.audit

LIGHTHOUSE = ROOT / "tests" / "audit" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
MINIMUM = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
#: The page types with the most weight or script, three runs each (performance varies).
PAGES = {"home": "", "rule": "rules/http-429/", "checklist": "checklists/http-429/", "faq": "faq/"}
#: Every other page type, one run each: they share the assets measured above.
MORE_PAGES = {
    "topic": "topics/upstream/",
    "catalogue": "evidence/",
    "search": "search/?q=CORS",
    "diagnose": "diagnose/",
    "not-found": "404.html",
    # The English edition: the same templates with other words (contrast, lang, links).
    "en-home": "en/",
    "en-rule": "en/rules/http-429/",
    "en-checklist": "en/checklists/http-429/",
    "en-faq": "en/faq/",
}
RUNS = 3


def lighthouse(url: str, out: Path) -> dict:
    assert LIGHTHOUSE.exists(), "Lighthouse is missing: run `make test` (it installs tests/audit)"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility,best-practices,seo",
            f"--chrome-flags={CHROME_FLAGS}",
            "--max-wait-for-load=60000",
        ],
        check=True,
        env=env,
        timeout=240,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def failing_audits(report: dict) -> list[str]:
    found = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                found.append(f"{category['id']}/{ref['id']}={audit['score']}")
    return found


#: Every page type on the default engine; on Zensical the heaviest types and an English page
#: (they share the theme's assets, so the others add time, not information).
CASES = [("mkdocs", name, path, RUNS) for name, path in PAGES.items()]
CASES += [("mkdocs", name, path, 1) for name, path in MORE_PAGES.items()]
CASES += [("zensical", name, path, RUNS) for name, path in PAGES.items()]
CASES += [("zensical", "en-rule", MORE_PAGES["en-rule"], 1)]


@pytest.mark.parametrize(
    ("real_site", "path", "runs"),
    [(engine, path, runs) for engine, _, path, runs in CASES],
    ids=[f"{engine}-{name}" for engine, name, _, _ in CASES],
    indirect=["real_site"],
)
def test_lighthouse_scores(served: str, tmp_path: Path, path: str, runs: int) -> None:
    # Performance is measured under simulated throttling and varies from run to run;
    # like Lighthouse CI, take the median of three runs. The other categories are stable.
    reports = [lighthouse(f"{served}/{path}", tmp_path / f"report-{i}.json") for i in range(runs)]
    scores = {
        name: round(statistics.median(r["categories"][name]["score"] for r in reports) * 100)
        for name in MINIMUM
    }
    low = {name: score for name, score in scores.items() if score < MINIMUM[name]}
    assert not low, f"{path or '/'}: {scores}; failing audits: {failing_audits(reports[0])}"
