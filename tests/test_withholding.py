"""Withheld problems and fields (不予公开) count in every total but their text is printed nowhere public."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone

import pytest
import yaml

from conftest import REPO, configure
from test_publication_golden import AS_OF, EXAMPLE, PUBLICATION, enter_with_clock

SECRET_DESCRIPTION = "涉及举报人张某某的住址"


@pytest.fixture
def withheld(ledger, monkeypatch):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["problems"][4]["description"] = SECRET_DESCRIPTION
    configure(ledger.folder, PUBLICATION)
    clock = enter_with_clock(ledger, monkeypatch, data)
    # withheld after the report's date: an --as-of the report's date must still not print them
    clock.set_to(datetime(2020, 10, 1, tzinfo=timezone.utc))
    ledger("withhold", "XC2019-1-3", "--reason", "open-case")               # the whole problem
    ledger("withhold", "XC2019-1-7", "--reason", "sensitive", "--field", "title")
    ledger("withhold", "XC2019-1-1", "--reason", "privacy", "--field", "measures")
    ledger("withhold", "XC2019-1-2", "--reason", "国家秘密", "--field", "M2")
    ledger("withhold", "XC2019-1-5", "--reason", "privacy", "--field", "description")
    problems = {p["number"]: p for p in data["problems"]}
    secrets = [
        problems[3]["title"], *(m["text"] for m in problems[3]["measures"]),
        problems[7]["title"],
        *(m["text"] for m in problems[1]["measures"]),
        problems[2]["measures"][1]["text"],
        SECRET_DESCRIPTION,
    ]
    return ledger, secrets


def _fragments(text: str) -> list[str]:
    """The text, its core without the 关于…的问题 frame or final stop, and that core escaped for HTML."""
    core = text.removeprefix("关于“").removesuffix("”的问题").rstrip("。")
    return [text, core, html.escape(core)]


def _assert_hidden(output: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        for piece in _fragments(secret):
            assert piece not in output, f"withheld text {piece!r} appears in {where}"


SUMMARY_FORMATS = ["table", "markdown", "html", "csv", "json", "grid", "rst", "latex", "plain", "github"]


def test_withheld_text_appears_in_no_summary_or_publish_format(withheld):
    ledger, secrets = withheld
    for fmt in SUMMARY_FORMATS:
        for lang in ("zh", "en"):
            out = ledger("summary", "--inspection", "XC2019-1", "--format", fmt, "--lang", lang).stdout
            _assert_hidden(out, secrets, f"summary --format {fmt} --lang {lang}")
    for fmt in ("markdown", "html", "text"):
        for extra in ([], ["--as-of", AS_OF]):
            out = ledger("publish", "--inspection", "XC2019-1", "--format", fmt, *extra).stdout
            _assert_hidden(out, secrets, f"publish --format {fmt} {' '.join(extra)}")
            assert "（依规不予公开）" in out


def test_withheld_problems_still_count(withheld):
    ledger, _ = withheld
    total = ledger.json("summary", "--inspection", "XC2019-1")["total"]
    assert total["problems"] == 9 and total["completed"] == 8 and total["ongoing"] == 1
    report = ledger("publish", "--inspection", "XC2019-1", "--format", "text").stdout
    assert "3.（依规不予公开）" in report and "7.（依规不予公开）" in report
    assert "反馈问题9个，已完成整改8个" in report
    # problem 2: M1 and M3 published, M2 withheld in its place
    line = next(l for l in report.splitlines() if l.startswith("一是召开了局党组专题会议"))
    assert "二是（依规不予公开）三是整顿文风" in line


def test_the_text_is_kept_for_insiders_and_marked(withheld):
    ledger, secrets = withheld
    shown = ledger.out("show", "XC2019-1-3")
    assert "withheld" in shown and "the whole problem (open case)" in shown and secrets[0] in shown
    view = ledger.json("show", "XC2019-1-3")
    assert view["withheld"][0]["reason"] == "open-case" and view["withheld"][0]["fields"] == ["problem"]
    trail = ledger.json("audit", "--problem", "XC2019-1-3")
    assert trail[-1]["event"] == "Withheld" and "(reason: open case)" in trail[-1]["details"]  # the sentence's English word
    assert "derived tables match" in ledger.out("replay")


def test_bad_withholding_is_refused_with_one_line(withheld):
    ledger, _ = withheld
    result = ledger("withhold", "XC2019-1-4", "--reason", "embarrassing", expect=2)
    assert "embarrassing" in result.stderr and "Traceback" not in result.stderr
    result = ledger("withhold", "XC2019-1-4", "--reason", "privacy", "--field", "deadline", expect=2)
    assert "'deadline' cannot be withheld" in result.stderr
    result = ledger("withhold", "XC2019-1-3", "--reason", "privacy", "--field", "title", expect=1)
    assert "already withheld" in result.stderr
    result = ledger("withhold", "XC2019-1-99", "--reason", "privacy", expect=1)
    assert "unknown problem ID" in result.stderr
    before = ledger.json("audit")
    assert not any(r["event"] == "Withheld" and r["subject"] == "XC2019-1-4" for r in before)
