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

from ledger import vocabulary
from projections.deadlines import overdue_sql
from projections.tables import CHILD_PATTERN, COUNTED_PARAMS, COUNTED_SQL, EXTENDED_PATTERN, placeholder, stored_problem_columns

KEYS = ("category", "problems", "completed", "ongoing", "extended", "open", "overdue", "relapsed", "rate")
# problems = completed + ongoing + extended + open: every fed-back problem is in exactly one.
COUNT_KEYS = ("problems", "completed", "ongoing", "extended", "open", "overdue", "relapsed")

# A count's heading is the vocabulary's word for it (vocabulary.COUNTS): the same in every summary form.
HEADERS = {
    lang: {
        "category": vocabulary.FIELDS["category"].of(lang),
        **{key: word.of(lang) for key, word in vocabulary.COUNTS.items()},
        "total": "合计" if lang == "zh" else "total",
    }
    for lang in ("zh", "en")
}

FIGURE_KEYS = ("rules", "funds", "accountable", "clues")
# The figures' table's headings, in `summary` and on the web's summary page.
FIGURE_HEADERS = {"zh": ("成效", "数量"), "en": ("figure", "value")}
# 屡查屡犯: the third table `summary` prints (and the web's summary page), from the JSON's `recurrences`.
RECURRENCE_HEADERS = {"zh": ("被巡察单位", "轮次", "屡查屡犯（个）"), "en": ("organisation", "round", "recurrences")}


def recurrence_rows(result: dict[str, Any]) -> list[list[Any]]:
    """Each unit's recurrences by round: the rows under RECURRENCE_HEADERS."""
    return [[r["organisation"], r["round"] or "", r["recurrences"]] for r in result.get("recurrences") or []]

# The unit a figure is counted in, as its heading says it (完善和新建制度（项）); an English count needs none.
FIGURE_UNITS = {"zh": {"rules": "项", "funds": "万元", "accountable": "人", "clues": "件"}, "en": {"funds": "10,000 yuan"}}


def figure_heading(key: str, lang: str) -> str:
    """A headline figure's heading: the vocabulary's name and its unit, in full-width parentheses in Chinese."""
    name, unit = vocabulary.FIGURES[key].of(lang), FIGURE_UNITS[lang].get(key)
    if not unit:
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"

# Register order: a category sorts where its first problem appears
# (inspection position, then problem number).
_SQL = """
SELECT p.category,
       """ + COUNTED_SQL + """,
       SUM(CASE WHEN p.data NOT LIKE ? AND """ + overdue_sql() + """ THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.data NOT LIKE ? AND p.relapses > 0 THEN 1 ELSE 0 END),
       SUM(p.rules), SUM(p.funds_fen), SUM(p.accountable), SUM(p.clues),
       MIN(COALESCE(i.position, 0) * 1000000000 + p.number) AS first_seen
FROM ledger_problems p
LEFT JOIN ledger_inspections i ON i.code = p.inspection
{where}
GROUP BY p.category
HAVING SUM(CASE WHEN p.data NOT LIKE ? THEN 1 ELSE 0 END) > 0
ORDER BY first_seen
"""


def _sql_params(today: date) -> list[Any]:
    child = CHILD_PATTERN
    # SELECT's parameters, then (the WHERE's go here) HAVING's.
    return [*COUNTED_PARAMS, child, today.isoformat(), child, child]


# The whole ledger: the per-category totals kept by triggers (projections.tables),
# plus a count of overdue problems, which depends on the day and so cannot be
# kept in advance. From schema 5 the (status, deadline, category, parent) index holds
# all it reads; an older store is told its refinements apart by their JSON views.
_TOTALS_SQL = """
SELECT t.category, t.problems, t.completed, t.ongoing, t.extended, t.problems - t.completed - t.ongoing - t.extended,
       COALESCE(o.overdue, 0), t.relapsed, t.rules, t.funds_fen, t.accountable, t.clues, t.first_seen
FROM ledger_category_totals t
LEFT JOIN (SELECT category, COUNT(*) AS overdue FROM ledger_problems
           WHERE """ + overdue_sql(prefix="") + """ AND {official}
           GROUP BY category) o ON o.category = t.category
WHERE t.problems > 0
ORDER BY t.first_seen
"""
TOTALS_SQL = _TOTALS_SQL.format(official="parent IS NULL")
_TOTALS_SQL_BEFORE_5 = _TOTALS_SQL.format(official="data NOT LIKE ?")


def has_totals(cursor: Any, style: str) -> bool:
    """Whether the store keeps category totals of the current schema (an older store does not until `ledger init`)."""
    if style == "?":
        cursor.execute("SELECT 1 FROM pragma_table_info('ledger_category_totals') WHERE name = 'extended'")
        return cursor.fetchone() is not None
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'ledger_category_totals' "
        "AND column_name = 'extended' AND table_schema = ANY(current_schemas(false))"
    )
    return cursor.fetchone() is not None


def rate(completed: int, problems: int, places: int = 1) -> float | None:
    """整改完成率 in percent, `places` decimals (half up); None when there are no problems."""
    if not problems:
        return None
    step = Decimal(1).scaleb(-places)
    value = (Decimal(completed) * 100 / Decimal(problems)).quantize(step, rounding="ROUND_HALF_UP")
    return float(value)


