"""Every validator message, exactly as an editor reads it (file:line:column: path: message)."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.rulebook.loader import load

from conftest import mutate, problems_for

HINT_ID = "use lowercase letters, digits and single hyphens, e.g. 'http-429'"

CASES = [
    # ---- traps editors fall into (issue 9) ----
    pytest.param(
        [
            (
                "summary: 请求太多或太快，被服务商限流。等待后按指数退避重试。",
                "summary: 设置 strict: true 之后仍然限流",
            ),
            ("meaning: 这不是密钥错误。", "meaning: 原因: 跨域"),
            ("layer: upstream\n", "layer: upstrem\n"),
        ],
        [
            "rulebook.yaml:49:12: rules[0].layer: unknown layer 'upstrem' "
            "(did you mean 'upstream'?)",
            "rulebook.yaml:50:14: the text of 'summary' contains ': ', which YAML reads as the "
            "start of another key (put the whole text in quotes, or fold it: 'summary: >' with "
            "the text on the next lines)",
            "rulebook.yaml:115:14: the text of 'meaning' contains ': ', which YAML reads as the "
            "start of another key (put the whole text in quotes, or fold it: 'meaning: >' with "
            "the text on the next lines)",
        ],
        id="colon-in-text-and-what-follows",
    ),
    pytest.param(
        [("title: 429 Too Many Requests：请求被限流", "title: 429 Too Many Requests # 限流")],
        [
            "rulebook.yaml:48:34: warning: rules[0].title: the text ends at ' #': YAML reads "
            "the rest of the line as a comment (quote the value to keep the '#', or remove "
            "the comment)"
        ],
        id="comment-in-text",
    ),
    pytest.param(
        [('      - "Too Many Requests"', '      - "' + "x" * 2001 + '"')],
        [
            "rulebook.yaml:55:9: rules[0].signatures[1]: is too long (at most 2,000) (keep the "
            "error text itself, not the log around it: every page shows it)"
        ],
        id="signature-too-long",
    ),
    pytest.param(
        [('      - "Too Many Requests"', '      - "' + "x" * 1900 + '"')], [], id="long-sdk-error"
    ),
    pytest.param(
        [("      - lang: python", "      - lang: pyton")],
        [
            "rulebook.yaml:75:15: rules[0].examples[0].lang: unknown language 'pyton' "
            "(did you mean 'python'?)"
        ],
        id="unknown-language",
    ),
    pytest.param([("      - lang: python", "      - lang: go")], [], id="any-highlighter-language"),
    pytest.param(
        [("      - 降低并发。", "      - 降低到 <your-gateway-host> 的并发。")],
        [
            "rulebook.yaml:68:9: rules[0].checklist[1]: raw HTML is not allowed: "
            "'<your-gateway-host>' (a placeholder shows as typed in backticks: "
            "`<your-gateway-host>`)"
        ],
        id="placeholder",
    ),
    pytest.param(
        [("      - 降低并发。", "      - 降低到 `<your-gateway-host>` 的并发。")],
        [],
        id="placeholder-in-code",
    ),
    pytest.param(
        [("      - 并发太高。", "      - 并发太高<img/src=x onerror=alert(1)>。")],
        [
            "rulebook.yaml:57:9: rules[0].causes[0]: raw HTML is not allowed: '<img/src=x' "
            "(use Markdown, or put the text in `backticks` to show it literally)"
        ],
        id="tag-without-a-space",
    ),
    pytest.param(
        [("related: [dns-enotfound]", "related: [cors-error]")],
        [
            "rulebook.yaml:81:15: rules[0].related[0]: 'cors-error' was renamed or removed: "
            "redirects send it to 'cors-blocked' (relate to 'cors-blocked' instead)"
        ],
        id="related-to-a-redirect",
    ),
    pytest.param(
        [("meaning: 请求还没有离开客户端。", "meaning: |\n      # 标题\n      正文")],
        [
            "rulebook.yaml:90:14: rules[1].meaning: a level-1 heading would compete with the "
            "page's own sections (use #### or deeper, or **bold text**)"
        ],
        id="heading-in-text",
    ),
    pytest.param(
        [("      - q: 重试有用吗？", "      - q: yes")],
        [
            "rulebook.yaml:105:12: rules[1].faq[1].q: expected text, got true/false "
            '(YAML reads an unquoted yes as true/false: quote it, "yes")'
        ],
        id="unquoted-yes",
    ),
    pytest.param(
        [
            (
                "      - 前端直连 API。",
                "      - 前端直连 API。![x](https://tracker.example.net/p.gif)",
            )
        ],
        [
            "rulebook.yaml:119:9: rules[2].causes[0]: image from another host: "
            "'https://tracker.example.net/p.gif' (pages load nothing from other hosts; link to "
            "it instead: [text](url))"
        ],
        id="image-from-another-host",
    ),
    pytest.param(
        [("    title: ENOTFOUND：域名解析失败", '    title: "ENOTFOUND\\n# 域名解析失败"')],
        [
            "rulebook.yaml:86:12: rules[1].title: must be one line (remove the line break; in "
            "YAML write it on one line, or fold it with >)"
        ],
        id="line-break-in-a-title",
    ),
    pytest.param(
        [("layer: upstream\n", "layer: upstrem\n")],
        ["rulebook.yaml:49:12: rules[0].layer: unknown layer 'upstrem' (did you mean 'upstream'?)"],
        id="unknown-layer",
    ),
    pytest.param(
        [("related: [dns-enotfound]", "related: [dns-enotfond]")],
        [
            "rulebook.yaml:81:15: rules[0].related[0]: unknown rule 'dns-enotfond' "
            "(did you mean 'dns-enotfound'?)"
        ],
        id="unknown-related",
    ),
    pytest.param(
        [("evidence: [occurred-at, status-code]", "evidence: [occurred-at, status_code]")],
        [
            "rulebook.yaml:59:29: rules[0].evidence[1]: 'status_code' is not a valid id "
            "(use lowercase letters, digits and single hyphens, e.g. 'status-code')"
        ],
        id="evidence-not-a-slug",
    ),
    pytest.param(
        [("evidence: [occurred-at, status-code]", "evidence: [occurred-at, statuscode]")],
        [
            "rulebook.yaml:59:29: rules[0].evidence[1]: unknown evidence field 'statuscode' "
            "(did you mean 'status-code'?)"
        ],
        id="unknown-evidence",
    ),
    pytest.param(
        [("boundaries: [no-infinite-retry]", "boundaries: [no-infinite-retries]")],
        [
            "rulebook.yaml:60:18: rules[0].boundaries[0]: unknown boundary 'no-infinite-retries' "
            "(did you mean 'no-infinite-retry'?)"
        ],
        id="unknown-boundary",
    ),
    pytest.param(
        [("  - id: http-429\n", "  - id: HTTP_429\n")],
        [
            f"rulebook.yaml:46:9: rules[0].id: 'HTTP_429' is not a valid id ({HINT_ID})",
            "rulebook.yaml:131:15: rules[2].related[0]: unknown rule 'http-429'",
        ],
        id="id-not-a-slug",
    ),
    pytest.param(
        [("  - id: cors-blocked\n", "  - id: http-429\n")],
        [
            "rulebook.yaml:109:9: rules[2].id: duplicate id 'http-429' (first used on line 46)",
            "rulebook.yaml:131:15: rules[2].related[0]: a rule cannot be related to itself",
            "rulebook.yaml:138:15: redirects.cors-error: redirect to unknown rule 'cors-blocked'",
        ],
        id="duplicate-id",
    ),
    pytest.param(
        [("    meaning: 这不是密钥错误。\n", "")],
        ["rulebook.yaml:109:5: rules[2]: required key 'meaning' is missing"],
        id="missing-key",
    ),
    pytest.param(
        [("    owner: support-team\n", "    owner: support-team\n    ownr: x\n")],
        ["rulebook.yaml:83:5: warning: rules[0].ownr: unknown key 'ownr' (did you mean 'owner'?)"],
        id="unknown-key-warning",
    ),
    pytest.param(
        [("evidence: [occurred-at, key-suffix]", "evidence: [occurred-at, full-api-key]")],
        [
            "rulebook.yaml:96:29: rules[1].evidence[1]: evidence field 'full-api-key' is marked "
            "'never' and must not be collected "
            "(remove it from the rule; the checklist states what never to send)"
        ],
        id="never-evidence",
    ),
    pytest.param(
        [("reviewed: 2026-10-01", "reviewed: 2026-02-30")],
        ["rulebook.yaml:108:15: rules[1].reviewed: '2026-02-30' is not a real date"],
        id="impossible-date",
    ),
    pytest.param(
        [("reviewed: 2026-10-01", "reviewed: last week")],
        ["rulebook.yaml:108:15: rules[1].reviewed: expected a date like 2026-11-20"],
        id="not-a-date",
    ),
    pytest.param(
        [("- 并发太高。", "- 并发太高，例如 sk-proj-4f9XaB2c7D8e1F0g3H5i6J。")],
        [
            "rulebook.yaml:57:9: rules[0].causes[0]: text contains what looks like a secret "
            "(API key or bearer token: sk-p…6J) "
            "(use a placeholder such as sk-your-key or YOUR_API_KEY)"
        ],
        id="secret-key",
    ),
    pytest.param(
        [
            (
                "time.sleep(2 ** attempt)",
                'headers = {"Authorization": "Bearer Zx81LmQ0pR7sT2vW9yB4nC6dE"}',
            )
        ],
        [
            "rulebook.yaml:77:15: rules[0].examples[0].code: text contains what looks like a "
            "secret (API key or bearer token: Zx81…dE) "
            "(use a placeholder such as sk-your-key or YOUR_API_KEY)"
        ],
        id="secret-bearer-in-example",
    ),
    pytest.param(
        [("- 前端直连 API。", "- 前端直连 API <script>alert(1)</script>。")],
        [
            "rulebook.yaml:119:9: rules[2].causes[0]: raw HTML is not allowed: '<script>' "
            "(use Markdown, or put the text in `backticks` to show it literally)"
        ],
        id="raw-html",
    ),
    pytest.param(
        [("- 降低并发。", "- 降低并发，见[文档](javascript:alert(1))。")],
        [
            "rulebook.yaml:68:9: rules[0].checklist[1]: link scheme 'javascript:' is not allowed "
            "(links may use http, https, mailto or a relative path)"
        ],
        id="javascript-link",
    ),
    pytest.param(
        [
            (
                "    evidence: [occurred-at]\n",
                "    evidence: &ev [occurred-at]\n    related_x: *ev\n",
            )
        ],
        [
            "rulebook.yaml:121:5: warning: rules[2].related_x: unknown key 'related_x' "
            "(did you mean 'related'?)",
            "rulebook.yaml:121:16: YAML alias '*ev' is not allowed "
            "(write the value out in full; anchors and aliases are refused)",
        ],
        id="alias",
    ),
    pytest.param(
        [
            (
                "      policy: none\n    checklist:\n      - 打开",
                "      policy: backoff\n    checklist:\n      - 打开",
            )
        ],
        [
            "rulebook.yaml:123:7: rules[2].retry: a backoff policy needs max_attempts "
            "(unbounded retries turn one failure into a flood)"
        ],
        id="unbounded-backoff",
    ),
    pytest.param(
        [("max_attempts: 5", "max_attempts: five")],
        ["rulebook.yaml:63:21: rules[0].retry.max_attempts: expected a whole number"],
        id="wrong-type",
    ),
    pytest.param(
        [("policy: backoff", "policy: forever")],
        [
            "rulebook.yaml:62:15: rules[0].retry.policy: 'forever' is not one of "
            "'none', 'backoff' or 'manual'"
        ],
        id="not-in-enum",
    ),
    pytest.param(
        [("codes: [CORS]", 'codes: ["CORS error"]')],
        [
            "rulebook.yaml:110:13: rules[2].codes[0]: 'CORS error' is not a valid code "
            "(letters, digits, '_', '.' and '-' only, no spaces; put error texts in signatures)"
        ],
        id="code-with-space",
    ),
    pytest.param(
        [("      - q: 能把密钥放进前端吗？\n        a: 不能。\n", "")],
        ["rulebook.yaml:127:7: rules[2].faq: needs at least 2 entries"],
        id="too-few-faq",
    ),
    pytest.param(
        [("  cors-error: cors-blocked\n", "  cors-error: cors-blokced\n")],
        [
            "rulebook.yaml:138:15: redirects.cors-error: redirect to unknown rule 'cors-blokced' "
            "(did you mean 'cors-blocked'?)"
        ],
        id="redirect-to-unknown",
    ),
    pytest.param(
        [("  cors-error: cors-blocked\n", "  http-429: cors-blocked\n")],
        [
            "rulebook.yaml:138:3: redirects.http-429: 'http-429' is still a rule; a redirect would "
            "hide its page (remove the redirect, or the rule)"
        ],
        id="redirect-from-a-live-rule",
    ),
    pytest.param(
        [("        source: 工单 1234\n", "")],
        [],
        id="revision-source-is-optional",
    ),
    pytest.param(
        [("      - date: 2026-09-15\n", "      - date: 2026-09-20\n")],
        [
            "rulebook.yaml:132:15: rules[2].reviewed: reviewed 2026-09-15 is older than the latest "
            "revision 2026-09-20 (a revision is a review: set reviewed to that date or later)"
        ],
        id="revision-after-review",
    ),
    pytest.param(
        [("    title: 浏览器 CORS 拦截\n", "    title: 浏览器 CORS 拦截\n    title: again\n")],
        [
            "rulebook.yaml:112:5: rules[2].title: duplicate key 'title' "
            "(it is already set on line 111)"
        ],
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_message(tmp_path: Path, small_text: str, edits: list, expected: list[str]) -> None:
    assert problems_for(tmp_path, mutate(small_text, *edits)) == expected


def test_the_fixture_is_clean(tmp_path: Path, small_text: str) -> None:
    assert problems_for(tmp_path, small_text) == []


def test_strict_turns_warnings_into_errors(tmp_path: Path, small_text: str) -> None:
    text = mutate(
        small_text, ("    owner: support-team\n", "    owner: support-team\n    ownr: x\n")
    )
    assert problems_for(tmp_path, text, strict=True) == [
        "rulebook.yaml:83:5: rules[0].ownr: unknown key 'ownr' (did you mean 'owner'?)"
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2027-03-13", []),  # http-429 was reviewed 2026-11-20: due after 180 days, not yet
        # cors-blocked (2026-09-15) was due 2027-03-14; dns-enotfound (2026-10-01) on 03-30.
        (
            "2027-03-20",
            [
                "rulebook.yaml:132:15: warning: rules[2].reviewed: review is 6 day(s) overdue: "
                "last reviewed 2026-09-15, interval 180 days "
                "(check the rule is still right, then update reviewed)",
            ],
        ),
        (
            "2026-11-01",
            [
                "rulebook.yaml:83:15: rules[0].reviewed: 2026-11-20 is in the future",
            ],
        ),
    ],
)
def test_review_dates_with_a_fixed_today(
    tmp_path: Path, small_text: str, today: str, expected: list[str]
) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(small_text, encoding="utf-8")
    day = dt.date.fromisoformat(today)
    assert [p.text() for p in load(path, display="rulebook.yaml", today=day).problems] == expected


def test_folded_chinese_text_joins_without_spaces(tmp_path: Path, small_text: str) -> None:
    text = mutate(
        small_text,
        (
            "    meaning: 限流说明请求到达了服务商，密钥和网络都没问题。\n",
            "    meaning: >\n      限流说明请求到达了\n      服务商，English\n"
            "      words stay apart。\n",
        ),
    )
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    assert loaded.problems == []
    assert loaded.rulebook is not None
    assert (
        loaded.rulebook.rules[0].meaning == "限流说明请求到达了服务商，English words stay apart。"
    )


def test_a_yaml_syntax_error_is_located(tmp_path: Path, small_text: str) -> None:
    """The parser words the problem; we own where it is and what started the construct."""
    text = mutate(small_text, ("    title: 浏览器 CORS 拦截\n", "    title: [浏览器 CORS 拦截\n"))
    (problem,) = problems_for(tmp_path, text)
    assert problem.startswith("rulebook.yaml:112:10: YAML syntax error: ")
    assert problem.endswith("started on line 111)")


def test_three_unrelated_mistakes_in_one_run(
    tmp_path: Path, small_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = mutate(
        small_text,
        ("layer: upstream\n", "layer: upstrem\n"),  # a reference, line 49
        ("reviewed: 2026-10-01", "reviewed: 2026-13-01"),  # a date, line 108
        ("    meaning: 这不是密钥错误。\n", ""),  # a missing key, rule starting line 109
    )
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--rules", str(path)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"{path}:49:12",
        f"{path}:108:15",
        f"{path}:109:5",
    ]
    assert err.strip() == "3 error(s), 0 warning(s)"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "rulebook.yaml:1:1: the file is empty"),
        (b"- just\n- a list\n", "rulebook.yaml:1:1: the rulebook must be a mapping of keys"),
        (b"\xff\xfe garbage", "rulebook.yaml:1:1: file is not valid UTF-8"),
        (
            b"version: 1\nlayers: !!python/object:os.system ls\n",
            # The parser words the reason; we own the place and that the tag is named.
            re.compile(r"rulebook\.yaml:2:9: layers: unsupported value: .*python/object:os"),
        ),
    ],
    ids=["empty", "not-a-mapping", "not-utf8", "python-tag"],
)
def test_hostile_files_get_one_clear_message(
    tmp_path: Path, content: bytes, expected: str | re.Pattern[str]
) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_bytes(content)
    problems = load(path, display="rulebook.yaml").problems
    if isinstance(expected, str):
        assert problems[0].text() == expected
    else:
        assert expected.match(problems[0].text()), problems[0].text()


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "rulebook.yaml"
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    started = time.perf_counter()
    problems = load(path, display="rulebook.yaml").problems
    assert time.perf_counter() - started < 1.0
    assert problems[0].text() == (
        "rulebook.yaml:2:10: YAML alias '*a0' is not allowed "
        "(write the value out in full; anchors and aliases are refused)"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_exit_codes(tmp_path: Path, small_text: str, fmt: str, capsys) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(small_text, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate(small_text, ("layer: upstream\n", "layer: nowhere\n")), "utf-8")
    assert main(["check", "--rules", str(good), "--format", fmt]) == 0
    assert main(["check", "--rules", str(bad), "--format", fmt]) == 1
    with pytest.raises(SystemExit) as usage:
        main(["check", "--format", "yaml"])
    assert usage.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
