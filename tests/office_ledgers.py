"""台账 as offices keep them, made for the import tests (issue 25): layouts as real offices use, rows invented.

Each writer makes one file in one layout:
- soe_audit_ledger: an SOE's 审计整改台账, one header row of 33 columns, 序号 repeated, progress columns;
  soe_audit_csv: the same saved by Excel as GBK CSV;
- group_wide_ledger: a group-wide file, one 所属责任公司 per row, many companies;
- oa_ledger: an OA 巡视整改台账, merged title, 突出问题 merged down over its 具体问题, deadlines " 2019年2月";
- task_list: a 巡察整改任务清单, title row, 主要方面 merged down, 完成时间 a date or 长期坚持, 状态, 整改周期;
- two_row_header: 责任主体 merged over 责任领导 / 责任单位 / 责任人, 序号 and the rest merged down two rows;
- fill_in_line: a title, a "填报单位（盖章）：…  填报时间：…" line, then the header.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

SOE_HEADINGS = [
    "序号", "集团", "所属责任公司", "问题来源", "问题简述", "提示问题金额（万元）", "问题类型", "整改计划及措施",
    "是否整改完成", "整改目标（2023年）", "整改进展（一季度）", "整改进展（二季度）", "整改目标（2024年）",
    "整改进展（三季度）", "整改进展（四季度）", "备注", "问题编号", "问题分类", "问题明细分类", "整改责任领导",
    "整改责任人", "验收负责人", "整改完成时间", "内外部审计", "红黑榜事项", "整改完成数量", "未完成整改数量",
    "目标设定完成时间", "审计年度", "审计机构", "涉及金额是否追回", "问责情况", "佐证材料",
]
COMPANIES = ["华东能源公司", "华南物流公司", "西北建设公司", "东北装备公司", "西南电力公司", "华北置业公司", "华中贸易公司", "海外工程公司", "数字科技公司"]
# (source, summary, amount, kind, measure, class, detail class, leader, person)
SOE_PROBLEMS = [
    ("国资委全面审计", "部分工程项目未按规定履行招标程序", "356.2", "管理类", "梳理近三年工程项目，补齐招标程序，修订招标管理办法", "采购管理", "招标程序", "刘建华", "许文"),
    ("内部审计", "备用金长期挂账未及时清理", "48.5", "财务类", "逐笔核对备用金挂账，限期清收", "财务管理", "往来款项", "陈立新", "杜婷"),
    ("外部审计", "固定资产账实不符", "120", "资产类", "开展固定资产全面盘点，调整账务", "资产管理", "资产盘点", "刘建华", "韩雪"),
    ("国资委全面审计", "差旅费报销审核不严", "6.8", "财务类", "修订差旅费管理办法，开展专项检查", "财务管理", "费用报销", "陈立新", "杜婷"),
    ("内部审计", "合同履约台账不完整", "", "管理类", "建立合同履约台账，按月更新", "合同管理", "合同台账", "王志远", "罗佳"),
]


def _soe_row(number: object, company: str, i: int, done: bool) -> list[object]:
    source, summary, amount, kind, measure, cls, detail, leader, person = SOE_PROBLEMS[i % len(SOE_PROBLEMS)]
    return [
        number, "远航集团", company, source, summary, amount, kind, measure,
        "是" if done else "否", "完成整改", "已制定方案", "正在推进", "", "" if done else "完成60%", "", "", f"SJ2023-{i + 1:03d}",
        cls, detail, leader, person, "周明" if done else "", "2023-11-20" if done else "", "外部审计" if "外部" in source else "内部审计",
        "", 1 if done else 0, 0 if done else 1, "2023-12-31", "2022", "某会计师事务所", "否", "", "",
    ]


def soe_rows(companies: list[str], per_company: int) -> list[list[object]]:
    rows = []
    for c, company in enumerate(companies):
        for k in range(per_company):
            i = c * per_company + k
            # 序号 as the file has it: counted within each company, and 3 twice (a row copied and edited)
            number = 3 if k == 3 else k + 1
            rows.append(_soe_row(number, company, i, done=(i % 3 == 0)))
    return rows


def _save(rows: list[list[object]], path: Path, *, title: str | None = None, merges: list[str] = (), sheet: str = "台账") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    book.save(path)
    return path


def soe_audit_ledger(path: Path) -> Path:
    return _save([SOE_HEADINGS, *soe_rows(COMPANIES[:1], 6)], path)


def soe_audit_csv(path: Path) -> Path:
    """The same list as Excel saves it as "CSV (逗号分隔)" on Chinese Windows: GBK, CRLF."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [SOE_HEADINGS, *soe_rows(COMPANIES[:1], 6)]:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


def group_wide_ledger(path: Path, per_company: int = 28) -> Path:
    """Nine companies' rows in one file (9 × 28 = 252 rows), 序号 restarting for each."""
    return _save([SOE_HEADINGS, *soe_rows(COMPANIES, per_company)], path)


