"""Refinement (细化): finer problems under a fed-back one, each with its own people and measures.

The official (fed-back) problem stays the unit of 对账: it is what summaries
count and what `reconcile` matches; it can be signed off only when all its
refinements are; reports print the refinements as (1)… under it.
"""

from __future__ import annotations

from ledger.schema import STORE_SCHEMA_VERSION

from pathlib import Path

PARENT = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“思想认识不深刻”的问题", "--at", "2020-01-15"]


def carry(ledger, pid: str, *, rules: str = "0", measure: str = "整改措施") -> None:
    ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-17")
    mid = ledger.out("plan", pid, measure, "--at", "2020-01-18", actor="王琎")
    ledger("done", pid, mid, "--rules", rules, "--at", "2020-02-01", actor="王琎")
    ledger("verify", pid, "--grade", "good", "--at", "2020-02-02", actor="巡察办")


def test_refinements_hang_under_the_official_problem_and_hold_its_sign_off(inspected):
    parent = inspected.out(*PARENT)
    other = inspected.out(*PARENT[:-2], "--title", "关于“学习不深入”的问题", "--at", "2020-01-15")
    c1 = inspected.out("add-problem", "--parent", parent, "--title", "关于“理论学习流于形式”的问题", "--at", "2020-01-16")
    c2 = inspected.out("add-problem", "--parent", parent, "--title", "关于“学习计划缺失”的问题", "--at", "2020-01-16")
    view = inspected.json("show", parent)
    assert view["children"] == [c1, c2] and view["parent"] is None
    child = inspected.json("show", c1)
    assert child["parent"] == parent and child["category"] == "政治站位方面" and child["inspection"] == "XC2019-1"

    # The summary counts official problems only; the refinements' figures count.
    total = inspected.json("summary", "--inspection", "XC2019-1")["total"]
    assert total["problems"] == 2
    assert inspected.json("summary")["total"]["problems"] == 2

    carry(inspected, c1, rules="2")
    inspected("close", c1, "--at", "2020-02-03", actor="主要负责人")
    inspected("verify", parent, "--grade", "good", "--at", "2020-02-04", actor="巡察办")  # its work is in its refinements
    result = inspected("close", parent, "--at", "2020-02-05", actor="主要负责人", expect=1)
    assert "[rule: children-signed-off-first]" in result.stderr and c2 in result.stderr
    carry(inspected, c2)
    inspected("close", c2, "--at", "2020-02-05", actor="主要负责人")
    inspected("close", parent, "--at", "2020-02-06", actor="主要负责人")

    summary = inspected.json("summary", "--inspection", "XC2019-1")
    assert (summary["total"]["problems"], summary["total"]["completed"], summary["total"]["open"]) == (2, 1, 1)
    assert summary["figures"]["rules"] == 2  # from the refinement's measure
    whole = inspected.json("summary")
    assert (whole["total"]["problems"], whole["total"]["completed"], whole["figures"]["rules"]) == (2, 1, 2)
    assert other in [v["id"] for v in inspected.json("status", "--status", "registered")]
    inspected("replay")

    # Nothing new under a closed problem until it is reopened.
    assert "[rule: reopen-before-new-work]" in inspected("add-problem", "--parent", parent, "--title", "t", expect=1).stderr


def test_refinement_rules(inspected):
    parent = inspected.out(*PARENT)
    child = inspected.out("add-problem", "--parent", parent, "--title", "细化问题", "--at", "2020-01-16")
    result = inspected("add-problem", "--parent", child, "--title", "再细化", expect=1)
    assert "[rule: refine-official-problems]" in result.stderr and result.stderr.count("\n") == 1
    inspected("add-inspection", "XC2019-2", "--name", "n", "--organisation", "o", "--group", "g", "--kind", "regular",
              "--start", "2019-10-28", "--end", "2019-11-18", "--at", "2020-01-14")
    assert "[rule: refine-within-inspection]" in inspected(
        "add-problem", "--parent", parent, "--inspection", "XC2019-2", "--title", "t", expect=1
    ).stderr
    assert "unknown problem ID: XC2019-1-99" in inspected("add-problem", "--parent", "XC2019-1-99", "--title", "t", expect=1).stderr
    assert "Missing option '--inspection'" in inspected("add-problem", "--category", "c", "--title", "t", expect=2).stderr
    assert inspected.json("show", parent)["children"] == [child]


def test_reconcile_matches_official_problems_and_reports_print_refinements(inspected, tmp_path: Path):
    listing = tmp_path / "list.yaml"
    listing.write_text(
        "inspection:\n  code: XC2019-1\n  name: 县委第一巡察组巡察县交通运输局党组\n  organisation: 县交通运输局党组\n"
        "  group: 县委第一巡察组\n  kind: regular\n  start: 2019-10-28\n  end: 2019-11-18\n  feedback: 2020-01-14\n"
        "problems:\n  - number: 1\n    category: 政治站位方面\n    title: 关于“思想认识不深刻”的问题\n",
        encoding="utf-8",
    )
    parent = inspected.out(*PARENT)
    c1 = inspected.out("add-problem", "--parent", parent, "--title", "关于“理论学习流于形式”的问题", "--at", "2020-01-16")
    result = inspected.json("reconcile", str(listing))
    assert [(r["result"], r["id"]) for r in result["rows"]] == [("matched", parent)] and result["ok"]
    carry(inspected, c1, measure="制定了学习计划")
    inspected("close", c1, "--at", "2020-02-03", actor="主要负责人")
    report = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    assert "1.关于“思想认识不深刻”的问题。\n\n（1）关于“理论学习流于形式”的问题。\n\n制定了学习计划。" in report
    inspected("withhold", parent, "--reason", "open-case", actor="clerk")
    hidden = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    assert "理论学习流于形式" not in hidden and "制定了学习计划" not in hidden


def test_init_upgrades_a_schema_2_store_so_refinements_count_under_their_parent(inspected):
    parent = inspected.out(*PARENT)
    if inspected.kind == "sqlite":
        drops = [f"DROP TRIGGER ledger_totals_{op}" for op in ("insert", "update", "delete")]
    else:
        drops = ["DROP TRIGGER ledger_totals ON ledger_problems"]
    # A schema-2 store: totals without the extended column, and triggers that count every row as a
    # problem (simulated by counting the child by hand).
    inspected.execute(
        *drops, "ALTER TABLE ledger_category_totals DROP COLUMN extended",
        "UPDATE ledger_meta SET value = '2' WHERE key = 'schema_version'",
    )
    inspected("add-problem", "--parent", parent, "--title", "细化", "--at", "2020-01-16")
    inspected.execute("UPDATE ledger_category_totals SET problems = problems + 1")
    # Until upgraded, the summary counts over the problems themselves (the totals lack a column).
    assert inspected.json("summary")["total"]["problems"] == 1
    inspected("replay")
    assert f"upgraded the store to schema {STORE_SCHEMA_VERSION}: per-category totals recounted" in inspected.out("init")
    assert inspected.json("summary")["total"]["problems"] == 1
    inspected("add-problem", "--parent", parent, "--title", "再一个细化", "--at", "2020-01-16")  # the new triggers
    assert inspected.json("summary")["total"]["problems"] == 1
    inspected("replay")
