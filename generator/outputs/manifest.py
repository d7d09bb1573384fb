"""The build manifest: every page URL with a hash of what readers get there.

`publish` compares it with the state of the last publish to find exactly the
URLs that were added, changed or deleted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.files import write_text
from generator.outputs.context import BuildContext
from generator.outputs.redirects import redirect_paths
from generator.outputs.stack import stack_versions

MANIFEST = "triagebook-manifest.json"
MANIFEST_VERSION = 1


def page_hashes(ctx: BuildContext, site_dir: Path) -> dict[str, str]:
    hashes = {}
    # A redirect is a change engines should see, so its pages are listed too.
    for path in [*ctx.page_dates, *redirect_paths(ctx.rulebook)]:
        html = (site_dir / path / "index.html").read_bytes()
        hashes[ctx.settings.url(path)] = hashlib.sha256(html).hexdigest()
    return dict(sorted(hashes.items()))


def write_manifest(contexts: list[BuildContext], site_dir: Path) -> list[Path]:
    """Every edition's pages in one manifest at the site's root (``contexts[0]`` is the
    default edition). Must run after every writer that changes HTML."""
    urls: dict[str, str] = {}
    for ctx in contexts:
        urls.update(page_hashes(ctx, site_dir / ctx.settings.prefix))
    manifest = {
        "version": MANIFEST_VERSION,
        "site_url": contexts[0].settings.site_url,
        "stack": stack_versions(),  # which software produced these pages
        "urls": dict(sorted(urls.items())),
    }
    return [write_text(site_dir, MANIFEST, json.dumps(manifest, indent=2) + "\n")]


def read_manifest(site_dir: Path) -> dict[str, object]:
    return json.loads((site_dir / MANIFEST).read_text(encoding="utf-8"))
