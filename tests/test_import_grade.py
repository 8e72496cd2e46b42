"""A 台账's acceptance grade (验收结果 / 验收等次 / 验收评价 / 验收情况) comes in as the grade of the acceptance
entered for its 验收负责人 (issue 25), instead of the assumed 较好: 好 and 较好 pass, 一般 and 差 send the problem
back for 二次整改 as a ledger verification does; 优秀 / 良好 / 合格 / 不合格 are read as 好 / 较好 / 较好 / 差 (合格
passes, and 较好 is the lowest passing grade: it is never read as 一般, which fails). An unknown grade word, a grade
on a row not marked done, or a grade without a 验收负责人 refuses the file naming the column and row.

Before this the grade column was not read (kept as an extra column) and every accepted row came in 较好 (the
first test failed on the old code: 差 came in verified)."""

from __future__ import annotations

import csv

import pytest

from guard_helpers import event_count
from test_import_layouts import _audit

HEAD = ["序号", "问题简述", "整改责任人", "是否整改完成", "整改完成时间", "验收负责人"]


def _write(tmp_path, rows, heading: str = "验收结果"):
    path = tmp_path / "审计整改台账.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([[*HEAD, heading], *rows])
    return path


ROWS = [
    [1, "部分工程项目未按规定履行招标程序", "许文", "是", "2023-11-20", "周明", "好"],
    [2, "备用金长期挂账未及时清理", "杜婷", "是", "2023-11-20", "周明", "良好"],
    [3, "固定资产账实不符", "韩雪", "是", "2023-11-20", "周明", "合格"],
    [4, "差旅费报销审核不严", "杜婷", "是", "2023-11-20", "周明", "差"],
    [5, "合同履约台账不完整", "罗佳", "是", "2023-11-20", "周明", " 一般 "],
    [6, "招待费超标准列支", "罗佳", "是", "2023-11-20", "周明", ""],
]


def test_the_files_grade_is_the_acceptances_grade_and_a_failing_one_sends_it_back(ledger, tmp_path):
    _audit(ledger)
    record = ledger.json("import", _write(tmp_path, ROWS), "--inspection", "SJ2023", actor="录入员")
    assert record["entered_done"] == 6 and record["entered_accepted"] == 4 and record["entered_sent_back"] == 2
    seen = {}
    for n in range(1, 7):
        view = ledger.json("show", f"SJ2023-{n}")
        [verification] = view["verifications"]
        seen[n] = (verification["grade"], verification["passed"], view["status"], view["reworks"])
    assert seen == {
        1: ("good", True, "verified", 0), 2: ("fair", True, "verified", 0), 3: ("fair", True, "verified", 0),
        4: ("bad", False, "in_progress", 1), 5: ("poor", False, "in_progress", 1), 6: ("fair", True, "verified", 0),
    }
    notes = {n: ledger.json("show", f"SJ2023-{n}")["verifications"][0]["note"] for n in (2, 4, 6)}
    assert "台账记验收结果“良好”，记为较好" in notes[2] and "台账记验收结果“差”" in notes[4]
    assert "台账未记验收等次，按通过记为较好" in notes[6]  # a blank cell: as before, the lowest passing grade
    ledger("audit", "--verify")


@pytest.mark.parametrize("heading", ["验收等次", "验收评价", "验收情况"])
def test_every_grade_heading_is_read(ledger, tmp_path, heading):
    _audit(ledger)
    ledger("import", _write(tmp_path, [ROWS[3]], heading), "--inspection", "SJ2023")
    assert ledger.json("show", "SJ2023-4")["verifications"][0]["grade"] == "bad"  # 序号 4, met once: its number


def test_a_grade_the_ledger_cannot_read_refuses_the_file_naming_column_and_row(ledger, tmp_path):
    _audit(ledger)
    before = event_count(ledger)
    unknown = ledger("import", _write(tmp_path, [ROWS[0], [*ROWS[1][:6], "基本满意"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 3: 验收结果: '基本满意' is not an acceptance grade (one of 好、较好、一般、差、优秀、良好、合格、不合格" in unknown and len(unknown.strip().splitlines()) == 1
    zh = ledger("--lang", "zh", "import", _write(tmp_path, [[*ROWS[1][:6], "基本满意"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "第 2 行" in zh or "第2行" in zh
    assert "验收结果" in zh and "不是验收等次" in zh and "is not" not in zh
    not_done = ledger("import", _write(tmp_path, [[1, "备用金挂账", "杜婷", "否", "", "周明", "好"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 2: 验收结果: the row is not marked done, so it cannot have been accepted ('好')" in not_done
    nobody = ledger("import", _write(tmp_path, [[1, "备用金挂账", "杜婷", "是", "2023-11-20", "", "好"]]), "--inspection", "SJ2023", expect=2).stderr
    assert "line 2: 验收结果: the row gives an acceptance grade ('好') but no verifier: whose acceptance it is must be known" in nobody
    assert event_count(ledger) == before


def test_grade_words_follow_one_table():
    """Hypothesis over the grade words as offices type them (spaces, width): each reads as its table entry, and
    the passing ones are exactly those the ledger passes."""
    from hypothesis import given, strategies as st

    from ledger.feedback import ACCEPTANCE_GRADES, acceptance_grade
    from ledger.values import PASSING_GRADES

    assert {ACCEPTANCE_GRADES[w] for w in ("好", "较好", "优秀", "良好", "合格")} <= set(PASSING_GRADES)
    assert {ACCEPTANCE_GRADES[w] for w in ("一般", "差", "不合格")}.isdisjoint(PASSING_GRADES)

    @given(word=st.sampled_from(sorted(ACCEPTANCE_GRADES)), left=st.sampled_from(["", " ", "\u3000"]), right=st.sampled_from(["", " "]))
    def check(word, left, right):
        assert acceptance_grade(f"{left}{word}{right}") == ACCEPTANCE_GRADES[word]

    check()
    assert acceptance_grade("基本满意") is None


def _columns_read_down(table: str) -> str:
    """The text of a terminal table read column by column (a wrapped cell's lines joined), not line by line: cells
    side by side wrap in step, so reading across interleaves them."""
    import re

    from wcwidth import wcwidth

    columns: dict[tuple[int, int], list[str]] = {}
    spans: list[tuple[int, int]] = []
    for line in table.splitlines():
        if line.strip() and set(line.replace(" ", "")) == {"-"}:
            spans = [(m.start(), m.end()) for m in re.finditer(r"-+", line)]
            continue
        cells: dict[tuple[int, int], str] = {span: "" for span in spans}
        at = 0
        for ch in line:
            for span in spans:
                if span[0] <= at < span[1] + 2:
                    cells[span] += ch
                    break
            at += max(wcwidth(ch), 1)
        for span, text in cells.items():
            columns.setdefault(span, []).append(text.strip())
    return "|".join("".join(parts) for parts in columns.values())


def test_preview_shows_each_acceptances_grade_and_what_a_failing_one_does(ledger, tmp_path):
    from guard_helpers import event_count

    _audit(ledger)
    before = event_count(ledger)
    path = _write(tmp_path, [ROWS[1], ROWS[3]])
    data = ledger.json("import", path, "--inspection", "SJ2023", "--preview")
    assert [a.get("grade") for row in data["rows"] for a in row["acts"]] == [None, "fair", None, "bad"]
    zh = _columns_read_down(ledger("--lang", "zh", "import", path, "--inspection", "SJ2023", "--preview").stdout)
    assert "等次较好" in zh and "等次差：退回二次整改" in zh
    assert event_count(ledger) == before
