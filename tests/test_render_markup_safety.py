"""Rulebook text can never add live markup: judged on the output, for generated input.

Hypothesis writes Markdown constructs — links and images with every kind of destination,
reference definitions, attribute lists on every kind of element, autolinks, raw HTML with
and without spaces, entities, admonition and tab syntax, headings after line breaks,
nesting — into every text field. The check is skipped on purpose: whatever `check` would
say, the renderer alone must keep pages safe. The built HTML is then read with lxml.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import markdown
import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.render.markdown_text import engine_html, inline_html, to_html, twin_markdown
from generator.rulebook.loader import load
from generator.rulebook.text_checks import iter_texts
from generator.site.build import Project, build

from conftest import ROOT, SMALL

HOST = "triagebook.example.com"
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}

destinations = st.sampled_from(
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "<javascript:alert(1)>",
        "<java script:alert(1)>",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "https://tracker.example.net/pixel.gif",
        "//tracker.example.net/p.gif",
        "https://api.example.com/v1",
        "mailto:help@example.com",
        "rules/http-429/",
        "/checklists/http-429/",
        "#anchor",
    ]
)
attributes = st.sampled_from(
    [
        '{: onmouseover="alert(1)" }',
        '{ onclick="alert(1)" style="position:fixed;inset:0" }',
        "{: #id .class style=color:red }",
        '{: href="javascript:alert(1)" }',
        "{ data-search-exclude }",
    ]
)
words = st.sampled_from(["x", "Key", "网关", "`code`", "**bold**", "_em_", "Retry-After", "429"])


@st.composite
def construct(draw: st.DrawFn) -> str:
    word, dest, attr = draw(words), draw(destinations), draw(attributes)
    options = [
        f"[{word}]({dest}){attr}",
        f"![{word}]({dest}){attr}",
        f"[{word}][ref]\n\n[ref]: {dest}",
        f"[ref2]: {dest}",  # a definition alone: another field might use it
        f"[{word}][ref2]",
        f"<{dest.strip('<>')}>",
        f"{word} {attr}",
        f"- {word} {attr}\n- [ ] {word}",
        f"# {word} {attr}",
        f"{word}\n# heading {attr}",
        f"| a | b |\n|---|---|\n| {word} {attr} | [{word}]({dest}) |",
        f'!!! danger "{word}"\n    {word}',
        f'=== "{word}"\n    {word}',
        f"??? note\n    [{word}]({dest})",
        f"<img/src=x onerror=alert(1)>{word}",
        "<svg/onload=alert(1)>",
        f'<a href="{dest}" onclick="alert(1)">{word}</a>',
        "&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62;",
        f"*[{word}]({dest})* **[`{word}`]({dest}){attr}**",
        f"> [{word}]({dest})\n> {attr}",
        f"```\n{word}\n```\n{attr}",
        f"{word}<br/>{attr}",
        "{{ 7*7 }} {% raw %}",
        f'--8<-- "/etc/passwd"\n{word}',
    ]
    return draw(st.sampled_from(options))


# ---- the renderer alone, many examples -----------------------------------------------------------

MKDOCS = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=yaml.BaseLoader)
ENGINE = markdown.Markdown(
    extensions=[next(iter(e)) if isinstance(e, dict) else e for e in MKDOCS["markdown_extensions"]]
)
CONTEXTS = ["{}", "- {}", "- [ ] {}", "| a |\n|---|\n| {} |", "### {}", "1. {}", "**{}**：x"]


def assert_safe(html: str, where: str) -> None:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("script", "style", "iframe", "object", "embed", "svg"), where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: <{element.tag} {name}>"
            assert name != "style", f"{where}: <{element.tag} style>"
            if name in URL_ATTRIBUTES:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, f"{where}: {name}={value!r}"
                if element.tag == "img":
                    assert not urlsplit(value).netloc, f"{where}: image from {value!r}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(construct(), min_size=1, max_size=4).map("\n\n".join), st.sampled_from(CONTEXTS))
def test_rendered_text_is_safe_in_every_template_context(text: str, context: str) -> None:
    for fragment in (engine_html(to_html(text), str), engine_html(inline_html(text), str)):
        assert "\n" not in fragment
        ENGINE.reset()
        assert_safe(ENGINE.convert(context.format(fragment)), f"{text!r} in {context!r}")


md_parser = MarkdownIt("commonmark", {"html": True})


@settings(max_examples=300, deadline=None)
@given(st.lists(construct(), min_size=1, max_size=4).map("\n\n".join))
def test_twin_markdown_holds_no_html_and_no_unsafe_link(text: str) -> None:
    for twin in (twin_markdown(to_html(text), str), twin_markdown(inline_html(text), str)):
        tokens = md_parser.parse(twin)
        for token in tokens + [c for t in tokens for c in (t.children or [])]:
            assert token.type not in ("html_inline", "html_block"), f"{text!r} -> {twin!r}"
            for name in ("href", "src"):
                url = str(token.attrs.get(name, ""))
                assert urlsplit(url).scheme.lower() in SAFE_SCHEMES, f"{text!r} -> {twin!r}"
        assert_safe(md_parser.render(twin), f"twin of {text!r}")


inline_pieces = st.sampled_from(
    [
        "x",
        "网关 429",
        "Retry-After",
        "a_b",
        "_x_",
        "*",
        "\\*",
        "#tag",
        "- x",
        "1. y",
        "+",
        "`code`",
        "`a`b`",
        "`` `x` ``",
        "` spaced `",
        "`  `",
        "&amp;",
        "a  b",
        "[x]",
        "|",
        '[t](https://a.example/ "ti\\"tle")',
        "[ x ](rules/http-429/)",
        "[](https://e.x)",
        "<https://a.example/p?q=1&r=2>",
        "[`c`](https://a.example)",
        "![i](x.png)",
    ]
)


def _gloss(text: str) -> list[tuple[str, str | None]]:
    """A glossary that links every mention (it keeps no state, so both paths see it alike)."""
    pieces = text.split("Retry-After")
    out: list[tuple[str, str | None]] = []
    for i, piece in enumerate(pieces):
        if i:
            out.append(("Retry-After", "https://triagebook.example.com/glossary/#term-retry-after"))
        out.append((piece, None))
    return [(p, href) for p, href in out if p]


@settings(max_examples=400, deadline=None)
@given(st.lists(inline_pieces, min_size=1, max_size=6), st.sampled_from([" ", "", "\n"]))
def test_inline_twins_are_what_markdownify_writes(pieces: list[str], sep: str) -> None:
    """Most texts are one paragraph of text, code and links, and skip markdownify: the
    Markdown must be exactly what markdownify writes for the same HTML."""
    from html import escape

    from generator.render.markdown_text import _converted, _events, _inline_only, _rewrite

    text = sep.join(pieces)
    html = to_html(text)
    assume(_inline_only(_events(html)))
    for source in (html, inline_html(text)):
        link = "https://triagebook.example.com/{}".format
        slow = _converted(_rewrite(source, lambda t, _: escape(t, quote=True), link, _gloss))
        assert twin_markdown(source, link, _gloss) == slow, text


# ---- real builds, every text field at once ------------------------------------------------------


def _fill(data: object, path: tuple[object, ...], text: str) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]  # type: ignore[index]
    node[path[-1]] = text  # type: ignore[index]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("markup")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "content", root / "content")
    (root / "rules").mkdir()
    return root


BASE = load(SMALL).rulebook
assert BASE is not None
FIELDS = [field.path for field in iter_texts(BASE) if field.kind != "code"]


@pytest.mark.slow
# Each example is a real build: no shrinking (minutes of rebuilds), the failing example is
# printed as found.
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(st.lists(construct(), min_size=len(FIELDS), max_size=len(FIELDS)))
def test_no_field_can_add_markup_to_the_built_site(workdir: Path, texts: list[str]) -> None:
    data = yaml.safe_load(SMALL.read_text("utf-8"))
    for path, text in zip(FIELDS, texts, strict=True):
        _fill(data, path, text)  # line breaks in one-line fields too: `check` is skipped
    rules = workdir / "rules" / "rulebook.yaml"
    rules.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load(rules)
    assert loaded.rulebook is not None, [p.text() for p in loaded.errors]
    site = workdir / "site"
    build(Project(rules, workdir / "mkdocs.yml"), site, loaded.rulebook)  # check skipped
    for page in site.rglob("*.html"):
        if "assets" in page.parts:
            continue
        root = lxml.html.parse(str(page)).getroot()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            in_diagram = bool(element.xpath("ancestor::figure[@class='layer-diagram']"))
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), f"{page}: <{element.tag} {name}>"
                assert name != "style" or in_diagram, f"{page}: <{element.tag} style={value!r}>"
                if name in URL_ATTRIBUTES:
                    parts = urlsplit(value.strip())
                    assert parts.scheme.lower() in SAFE_SCHEMES, f"{page}: {name}={value!r}"
                    if name == "src" or (element.tag == "link" and name == "href"):
                        assert parts.netloc in ("", HOST), f"{page}: loads {value!r}"
        assert len(root.xpath("//article//h1")) <= 1, f"{page}: a second top heading"
        for script in root.xpath("//script[not(@src)]"):
            assert "alert(1)" not in (script.text or "") or script.get("type") == (
                "application/ld+json"
            ), f"{page}: {script.text!r}"

    # Line breaks in titles and questions start no heading in the twins or llms-full.txt.
    for twin in site.rglob("index.md"):
        lines = twin.read_text("utf-8").splitlines()
        assert sum(line.startswith("# ") for line in lines) == 1, twin
    full = (site / "llms-full.txt").read_text("utf-8").splitlines()
    pages = 2 * len(data["rules"])  # rule and checklist pages, after the title
    assert sum(line.startswith("# ") for line in full) == 1 + pages
