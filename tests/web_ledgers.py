"""Ledgers for the web view's tests: problems at every light, days counted from today."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

# (days from today to the deadline or None, unit, category, title); numbers follow the order.
LIT = [
    (-3, "办公室", "政治站位方面", "关于“学习流于形式”的问题"),      # red
    (5, "财务股", "政治站位方面", "关于“资金管理不规范”的问题"),      # yellow
    (10, "财务股", "全面从严治党方面", "关于“公务接待超标准”的问题"),  # yellow (last yellow day)
    (11, "人事股", "全面从严治党方面", "关于“干部考核不严格”的问题"),  # green (first green day)
    (20, "人事股", "选人用人方面", "关于“档案审核不细致”的问题"),      # green (last green day)
    (21, "办公室", "选人用人方面", "关于“制度执行不到位”的问题"),      # none (further off)
    (None, "党建办", "基层党建方面", "关于“支部活动不规范”的问题"),    # none (long-term, no deadline)
    (-1, "党建办", "基层党建方面", "关于“整改台账不健全”的问题"),      # closed below: no light
]
EXPECTED_LIGHTS = ["red", "yellow", "yellow", "green", "green", None, None, None]


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def enter_lit_ledger(run: Callable[..., Any], code: str = "XC2026-1") -> list[str]:
    """Enter an inspection whose problems sit at every light; `run(*args, actor=…)` runs one ledger command."""
    run("add-inspection", code, "--name", "县委第二巡察组对县财政局党组的巡察", "--organisation", "县财政局党组",
        "--group", "县委第二巡察组", "--kind", "regular", "--start", day(-60), "--end", day(-45), "--feedback", day(-40),
        "--at", day(-40))
    ids = []
    for n, (offset, unit, category, title) in enumerate(LIT, start=1):
        kind = ["--type", "long-term"] if offset is None else ["--deadline", day(offset)]
        run("add-problem", "--inspection", code, "--category", category, "--title", title, *kind, "--at", day(-39))
        ident = f"{code}-{n}"
        ids.append(ident)
        run("assign", ident, "--lead", "李明", "--unit", unit, "--person", f"{unit}负责人",
            *([] if offset is None else ["--deadline", day(offset)]), "--at", day(-38))
    last = ids[-1]
    run("plan", last, "建立整改台账并逐项销号", "--at", day(-30))
    run("done", last, "M1", "--evidence", "整改台账.pdf", "--rules", "1", "--at", day(-20), actor="党建办负责人")
    run("verify", last, "--grade", "good", "--note", "台账齐全", "--at", day(-15), actor="县委巡察办")
    run("close", last, "--note", "整改一个销号一个", "--at", day(-10), actor="县委巡察工作领导小组")
    return ids
