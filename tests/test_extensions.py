"""Extensions (申请延期整改): requested by the responsible person, effective only once a signer approves.

The deadline history stays visible, `due` works from the approved deadline,
and summaries count an extended problem apart: never as completed.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from conftest import run_executable

PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“思想认识不深刻”的问题", "--at", "2020-01-15"]


def assigned(ledger, deadline: str = "2020-03-31") -> str:
    pid = ledger.out(*PROBLEM)
    ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", deadline, "--at", "2020-01-16")
    return pid


def test_an_extension_counts_only_once_approved_and_the_history_is_kept(inspected):
    pid = assigned(inspected)
    before = inspected.json("summary", "--inspection", "XC2019-1")["total"]
    inspected("extend", pid, "--to", "2020-06-30", "--reason", "涉及跨部门协调", "--at", "2020-03-20", actor="王琎")
    view = inspected.json("show", pid)
    assert view["deadline"] == "2020-03-31"  # requested, not yet in force
    assert view["extensions"][0]["decision"] == "pending" and view["extended_to"] is None
    assert inspected.json("summary", "--inspection", "XC2019-1")["total"] == before
    # The overdue list still works from the old deadline.
    due = inspected.json("due", "--as-of", "2020-04-10")
    assert [(r["id"], r["date"], r["days_late"]) for r in due] == [(pid, "2020-03-31", 10)]

    inspected("approve-extension", pid, "--note", "同意延期", "--at", "2020-03-25", actor="县委巡察办")
    view = inspected.json("show", pid)
    assert view["deadline"] == "2020-06-30" and view["extended_to"] == "2020-06-30"
    ext = view["extensions"][0]
    assert (ext["previous"], ext["to"], ext["decision"], ext["requested_by"], ext["decided_by"]) == (
        "2020-03-31", "2020-06-30", "approved", "王琎", "县委巡察办"
    )
    assert inspected.json("due", "--as-of", "2020-04-10", "--within", "7") == []  # no longer overdue
    assert [r["date"] for r in inspected.json("due", "--as-of", "2020-06-25")] == ["2020-06-30"]

    total = inspected.json("summary", "--inspection", "XC2019-1")["total"]
    assert (total["problems"], total["completed"], total["extended"], total["open"]) == (1, 0, 1, 0)
    whole = inspected.json("summary")["total"]
    assert (whole["extended"], whole["open"], whole["completed"]) == (1, 0, 0)

    events = [r["event"] for r in inspected.json("history", pid)]
    assert events[-2:] == ["Problem.ExtensionRequested", "Problem.ExtensionDecided"] or events[-2:] == ["ExtensionRequested", "ExtensionDecided"]
    shown = inspected.out("show", pid)
    assert "deadline history" in shown and "2020-03-31" in shown and "涉及跨部门协调" in shown
    inspected("replay")

    # Done and signed off, it is completed — no longer counted as extended.
    mid = inspected.out("plan", pid, "开展专题学习", "--at", "2020-04-01", actor="王琎")
    inspected("done", pid, mid, "--at", "2020-05-01", actor="王琎")
    inspected("verify", pid, "--grade", "good", "--at", "2020-05-02", actor="巡察办")
    inspected("close", pid, "--at", "2020-05-03", actor="主要负责人")
    total = inspected.json("summary", "--inspection", "XC2019-1")["total"]
    assert (total["completed"], total["extended"], total["open"]) == (1, 0, 0)
    inspected("replay")


def test_a_refused_extension_leaves_the_deadline(inspected):
    pid = assigned(inspected)
    inspected("extend", pid, "--to", "2020-06-30", "--reason", "理由", actor="王琎")
    inspected("approve-extension", pid, "--refuse", "--note", "理由不充分", actor="县委巡察办")
    view = inspected.json("show", pid)
    assert view["deadline"] == "2020-03-31" and view["extensions"][0]["decision"] == "refused"
    assert inspected.json("summary")["total"]["extended"] == 0
    # A new request may follow a decided one.
    inspected("extend", pid, "--to", "2020-05-31", "--reason", "补充理由", actor="王琎")
    inspected("approve-extension", pid, actor="县委巡察办")
    assert inspected.json("show", pid)["deadline"] == "2020-05-31"


def test_extension_rules_refuse_with_one_line_and_write_nothing(inspected):
    pid = inspected.out(*PROBLEM)
    # No deadline to extend yet.
    result = inspected("extend", pid, "--to", "2020-06-30", "--reason", "r", actor="王琎", expect=1)
    assert "[rule: extend-a-deadline]" in result.stderr and result.stderr.count("\n") == 1
    inspected("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--deadline", "2020-03-31")
    assert "not later than the current one" in inspected("extend", pid, "--to", "2020-03-31", "--reason", "r", actor="王琎", expect=1).stderr
    assert "no extension request" in inspected("approve-extension", pid, actor="县委巡察办", expect=1).stderr
    inspected("extend", pid, "--to", "2020-06-30", "--reason", "r", actor="王琎")
    assert "[rule: one-extension-request-at-a-time]" in inspected("extend", pid, "--to", "2020-07-30", "--reason", "r", actor="王琎", expect=1).stderr
    assert "[rule: separate-approver]" in inspected("approve-extension", pid, actor="王琎", expect=1).stderr
    assert "must not be empty" in inspected("extend", pid, "--to", "2020-07-30", "--reason", " ", actor="王琎", expect=2).stderr
    assert inspected("extend", pid, "--reason", "r", actor="王琎", expect=2).stderr.startswith("ledger: error: Missing option '--to'")
    versions = inspected.json("show", pid)["version"]
    assert versions == 3  # registered, assigned, one request: the refused attempts wrote nothing


def test_roles_extend_is_the_responsible_persons_and_approval_a_signers(inspected):
    pid = assigned(inspected)
    config = inspected.folder / "ledger.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\npeople:\n  - name: 王琎\n    roles: [responsible]\n  - name: 县委巡察办\n    roles: [signer]\n  - name: clerk\n    roles: [registrar]\n",
        encoding="utf-8",
    )
    assert "needs the role responsible" in inspected("extend", pid, "--to", "2020-06-30", "--reason", "r", actor="clerk", expect=1).stderr
    inspected("extend", pid, "--to", "2020-06-30", "--reason", "r", actor="王琎")
    assert "needs the role signer" in inspected("approve-extension", pid, actor="clerk", expect=1).stderr
    inspected("approve-extension", pid, actor="县委巡察办")


def test_a_closed_problem_is_not_extended_and_as_of_shows_the_deadline_then(inspected):
    pid = assigned(inspected)
    inspected("extend", pid, "--to", "2020-06-30", "--reason", "r", actor="王琎")
    recorded = inspected.json("history", pid)[-1]["recorded_at"]  # whole seconds
    time.sleep(1.1)
    inspected("approve-extension", pid, actor="县委巡察办")
    between = (datetime.fromisoformat(recorded.replace("Z", "+00:00")) + timedelta(seconds=1)).isoformat()
    assert inspected.json("show", pid, "--as-of", between)["deadline"] == "2020-03-31"
    assert inspected.json("show", pid)["deadline"] == "2020-06-30"
    mid = inspected.out("plan", pid, "m", actor="王琎")
    inspected("done", pid, mid, actor="王琎")
    inspected("verify", pid, "--grade", "good", actor="巡察办")
    inspected("close", pid, actor="主要负责人")
    assert "[rule: reopen-before-new-work]" in inspected("extend", pid, "--to", "2020-09-30", "--reason", "r", actor="王琎", expect=1).stderr


def test_extend_through_the_installed_executable(inspected):
    pid = assigned(inspected)
    done = run_executable("extend", pid, "--to", "2020-06-30", "--reason", "r", "--format", "json", cwd=inspected.folder, actor="王琎", env=inspected.env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["event"] == "ExtensionRequested"
    refused = run_executable("approve-extension", pid, cwd=inspected.folder, actor="王琎", env=inspected.env)
    assert refused.returncode == 1 and "separate-approver" in refused.stderr


def test_the_sheet_names_an_extended_problem_by_its_status_word_and_the_extension_beside_it(inspected, tmp_path):
    """One state, one word: `status` says 整改中 for a problem with an approved extension, and so does the 台账's
    销号情况 (it said 申请延期整改, the summaries' count phrase, as if it were a state); the new deadline beside it."""
    from docx import Document
    from openpyxl import load_workbook

    from ledger import vocabulary

    pid = assigned(inspected)
    inspected("extend", pid, "--to", "2027-03-31", "--reason", "涉及跨部门协调", actor="王琎")
    inspected("approve-extension", pid, actor="县委巡察办")
    status = inspected.json("status", "--inspection", "XC2019-1")[0]["status"]
    word = vocabulary.STATUSES[status].zh
    shown = inspected("--lang", "zh", "status", "--inspection", "XC2019-1").stdout
    assert word in shown and "申请延期整改" not in shown
    xlsx, docx = tmp_path / "台账.xlsx", tmp_path / "台账.docx"
    inspected("sheet", "--inspection", "XC2019-1", "--out", xlsx)
    inspected("sheet", "--inspection", "XC2019-1", "--out", docx)
    cell = load_workbook(xlsx).active.cell(row=4, column=10).value
    assert cell == f"{word}\n延期至2027年3月31日"
    assert Document(docx).tables[0].rows[1].cells[9].text == cell
    # The footer's count keeps the reports' phrase (申请延期整改N个): a count, not a problem's state.
    footer = load_workbook(xlsx).active.cell(row=5, column=1).value
    assert "申请延期整改1个" in footer
