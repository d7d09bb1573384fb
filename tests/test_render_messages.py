"""The message catalogues: every key the templates and the code use exists in every
shipped language, with the same placeholders, and no key lies unused. Keys are found by
Babel's own extractors (Jinja2's for the templates, Python's for the code), as a
translator's tools would find them."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from generator.render.messages import DOMAIN, catalogue_path
from generator.render.templating import PACKAGE_TEMPLATES

from conftest import ROOT

LANGUAGES = ["zh", "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def catalogue(language: str) -> dict[str, str]:
    with catalogue_path(PACKAGE_TEMPLATES, language).open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, abort_invalid=True) if m.id}


def used_keys() -> dict[str, str]:
    """``key -> where`` for every message the package names."""
    found: dict[str, str] = {}
    method_map = [
        ("templates/**.j2", "jinja2"),
        ("templates/theme/**.html", "jinja2"),
        ("**.py", "python"),
    ]
    options = {"**.j2": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
    # `t` and `messages` are what the Python code calls a catalogue; `_` is the templates'.
    keywords = {"_": None, "t": None, "messages": None}
    for filename, _line, key, _comments, _context in extract_from_dir(
        ROOT / "generator", method_map, options, keywords=keywords
    ):
        if isinstance(key, str):
            found.setdefault(key, filename)
    return found


def test_every_used_key_is_in_every_catalogue_and_none_lies_unused() -> None:
    used = used_keys()
    assert len(used) > 100, "the extractors found the templates' and the code's messages"
    for language in LANGUAGES:
        table = catalogue(language)
        missing = sorted(f"{key} ({where})" for key, where in used.items() if key not in table)
        assert not missing, f"{language} catalogue lacks: {missing}"
        # meta.* keys are read by the build by name (the language's own name, og:locale).
        unused = sorted(k for k in table if k not in used and not k.startswith("meta."))
        assert not unused, f"{language} catalogue has keys nothing uses: {unused}"


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    tables = {language: catalogue(language) for language in LANGUAGES}
    assert tables["zh"].keys() == tables["en"].keys()
    for key, text in tables["zh"].items():
        assert text and tables["en"][key], f"{key} is empty"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(tables["en"][key])), key


def test_the_english_catalogue_is_english() -> None:
    chinese = {k: v for k, v in catalogue("en").items() if CJK.search(v)}
    assert not chinese


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_is_a_valid_po_file_named_for_its_language(language: str) -> None:
    path = catalogue_path(PACKAGE_TEMPLATES, language)
    assert path.parts[-3:] == (language, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as fh:
        parsed = read_po(fh, abort_invalid=True)
    assert str(parsed.locale) == language


def test_python_code_holds_no_chinese_words() -> None:
    """Words readers see live in the catalogues; docstrings and comments use English
    examples; word lists are data files (templates/diagnose/), character classes are written
    with escapes."""
    found = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        name = path.relative_to(ROOT / "generator").as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CJK.search(line):
                found.append(f"{name}:{number}: {line.strip()[:60]}")
    assert not found
