"""A round's 台账 as an office keeps it in Excel: three units × ten problems, merged cells.

`python tests/round_workbook.py` rewrites examples/round.xlsx from this.
One sheet: a merged title row, Chinese headings, each inspection's header cells
(轮次, the round all three belong to, among them) merged over its rows, 问题类别
merged over its problems, each problem's cells merged over its measure rows,
dates as real dates and as text.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

ROUND = "十届县委第十二轮巡察"
UNITS = [
    ("XC2020-12-1", "县水利局党组", "县委第一巡察组", ("2020-04-07", "2020-05-22", "2020-07-03")),
    ("XC2020-12-2", "县交通运输局党组", "县委第二巡察组", ("2020-04-08", "2020-05-25", "2020-07-06")),
    ("XC2020-12-3", "县卫生健康局党组", "县委第三巡察组", ("2020-04-09", "2020-05-27", "2020-07-08")),
]
CATEGORIES = ["党的领导方面", "全面从严治党方面", "党的建设方面"]
# (category index, title, type, measures)
PROBLEMS = [
    (0, "关于“学习贯彻上级决策部署不到位”的问题", "限期整改", ["修订理论学习中心组学习制度，每季度专题研讨不少于一次。", "建立学习台账，每次学习后形成研讨纪要。"]),
    (0, "关于“意识形态工作责任制落实不力”的问题", "限期整改", ["制定意识形态工作责任清单。", "每半年专题研判意识形态形势。", "将意识形态工作纳入班子成员述职。"]),
    (0, "关于“重大事项请示报告不及时”的问题", "立行立改", ["梳理2019年以来重大事项，补报三项。", "印发请示报告事项清单。"]),
    (1, "关于“项目资金管理不规范”的问题", "限期整改", ["对2018年以来项目资金开展专项清查。", "清退违规发放的补贴。", "修订项目资金管理办法。"]),
    (1, "关于“廉政风险防控机制不健全”的问题", "长期坚持", ["全面排查岗位廉政风险点。", "每年更新风险防控手册。"]),
    (1, "关于“公务用车管理不严格”的问题", "立行立改", ["建立公务用车使用登记制度。", "对车辆使用情况开展自查。"]),
    (1, "关于“政府采购程序不规范”的问题", "限期整改", ["修订政府采购内控制度。", "组织采购人员专题培训。"]),
    (2, "关于“基层党组织作用发挥不充分”的问题", "限期整改", ["开展“党建+”活动，每季度通报各支部工作情况。", "对软弱涣散支部逐一制定整顿方案。"]),
    (2, "关于“三会一课制度落实不严格”的问题", "立行立改", ["建立三会一课纪实台账。", "每月抽查支部会议记录。"]),
    (2, "关于“发展党员程序不规范”的问题", "限期整改", ["对近五年发展党员档案逐一复查。", "补齐缺失的程序材料。", "开展发展党员工作培训。"]),
]
PEOPLE = [("周建国", "办公室", "孙丽"), ("吴志强", "财务股", "郑敏"), ("王海", "机关党委", "陈静")]
HEADINGS = [
    "轮次", "巡察编号", "巡察名称", "被巡察单位", "巡察组", "巡察类型", "进驻时间", "结束时间", "反馈时间",
    "序号", "问题类别", "反馈问题", "整改类型", "整改时限", "责任领导", "责任单位", "责任人", "整改措施", "措施时限",
]
MERGED_PER_PROBLEM = ("序号", "反馈问题", "整改类型", "整改时限", "责任领导", "责任单位", "责任人")


def expected_measures() -> int:
    return len(UNITS) * sum(len(m) for *_, m in PROBLEMS)


def write_round_workbook(path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = "第十二轮巡察台账"
    col = {h: i for i, h in enumerate(HEADINGS, 1)}
    ws.append(["十届县委第十二轮巡察反馈问题整改台账"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    ws["A1"].font = Font(size=16, bold=True)
    ws.append(HEADINGS)
    row = 3
    for u, (code, organisation, group, (start, end, feedback)) in enumerate(UNITS):
        unit_first = row
        category_first, category = row, None
        for number, (c, title, kind, measures) in enumerate(PROBLEMS, 1):
            if CATEGORIES[c] != category:
                if category is not None and row - 1 > category_first:
                    ws.merge_cells(start_row=category_first, start_column=col["问题类别"], end_row=row - 1, end_column=col["问题类别"])
                category_first, category = row, CATEGORIES[c]
                ws.cell(row=row, column=col["问题类别"], value=category)
            lead, unit, person = PEOPLE[(number + u) % len(PEOPLE)]
            # Deadlines: real date cells for odd numbers, typed text for even ones.
            deadline = datetime(2020, 10, 31) if number % 2 else "2020-12-31"
            values = {"序号": number, "反馈问题": title, "整改类型": kind, "整改时限": deadline, "责任领导": lead, "责任单位": unit, "责任人": person}
            for name, value in values.items():
                ws.cell(row=row, column=col[name], value=value)
            first = row
            for m, text in enumerate(measures, 1):
                ws.cell(row=row, column=col["整改措施"], value=text)
                ws.cell(row=row, column=col["措施时限"], value=datetime(2020, 9, 30) if m == 1 else None)
                row += 1
            for name in MERGED_PER_PROBLEM:
                if row - 1 > first:
                    ws.merge_cells(start_row=first, start_column=col[name], end_row=row - 1, end_column=col[name])
        ws.merge_cells(start_row=category_first, start_column=col["问题类别"], end_row=row - 1, end_column=col["问题类别"])
        header = {
            "轮次": ROUND, "巡察编号": code, "巡察名称": f"{group}对{organisation}的常规巡察", "被巡察单位": organisation,
            "巡察组": group, "巡察类型": "常规", "进驻时间": datetime.fromisoformat(start), "结束时间": end,
            "反馈时间": datetime.fromisoformat(feedback),
        }
        for name, value in header.items():
            ws.cell(row=unit_first, column=col[name], value=value)
            ws.merge_cells(start_row=unit_first, start_column=col[name], end_row=row - 1, end_column=col[name])
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for c in range(1, len(HEADINGS) + 1):
        ws.column_dimensions[ws.cell(row=2, column=c).column_letter].width = 16
    book.save(path)
    return path


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "examples" / "round.xlsx"
    write_round_workbook(target)
    print(f"wrote {target}")
