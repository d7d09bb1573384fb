"""Content truth of the real rulebook, and the checks that keep it: one word a concept,
a command in every checklist, nothing for `check --strict` to say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.rulebook.loader import load

from conftest import ROOT, mutate, problems_for

REAL = ROOT / "rules" / "rulebook.yaml"
#: A command in a code span: a program name and at least one argument (`dig +short x`).
COMMAND = re.compile(r"`[a-z][\w.-]* [^`]+`")


def test_check_strict_is_clean_on_the_real_rulebook() -> None:
    loaded = load(REAL, strict=True)
    assert [p.text() for p in loaded.problems] == []


def test_every_checklist_has_a_command_to_run() -> None:
    rulebook = load(REAL).rulebook
    assert rulebook is not None
    without = [r.id for r in rulebook.rules if not any(COMMAND.search(s) for s in r.checklist)]
    assert without == []


GLOSSARY = """glossary:
  - term: API Key
    aliases: [Key]
    avoid: [密钥, 令牌]
    definition: 调用模型接口用的凭证。
  - term: 访问令牌
    definition: 登录后签发的短期凭证。
"""


@pytest.mark.parametrize(
    ("cause", "warned"),
    [
        ("把密钥写进了前端。", True),
        ("网关后台的令牌过期了。", True),
        ("网关后台的 API Key（令牌）过期了。", False),  # the gateway's word, in parentheses
        ("网关返回“该令牌已过期”。", False),  # a quoted message
        ("环境变量 `OPENAI_SECRET_密钥` 为空。", False),  # code
        ("访问令牌过期了。", False),  # a concept of its own
    ],
)
def test_the_glossary_holds_one_word_a_concept(
    tmp_path: Path, small_text: str, cause: str, warned: bool
) -> None:
    text = mutate(
        small_text,
        ("glossary:\n", GLOSSARY),
        ("    causes:\n      - 并发太高。", f"    causes:\n      - {cause}"),
    )
    problems = [
        p
        for p in problems_for(tmp_path, text)
        if "names what this rulebook calls" in p and "rules[0].causes[0]" in p
    ]
    assert bool(problems) == warned, problems
    if warned:
        assert (
            problems[0].startswith("rulebook.yaml:")
            and "warning: rules[0].causes[0]:" in problems[0]
        )
        assert "write 'API Key'" in problems[0]
