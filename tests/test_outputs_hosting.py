"""The host files read back as Cloudflare Pages and Netlify read them: every redirect of the
rulebook is a 301, every fingerprinted asset immutable, every page revalidated and, with a
twin, announced by a Link header; the header policy is the pages' own plus frame-ancestors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.render.urls import rule_id_paths
from generator.site.build import build

from conftest import mutate, project_of

pytestmark = pytest.mark.slow


def read_headers(site: Path) -> dict[str, dict[str, str]]:
    """``_headers`` as a host reads it: a path line, then indented ``Name: value`` lines."""
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            assert line not in rules, f"{line} twice"
            current = rules.setdefault(line, {})
        else:
            name, _, value = line.strip().partition(": ")
            assert current is not None and name and value, line
            current[name] = value
    return rules


def test_headers_match_the_pages_and_the_assets(real_site: Path) -> None:
    rules = read_headers(real_site)
    every = rules["/*"]
    meta = re.search(
        r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">',
        (real_site / "index.html").read_text(encoding="utf-8"),
    )
    assert meta and every["Content-Security-Policy"] == meta.group(1) + "; frame-ancestors 'none'"
    assert every["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in every and "Permissions-Policy" in every
    fingerprinted = [
        "/" + p.relative_to(real_site).as_posix()
        for p in real_site.rglob("*.min.*")
        if re.search(r"\.[0-9a-f]{8,}\.min\.(js|css)$", p.name)
    ]
    assert fingerprinted
    for path in fingerprinted:
        assert rules[path]["Cache-Control"] == "public, max-age=31536000, immutable", path
    pages = [p.parent for p in real_site.rglob("index.html") if "assets" not in p.parts]
    for page in pages:
        path = "/" + page.relative_to(real_site).as_posix().removeprefix(".") + "/"
        path = path.replace("//", "/")
        assert rules[path]["Cache-Control"].endswith("max-age=0, must-revalidate"), path
        if (page / "index.md").is_file():
            assert rules[path]["Link"].endswith('/index.md>; rel="alternate"; type="text/markdown"')
    for path in ("/api/*", "/en/api/*", "/sitemap.xml", "/en/llms.txt", "/feed.xml"):
        assert "must-revalidate" in rules[path]["Cache-Control"], path


def test_every_redirect_of_the_rulebook_is_a_301(project: Path, tmp_path: Path) -> None:
    rules = project / "rules" / "rulebook.yaml"
    rules.write_text(
        mutate(
            rules.read_text(encoding="utf-8"),
            (
                "  cors-error: cors-blocked\n",
                "  cors-error: cors-blocked\n  dns-fail: dns-enotfound\n",
            ),
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    build(project_of(project), site)
    lines = (site / "_redirects").read_text(encoding="utf-8").splitlines()
    expected = {
        f"/{old_path} /{new_path} 301"
        for old, new in (("cors-error", "cors-blocked"), ("dns-fail", "dns-enotfound"))
        for old_path, new_path in zip(rule_id_paths(old), rule_id_paths(new), strict=True)
    }
    assert set(lines) == expected
    # The refresh pages stay for hosts that read no configuration.
    assert (site / "rules" / "cors-error" / "index.html").is_file()


def test_a_project_may_turn_the_host_files_off(project: Path, tmp_path: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\nextra:\n  hosting: {headers: false, redirects: false}\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    build(project_of(project), site)
    assert not (site / "_headers").exists() and not (site / "_redirects").exists()


def test_security_txt_follows_rfc_9116_and_check_warns_before_it_expires(
    project: Path, tmp_path: Path
) -> None:
    from conftest import run_cli

    config = project / "mkdocs.yml"
    base = config.read_text(encoding="utf-8")
    config.write_text(
        base + "\nextra:\n  security_txt:\n    contact: mailto:security@example.com\n"
        "    expires: 2027-06-30\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    build(project_of(project), site)
    fields = dict(
        line.split(": ", 1)
        for line in (site / ".well-known" / "security.txt").read_text("utf-8").splitlines()
    )
    assert fields["Contact"] == "mailto:security@example.com"
    assert fields["Expires"] == "2027-06-30T00:00:00Z"
    assert fields["Canonical"].endswith("/.well-known/security.txt")
    assert run_cli("check", "--today", "2027-01-01", cwd=project).stdout == ""
    done = run_cli("check", "--today", "2027-06-10", "--format", "json", cwd=project)
    (warning,) = [p for p in json.loads(done.stdout) if "security.txt" in p["message"]]
    assert warning["severity"] == "warning" and "expires in 20 days" in warning["message"]
    assert warning["file"].endswith("mkdocs.yml") and warning["line"] > 1
    assert run_cli("check", "--today", "2027-07-02", "--strict", cwd=project).returncode == 1
    config.write_text(base, encoding="utf-8")
    build(project_of(project), site)
    assert not (site / ".well-known").exists(), "no contact, no file"
