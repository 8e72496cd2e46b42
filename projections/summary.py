"""The publication summary (整改情况统计): one row per category, a total, and the headline figures.

Computed by SQL over the read models, so a summary costs the same however
long the history is: for the whole ledger from the per-category totals that
triggers keep beside `ledger_problems`, for one inspection over its problems. The same query runs on
the stored read model (current state) and on an as-of rebuild.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from projections.tables import placeholder

KEYS = ("category", "problems", "completed", "ongoing", "open", "overdue", "relapsed", "rate")

HEADERS = {
    "zh": {
        "category": "类别",
        "problems": "反馈问题",
        "completed": "已完成整改",
        "ongoing": "基本完成、持续整改",
        "open": "未完成",
        "overdue": "逾期",
        "relapsed": "反弹",
        "rate": "整改完成率",
        "total": "合计",
    },
    "en": {
        "category": "category",
        "problems": "problems",
        "completed": "completed",
        "ongoing": "basically done, continuing",
        "open": "not yet done",
        "overdue": "overdue",
        "relapsed": "relapsed",
        "rate": "completion rate",
        "total": "total",
    },
}

FIGURE_KEYS = ("rules", "funds", "accountable", "clues")

FIGURE_LABELS = {
    "zh": {
        "rules": "完善和新建制度（项）",
        "funds": "清退、追回资金（万元）",
        "accountable": "问责、处理（人）",
        "clues": "移交问题线索（件）",
    },
    "en": {
        "rules": "rules made or revised",
        "funds": "funds returned or recovered (10,000 yuan)",
        "accountable": "people held accountable",
        "clues": "clues transferred",
    },
}

# Register order: a category sorts where its first problem appears
# (inspection position, then problem number).
_SQL = """
SELECT p.category,
       COUNT(*),
       SUM(CASE WHEN p.status = 'closed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.status = 'ongoing' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.status NOT IN ('closed', 'ongoing') THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.deadline IS NOT NULL AND p.deadline < ?
                 AND p.status IN ('registered', 'in_progress') THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.relapses > 0 THEN 1 ELSE 0 END),
       SUM(p.rules), SUM(p.funds_fen), SUM(p.accountable), SUM(p.clues),
       MIN(COALESCE(i.position, 0) * 1000000000 + p.number) AS first_seen
FROM ledger_problems p
LEFT JOIN ledger_inspections i ON i.code = p.inspection
{where}
GROUP BY p.category
ORDER BY first_seen
"""


# The whole ledger: the per-category totals kept by triggers (projections.tables),
# plus a count of overdue problems, which depends on the day and so cannot be
# kept in advance (the (status, deadline, category) index reads only those).
_TOTALS_SQL = """
SELECT t.category, t.problems, t.completed, t.ongoing, t.problems - t.completed - t.ongoing,
       COALESCE(o.overdue, 0), t.relapsed, t.rules, t.funds_fen, t.accountable, t.clues, t.first_seen
FROM ledger_category_totals t
LEFT JOIN (SELECT category, COUNT(*) AS overdue FROM ledger_problems
           WHERE status IN ('registered', 'in_progress') AND deadline < ?
           GROUP BY category) o ON o.category = t.category
WHERE t.problems > 0
ORDER BY t.first_seen
"""


def has_totals(cursor: Any, style: str) -> bool:
    """Whether the store keeps category totals (a store made before them does not until `ledger init`)."""
    if style == "?":
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_category_totals'")
        return cursor.fetchone() is not None
    cursor.execute("SELECT to_regclass('ledger_category_totals') IS NOT NULL")
    return bool(cursor.fetchone()[0])


def rate(completed: int, problems: int) -> float | None:
    """整改完成率 in percent, one decimal (half up); None when there are no problems."""
    if not problems:
        return None
    value = (Decimal(completed) * 100 / Decimal(problems)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
    return float(value)


def wan_yuan(yuan: str) -> str:
    """Yuan as 万元, as reports print them: two decimals, half up (12000.50 yuan → 1.20)."""
    if not Decimal(yuan):
        return "0"
    return format((Decimal(yuan) / Decimal(10_000)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"), "f")


def summarise(cursor: Any, *, today: date, inspection: str | None = None, style: str = "?") -> dict[str, Any]:
    """{"rows": [...], "total": {...}, "figures": {...}} — the JSON shape of `ledger summary`."""
    where, params = "", [today.isoformat()]
    if inspection is not None:
        where = "WHERE p.inspection = ?"
        params.append(inspection)
    if inspection is None and has_totals(cursor, style):
        cursor.execute(placeholder(_TOTALS_SQL, style), params)
    else:
        cursor.execute(placeholder(_SQL.format(where=where), style), params)
    rows = []
    totals = dict.fromkeys(("problems", "completed", "ongoing", "open", "overdue", "relapsed"), 0)
    figures = {"rules": 0, "funds_fen": 0, "accountable": 0, "clues": 0}
    for r in cursor.fetchall():
        row = dict(zip(("category", "problems", "completed", "ongoing", "open", "overdue", "relapsed"), r[:7]))
        row = {k: (v if k == "category" else int(v or 0)) for k, v in row.items()}
        row["rate"] = rate(row["completed"], row["problems"])
        rows.append(row)
        for k in totals:
            totals[k] += row[k]
        for k, v in zip(("rules", "funds_fen", "accountable", "clues"), r[7:11]):
            figures[k] += int(v or 0)
    total = {"category": None, **totals, "rate": rate(totals["completed"], totals["problems"])}
    return {
        "rows": rows,
        "total": total,
        "figures": {
            "rules": figures["rules"],
            "funds": format(Decimal(figures["funds_fen"]) / 100, ".2f"),  # yuan, as in the problem views
            "accountable": figures["accountable"],
            "clues": figures["clues"],
        },
    }


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def table_rows(summary: dict[str, Any], lang: str) -> list[list[Any]]:
    """The summary table as lists of cells, the total row last."""
    out = []
    for row in summary["rows"] + [dict(summary["total"], category=HEADERS[lang]["total"])]:
        out.append([row["category"], *(row[k] for k in KEYS[1:-1]), percent(row["rate"])])
    return out


def figure_rows(summary: dict[str, Any], lang: str) -> list[list[Any]]:
    figures = dict(summary["figures"], funds=wan_yuan(summary["figures"]["funds"]))
    return [[FIGURE_LABELS[lang][k], figures[k]] for k in FIGURE_KEYS]
