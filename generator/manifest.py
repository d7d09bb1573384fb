"""The build manifest: every page URL with a hash of what readers get there.

`publish` compares it with the state of the last publish to find exactly the
URLs that were added, changed or deleted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.files import write_text
from generator.outputs import BuildContext
from generator.redirects import redirect_urls
from generator.urls import url_path

MANIFEST = "triagebook-manifest.json"
MANIFEST_VERSION = 1


def page_hashes(ctx: BuildContext, site_dir: Path) -> dict[str, str]:
    paths = [page.url_path for page in ctx.pages] + [url_path(src) for src, _ in ctx.hand_written]
    hashes = {}
    for path in paths + redirect_urls(ctx):  # a redirect is a change engines should see
        html = (site_dir / path / "index.html").read_bytes()
        hashes[ctx.settings.url(path)] = hashlib.sha256(html).hexdigest()
    return dict(sorted(hashes.items()))


def write_manifest(ctx: BuildContext, site_dir: Path) -> list[Path]:
    """Must run after every writer that changes HTML."""
    manifest = {
        "version": MANIFEST_VERSION,
        "site_url": ctx.settings.site_url,
        "urls": page_hashes(ctx, site_dir),
    }
    return [write_text(site_dir, MANIFEST, json.dumps(manifest, indent=2) + "\n")]


def read_manifest(site_dir: Path) -> dict[str, object]:
    return json.loads((site_dir / MANIFEST).read_text(encoding="utf-8"))
