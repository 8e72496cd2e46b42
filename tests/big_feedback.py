"""A feedback list (反馈问题清单) of any length, as CSV: for the import tests and bench/import_feedback.py."""

from __future__ import annotations

from pathlib import Path

HEADER = "inspection,inspection_name,organisation,group,kind,start,end,feedback,number,category,title,type,deadline,lead,unit,person,measure,measure_due"


def write_big_csv(path: Path, n: int) -> None:
    """Inspection BIG-1 with problems 1..n, each with one measure."""
    lines = [HEADER]
    for i in range(1, n + 1):
        head = "BIG-1,大规模巡察,某局党组,第一巡察组,regular,2020-01-01,2020-02-01,2020-03-01" if i == 1 else ",,,,,,,"
        lines.append(f"{head},{i},类别{i % 7},关于“问题{i}”的问题,deadline,2020-12-31,领导{i % 13},单位{i % 17},责任人{i % 101},措施{i},2020-10-31")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
