"""A round (轮次): the inspections one campaign made of several units, summed up per unit.

One row per inspected unit — 反馈问题, 已完成整改, 基本完成、持续整改, 申请延期整改, 未完成, 整改完成率,
自查未发现 (a problem sent to the unit for self-check that it did not find: not one of its problems), and
the figures 制度, 资金, 问责, 线索 — and the total. Each row is the inspection's own
summary (projections.summary), so a round's figures always agree with
`summary --inspection` for each of its units. The rate has two decimals, as
published round summaries print it (688 of 697 → 98.71%).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledger import vocabulary
from ledger.messages import t
from ledger.errors import UnknownID
from projections.summary import figure_heading, rate, summarise, wan_yuan

ROW_KEYS = (
    "inspection", "unit", "problems", "completed", "ongoing", "extended", "open", "overdue", "rate", "not_found",
    "rules", "funds", "accountable", "clues",
)
COUNTED = ("problems", "completed", "ongoing", "extended", "open", "overdue", "not_found")
RATE_PLACES = 1  # as every report prints 整改完成率: 88.9%, never 88.89% beside it

HEADERS = {
    "zh": {
        "inspection": "编号", "unit": "被巡察单位", "not_found": vocabulary.STATUSES["not_found"].zh, "total": "合计",
    },
    "en": {
        "inspection": "code", "unit": "inspected unit", "not_found": "not found",  # a heading in words (its cells count units answering not_found)
        "total": "total",
    },
}
for _lang, _headers in HEADERS.items():  # a count and a figure read the vocabulary's word, as every summary form says it
    _headers.update({key: vocabulary.COUNTS[key].of(_lang) for key in ("problems", "completed", "ongoing", "extended", "open", "overdue", "rate")})
    _headers.update({key: figure_heading(key, _lang) for key in vocabulary.FIGURES})


def round_names(inspections: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for i in inspections:
        if i.get("round") and i["round"] not in names:
            names.append(i["round"])
    return names


def round_inspections(cursor: Any, name: str, *, style: str = "?") -> list[dict[str, Any]]:
    """The round's inspections in register order; UnknownID when no inspection is in it."""
    from projections.status import load_inspections

    everything = load_inspections(cursor, style=style)
    found = [i for i in everything if i["round"] == name]
    if not found:
        known = round_names(everything)
        rounds = ", ".join(known) if known else t("none yet")
        raise UnknownID("round", name, t("unknown round ID: {name} (rounds: {rounds})", name=name, rounds=rounds))
    return found


def summarise_round(cursor: Any, name: str, *, today: date, style: str = "?") -> dict[str, Any]:
    """{"round", "rows": [one per inspected unit], "total"} — the JSON shape of `summary --round`."""
    rows = []
    for inspection in round_inspections(cursor, name, style=style):
        result = summarise(cursor, today=today, inspection=inspection["code"], style=style)
        total, figures = result["total"], result["figures"]
        row = {"inspection": inspection["code"], "unit": inspection["organisation"]}
        row.update({k: total[k] for k in COUNTED})
        row["rate"] = rate(row["completed"], row["problems"], RATE_PLACES)
        row.update(figures)
        rows.append(row)
    total_row: dict[str, Any] = {"inspection": None, "unit": None}
    total_row.update({k: sum(r[k] for r in rows) for k in COUNTED})
    total_row["rate"] = rate(total_row["completed"], total_row["problems"], RATE_PLACES)
    total_row.update(
        rules=sum(r["rules"] for r in rows),
        funds=format(sum((Decimal(r["funds"]) for r in rows), Decimal(0)), ".2f"),
        accountable=sum(r["accountable"] for r in rows),
        clues=sum(r["clues"] for r in rows),
    )
    return {"round": name, "rows": rows, "total": total_row}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.{RATE_PLACES}f}%"


TABLE_KEYS = ("unit", "problems", "completed", "ongoing", "extended", "open", "rate", "not_found", "rules", "funds", "accountable", "clues")


def table_rows(result: dict[str, Any], lang: str) -> list[list[Any]]:
    out = []
    for row in result["rows"] + [dict(result["total"], unit=HEADERS[lang]["total"])]:
        cells = []
        for k in TABLE_KEYS:
            value = row[k]
            if k == "rate":
                value = percent(value)
            elif k == "funds":
                value = wan_yuan(value)
            cells.append(value)
        out.append(cells)
    return out


def table_headers(lang: str) -> list[str]:
    return [HEADERS[lang][k] for k in TABLE_KEYS]


def round_paragraphs(result: dict[str, Any]) -> list[str]:
    """The round's public summary in prose: the total first, then each unit."""
    t = result["total"]
    units = len(result["rows"])
    head = (
        f"{result['round']}共巡察{units}个单位（党组织），反馈问题{t['problems']}个。截至目前，已完成整改{t['completed']}个，"
        f"基本完成、持续整改{t['ongoing']}个，申请延期整改{t['extended']}个，未完成{t['open']}个，"
        f"整改完成率{percent(t['rate'])}。"
    )
    extra = _figures_sentence(t)
    paragraphs = [head + extra]
    for r in result["rows"]:
        paragraphs.append(
            f"{r['unit']}：反馈问题{r['problems']}个，已完成整改{r['completed']}个，基本完成、持续整改{r['ongoing']}个，"
            f"申请延期整改{r['extended']}个，未完成{r['open']}个，整改完成率{percent(r['rate'])}。{_figures_sentence(r)}"
        )
    return paragraphs


def _figures_sentence(row: dict[str, Any]) -> str:
    names = vocabulary.zh(vocabulary.FIGURES)
    parts = []
    if row["rules"]:
        parts.append(f"{names['rules']}{row['rules']}项")
    if Decimal(row["funds"]):
        parts.append(f"{names['funds']}{wan_yuan(row['funds'])}万元")
    if row["accountable"]:
        parts.append(f"{names['accountable']}{row['accountable']}人")
    if row["clues"]:
        parts.append(f"{names['clues']}{row['clues']}件")
    return ("通过整改，" + "，".join(parts) + "。") if parts else ""


def build_round(
    result: dict[str, Any], *, settings: dict[str, Any], day: date, stage: str = "final"
) -> list[tuple[str, str]]:
    """The round's public summary as report blocks (projections.publication renders them)."""
    from projections.publication import closing_blocks

    word = "整改进展情况" if stage == "progress" else "整改情况"
    blocks: list[tuple[str, str]] = [("title", f"关于{result['round']}{word}的通报")]
    blocks.append(("p", f"现将{result['round']}反馈问题{word}公布如下。"))
    blocks.append(("h1", "一、总体情况"))
    paragraphs = round_paragraphs(result)
    blocks.append(("p", paragraphs[0]))
    if paragraphs[1:]:  # never an empty heading
        blocks.append(("h1", "二、各单位整改情况"))
        blocks.extend(("p", p) for p in paragraphs[1:])
    blocks.extend(closing_blocks(settings, day))
    return blocks
