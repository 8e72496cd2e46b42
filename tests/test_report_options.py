"""Report options: accountability by form with zeros printed, headline numbers first or last,
and the interim report (整改进展情况) beside the final one (整改情况)."""

from __future__ import annotations

import re

PROBLEM = ["add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--at", "2020-01-15"]


def closed_with(ledger, title: str, *accountable: str) -> str:
    pid = ledger.out(*PROBLEM, "--title", title)
    ledger("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-16")
    mid = ledger.out("plan", pid, "严肃追责问责", "--at", "2020-01-17", actor="王琎")
    extra = [a for item in accountable for a in ("--accountable", item)]
    ledger("done", pid, mid, *extra, "--at", "2020-02-01", actor="王琎")
    ledger("verify", pid, "--grade", "good", "--at", "2020-02-02", actor="巡察办")
    ledger("close", pid, "--at", "2020-02-03", actor="主要负责人")
    return pid


def set_publication(ledger, **settings: str) -> None:
    config = ledger.folder / "ledger.yaml"
    text = config.read_text(encoding="utf-8")
    for key, value in settings.items():
        text, n = re.subn(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
        assert n == 1
    config.write_text(text, encoding="utf-8")


def test_accountability_by_form_prints_every_form_with_zeros(inspected):
    closed_with(inspected, "关于“违规发放津补贴”的问题", "admonition=2", "criticism=6")
    closed_with(inspected, "关于“履职不力”的问题", "referred=1")
    report = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    assert (
        "问责、处理9人（其中党纪政务处分0人、组织处理0人、诫勉谈话2人、交由纪委监委调查1人、批评教育6人）" in report
    )
    set_publication(inspected, accountability="total")
    report = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    assert "问责、处理9人。" in report and "党纪政务处分0人" not in report
    by_kind = inspected.json("show", "XC2019-1-1")["figures"]["accountable_by_kind"]
    assert by_kind == {"admonition": 2, "criticism": 6}


def test_headline_numbers_first_or_last(inspected):
    closed_with(inspected, "关于“思想认识不深刻”的问题")
    inspected(*PROBLEM, "--title", "关于“学习不深入”的问题")
    last = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    headline = "反馈问题2个，已完成整改1个，基本完成、持续整改0个，未完成1个，整改完成率50.0%。"
    assert last.index(headline) > last.index("二、整改成效")  # no narratives in this ledger: 一、 is the rectification, 二、 the effects
    set_publication(inspected, headline="first")
    first = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    assert first.index(headline) < first.index("一、巡察反馈意见整改落实情况")
    assert first.count(headline) == 1
    set_publication(inspected, headline="middle")
    assert "'publication.headline' must be first or last" in inspected("publish", "--inspection", "XC2019-1", expect=2).stderr


def test_stage_progress_is_the_interim_report(inspected):
    closed_with(inspected, "关于“思想认识不深刻”的问题")
    final = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign")
    interim = inspected.out("publish", "--inspection", "XC2019-1", "--no-sign", "--stage", "progress")
    assert final.startswith("# 县交通运输局党组关于县委第一巡察组巡察反馈意见整改情况的公布")
    assert interim.startswith("# 县交通运输局党组关于县委第一巡察组巡察反馈意见整改进展情况的公布")
    assert "现将巡察整改进展情况予以公布" in interim and "二、阶段性整改成效" in interim
    assert "截至目前，反馈问题1个" in interim
    assert "整改进展情况" not in final
    assert "Invalid value for '--stage'" in inspected("publish", "--inspection", "XC2019-1", "--stage", "draft", expect=2).stderr