OA_HEADINGS = ["序号", "突出问题", "具体问题", "整改举措", "完成时限", "牵头领导", "牵头部门", "进展情况"]
OA_GROUPS = [
    ("一、落实全面从严治党主体责任不到位", [
        ("党组会议研究党建工作次数偏少", "制定党组年度党建工作要点，每季度专题研究一次", " 2019年2月", "李国强", "办公厅", "已制定工作要点"),
        ("基层党组织换届不及时", "对到期未换届的支部逐一督促换届", "2019年3月底", "李国强", "机关党委", "已完成3个支部换届"),
        ("谈心谈话制度落实不到位", "建立谈心谈话台账", "长期坚持", "赵文", "机关党委", ""),
    ]),
    ("二、执行中央八项规定精神不严格", [
        ("公务接待超标准", "清理2017年以来公务接待，退还超标费用", "立行立改", "赵文", "财务处", "已退还"),
        ("公车私用问题时有发生", "公务用车安装定位系统", "2019年6月", "王海", "办公厅", ""),
    ]),
]


def oa_ledger(path: Path) -> Path:
    rows: list[list[object]] = [["省发展改革委党组巡视整改台账"], OA_HEADINGS]
    merges = ["A1:H1"]
    number = 0
    for group, problems in OA_GROUPS:
        first = len(rows) + 1
        for k, (title, measure, due, leader, unit, progress) in enumerate(problems):
            number += 1
            rows.append([number, group if k == 0 else None, title, measure, due, leader, unit, progress])
        if len(problems) > 1:
            merges.append(f"B{first}:B{first + len(problems) - 1}")
    return _save(rows, path, merges=merges, sheet="Sheet1")


TASK_HEADINGS = [
    "序号", "主要方面", "发现的问题", "问题的具体内容", "原因分析", "整改措施具体内容（含措施分解）", "责任人", "责任领导",
    "举一反三情况", "完成时间", "业务主管部门会签", "状态", "下发时间", "整改周期",
]
TASK_ROWS = [
    ("党的领导", "理论学习不深入", "中心组学习以读文件为主，研讨不足", "重视不够", "每季度开展一次专题研讨", "孙丽", "周建国", "已在全系统排查", "2021-06-30", "办公室", "已完成", "2021-03-10", "短期"),
    ("党的领导", "意识形态工作落实不力", "未按要求开展意识形态形势研判", "责任不清", "建立意识形态工作责任清单；每半年研判一次", "孙丽", "周建国", "", "长期坚持", "办公室", "整改中", "2021-03-10", "长期"),
    ("全面从严治党", "廉政风险点排查不全面", "关键岗位风险点未覆盖", "机制缺失", "全面排查岗位风险点", "郑敏", "吴志强", "", "2021-09-30", "纪检组", "整改中", "2021-03-10", "短期"),
]


def task_list(path: Path) -> Path:
    rows: list[list[object]] = [["县财政局巡察整改任务清单"], TASK_HEADINGS]
    for i, (aspect, *rest) in enumerate(TASK_ROWS, 1):
        previous = TASK_ROWS[i - 2][0] if i > 1 else None
        due = rest[7]
        rest[7] = datetime.strptime(due, "%Y-%m-%d") if due[:1].isdigit() else due  # a real date cell, or 长期坚持
        rows.append([i, aspect if aspect != previous else None, *rest])
    return _save(rows, path, merges=["A1:N1", "B3:B4"])


def two_row_header(path: Path) -> Path:
    top = ["序号", "问题类别", "反馈问题", "整改措施", "整改时限", "责任主体", None, None]
    below = [None, None, None, None, None, "责任领导", "责任单位", "责任人"]
    rows = [
        ["某区巡察整改台账"], top, below,
        [1, "党的建设方面", "关于“发展党员程序不规范”的问题", "复查近五年发展党员档案", "2021-08-31", "王海", "组织部", "陈静"],
        [2, "党的建设方面", "关于“党费收缴不规范”的问题", "核对党费收缴台账", "2021-07-31", "王海", "机关党委", None],
    ]
    return _save(rows, path, merges=["A1:H1", "F2:H2", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3"])


def fill_in_line(path: Path) -> Path:
    rows = [
        ["县委巡察反馈问题整改落实情况台账"],
        ["填报单位（盖章）：县住建局党组", None, None, "填报时间：2021年5月10日"],
        ["序号", "问题类别", "反馈问题", "整改时限", "责任领导", "责任单位", "责任人"],
        [1, "作风建设方面", "关于“工程款拨付审批慢”的问题", "2021年底", "何平", "财务股", "林静"],
        [2, "作风建设方面", "关于“窗口服务不规范”的问题", "2021年9月", "何平", "办公室", "吕辉"],
    ]
    return _save(rows, path, merges=["A1:G1"])