def wan_yuan(yuan: str) -> str:
    """Yuan as 万元, as reports print them: two decimals, half up (12000.50 yuan → 1.20)."""
    if not Decimal(yuan):
        return "0"
    return format((Decimal(yuan) / Decimal(10_000)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"), "f")


def summarise(cursor: Any, *, today: date, inspection: str | None = None, style: str = "?") -> dict[str, Any]:
    """{"rows": [...], "total": {...}, "figures": {...}} — the JSON shape of `ledger summary`."""
    if inspection is None and has_totals(cursor, style):
        if "parent" in stored_problem_columns(cursor):
            cursor.execute(placeholder(TOTALS_SQL, style), [today.isoformat()])
        else:
            cursor.execute(placeholder(_TOTALS_SQL_BEFORE_5, style), [today.isoformat(), CHILD_PATTERN])
    else:
        where, params = "", _sql_params(today)
        if inspection is not None:
            where = "WHERE p.inspection = ?"
            params.insert(-1, inspection)
        cursor.execute(placeholder(_SQL.format(where=where), style), params)
    result = _collect(cursor.fetchall())
    leave_out_not_found(result, not_found_counts(cursor, "category", style=style, inspection=inspection))
    add_recurrences(result, cursor, style=style, inspection=inspection)
    return result


def not_found_counts(cursor: Any, by: str, *, style: str = "?", inspection: str | None = None) -> dict[str, tuple[int, int]]:
    """自查未发现 per category (or per inspection): (how many, how many of them with an approved extension).

    Few rows: the (status, …) index finds them. They are counted apart (`not_found`), not as problems
    of the unit: its self-check did not find them; neither open nor overdue (ledger.values.NOT_FOUND).
    """
    from ledger.values import NOT_FOUND

    column = {"category": "p.category", "inspection": "p.inspection"}[by]
    where, params = "", [EXTENDED_PATTERN, NOT_FOUND, CHILD_PATTERN]
    if inspection is not None:
        where, params = " AND p.inspection = ?", [*params, inspection]
    cursor.execute(
        placeholder(
            f"SELECT {column}, COUNT(*), SUM(CASE WHEN p.data LIKE ? THEN 1 ELSE 0 END) FROM ledger_problems p "
            f"WHERE p.status = ? AND p.data NOT LIKE ?{where} GROUP BY {column}",
            style,
        ),
        params,
    )
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in cursor.fetchall()}


def take_not_found(row: dict[str, Any], counted: tuple[int, int]) -> None:
    """Count a row's 自查未发现 problems out of its problems (and open or extended ones), into `not_found`."""
    n, extended = counted
    row["problems"] -= n
    row["extended"] -= extended
    row["open"] -= n - extended
    row["not_found"] = row.get("not_found", 0) + n


def leave_out_not_found(result: dict[str, Any], counts: dict[str, tuple[int, int]]) -> None:
    rows = []
    for row in result["rows"]:
        if row["category"] in counts:
            take_not_found(row, counts[row["category"]])
            row.pop("not_found")
            row["rate"] = rate(row["completed"], row["problems"])
            if not row["problems"]:
                continue  # only problems the units' self-checks did not find
        rows.append(row)
    result["rows"] = rows
    total = result["total"]
    take_not_found(total, (sum(n for n, _ in counts.values()), sum(e for _, e in counts.values())))
    total["rate"] = rate(total["completed"], total["problems"])


def add_recurrences(result: dict[str, Any], cursor: Any, **scope: Any) -> None:
    """屡查屡犯: `recurrences` in the total, and per unit and round (projections.recurrence)."""
    from projections.recurrence import recurrences

    by_unit = recurrences(cursor, **scope)
    result["total"]["recurrences"] = sum(r["recurrences"] for r in by_unit)
    result["recurrences"] = by_unit


def _collect(fetched: list[Any]) -> dict[str, Any]:
    rows = []
    totals = dict.fromkeys(COUNT_KEYS, 0)
    figures = {"rules": 0, "funds_fen": 0, "accountable": 0, "clues": 0}
    n = len(COUNT_KEYS)
    for r in fetched:
        row = {"category": r[0], **{k: int(v or 0) for k, v in zip(COUNT_KEYS, r[1 : 1 + n])}}
        row["rate"] = rate(row["completed"], row["problems"])
        rows.append(row)
        for k in totals:
            totals[k] += row[k]
        for k, v in zip(("rules", "funds_fen", "accountable", "clues"), r[1 + n : 5 + n]):
            figures[k] += int(v or 0)
    total = {"category": None, **totals, "rate": rate(totals["completed"], totals["problems"])}
    return {"rows": rows, "total": total, "figures": _figures(figures)}


def _figures(figures: dict[str, int]) -> dict[str, Any]:
    return {
        "rules": figures["rules"],
        "funds": format(Decimal(figures["funds_fen"]) / 100, ".2f"),  # yuan, as in the problem views
        "accountable": figures["accountable"],
        "clues": figures["clues"],
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
    return [[figure_heading(k, lang), figures[k]] for k in FIGURE_KEYS]
