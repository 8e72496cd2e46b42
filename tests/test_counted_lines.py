"""A count of one reads in the singular in English ("1 event", "1 problem (1 measure)", "within 1 day"), where
the templates said "1 events"; the Chinese lines read as before (issue 30: plurals by tn)."""

from __future__ import annotations

from pathlib import Path

from conftest import Ledger, run_executable

ONE_PROBLEM = (
    "inspection,inspection_name,organisation,group,kind,start,end,feedback,number,category,title,type,deadline,lead,unit,person,measure\n"
    "XC2020-5,县委第五巡察组对县林业局党组的巡察,县林业局党组,县委第五巡察组,regular,2020-04-07,2020-05-22,2020-07-03,"
    "1,党的领导方面,关于“议事规则执行不严”的问题,deadline,2020-09-30,周建国,办公室,孙丽,修订党组议事规则。\n"
)


def test_a_fresh_ledgers_one_event_is_counted_in_the_singular(ledger: Ledger, tmp_path: Path) -> None:
    # `ledger init` records one event, the founding one.
    assert ledger.out("audit", "--verify").startswith("chain verified: 1 event, head 1 ")
    replayed = ledger.out("replay")
    assert replayed.startswith("replayed 1 event (1 aggregate) in ") and "(1 process)" in replayed, replayed
    export = ledger.folder / "one.jsonl"
    assert ledger.out("export", "--out", export).startswith(f"exported 1 event to {export}; head 1 ")
    assert ledger.out("verify-export", export).startswith("export verified: 1 event, head 1 ")
    assert ledger.out("due", "--within", "1").startswith("nothing overdue or due within 1 day of ")
    restored = Ledger(tmp_path / "restored")
    restored.folder.mkdir()
    restored("init")
    assert restored.out("import-log", export).startswith("imported 1 event; head 1 ")
    # The Chinese is as it was: the count's noun is part of the Chinese sentence.
    assert ledger.out("--lang", "zh", "export", "--out", ledger.folder / "zh.jsonl").startswith("已将 1 个事件导出到 ")
    assert ledger.out("--lang", "zh", "audit", "--verify").startswith("哈希链验证通过：共 1 个事件，")
    assert "1 天内到期" in ledger.out("--lang", "zh", "due", "--within", "1")


def test_an_import_of_one_problem_with_one_measure(ledger: Ledger) -> None:
    csv = ledger.folder / "one.csv"
    csv.write_text(ONE_PROBLEM, encoding="utf-8")
    assert ledger.out("import", csv) == f"{csv}: imported 1 problem (1 measure) into XC2020-5 (new inspection)"
    again = ledger.out("import", csv)
    assert again == f"{csv}: nothing new: inspection XC2020-5 and its 1 problem are already in the ledger", again


def test_chinese_import_line_unchanged_through_the_installed_command(ledger: Ledger) -> None:
    csv = ledger.folder / "one.csv"
    csv.write_text(ONE_PROBLEM, encoding="utf-8")
    done = run_executable("--lang", "zh", "import", csv, cwd=ledger.folder, env=ledger.env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{csv}：已导入问题 1 个（整改措施 1 项）到 XC2020-5（新登记巡察）"
