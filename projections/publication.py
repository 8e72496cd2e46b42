"""The public report (整改情况公布), in the structure of a real one (seeds/004).

Opening paragraph (from the inspection), 一 (narrative), 二 (generated from
the ledger, per category and problem, with each problem's completed measures),
三 (optional narrative, then the summary figures), 四 (narrative), closing,
contact, phone and date.

Withheld problems and fields (ledger withhold) are counted but their text is
replaced by WITHHELD: nothing the ledger marks confidential reaches any format.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any

from ledger import vocabulary
from ledger.values import NOT_FOUND
from projections.summary import wan_yuan

WITHHELD = "（依规不予公开）"
NUMERALS = "零一二三四五六七八九"
SENTENCE_END = ("。", "！", "？", "；", ".", "!", "?", ";", "”", "」")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (enough for categories and measures)."""
    if n < 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    if n >= 100:
        return str(n)
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def chinese_date(value: str | date) -> str:
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


def report_date(value: str | date) -> str:
    """A date as a Chinese document (the 公文, the 台账) prints it, whatever the screen's language: 2020年4月15日."""
    return chinese_date(value)


def _date_range(start: str, end: str) -> str:
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    if s.year == e.year:
        return f"{chinese_date(s)}至{e.month}月{e.day}日"
    return f"{chinese_date(s)}至{chinese_date(e)}"


def _word(inspection: dict[str, Any]) -> str:
    """巡视 or 巡察, as the inspecting group calls itself."""
    return "巡视" if "巡视" in (inspection.get("group") or "") else "巡察"


def _withheld_fields(view: dict[str, Any]) -> set[str]:
    return {f for w in view.get("withheld") or [] for f in w["fields"]}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(SENTENCE_END) else text + "。"


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’"
_HALF_PUNCTUATION = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def chinese_punctuation(text: str) -> str:
    """, ; : ? ! between Chinese characters become ，；：？！, and ( ) around Chinese text （）: a 公文's punctuation.
    Between digits or Latin letters (2020:1, a, b, 10:30) they stay as they are."""
    # The brackets first: then a mark before or after one (检查;(按季度通报)) is between Chinese characters too.
    text = re.sub(rf"\(([^()]*[{_CJK}][^()]*)\)", r"（\1）", text)
    text = re.sub(rf"(?<=[{_CJK}])\s*([,;:?!])\s*(?=[{_CJK}])", lambda m: _HALF_PUNCTUATION[m[1]], text)
    return re.sub(rf"(?<=[{_CJK}])([,;:?!])$", lambda m: _HALF_PUNCTUATION[m[1]], text)


def problem_heading(view: dict[str, Any], n: int) -> str:
    hidden = _withheld_fields(view)
    if "problem" in hidden or "title" in hidden:
        return f"{n}.{WITHHELD}"
    title = view["title"].strip().rstrip("。")
    if not title.startswith("关于"):
        if title.startswith("“") and title.endswith("”") and title.count("“") == 1:
            title = f"关于{title}的问题"  # already quoted: never quoted again
        else:  # quotes inside a quotation are single quotes: 关于“‘三会一课’落实不到位”的问题
            title = f"关于“{title.replace('“', '‘').replace('”', '’')}”的问题"
    return f"{n}.{title}。"


def child_heading(view: dict[str, Any], k: int) -> str:
    """A refined problem under its official one: (1)关于…"""
    return f"（{k}）" + problem_heading(view, k).split(".", 1)[1]


def measures_paragraph(view: dict[str, Any]) -> str | None:
    """The completed measures as one paragraph, "一是…二是…" when there are several."""
    hidden = _withheld_fields(view)
    if "problem" in hidden:
        return None
    done = [m for m in view["measures"] if m["status"] == "done"]
    if not done:
        return None
    if "measures" in hidden:
        return WITHHELD
    texts = [WITHHELD if m["id"] in hidden else _sentence(m["text"]) for m in done]
    if len(texts) == 1:
        return texts[0]
    return "".join(f"{chinese_number(i)}是{t}" for i, t in enumerate(texts, start=1))


# Accountability forms printed one by one, zeros included (政务处分 0人 …), as real reports do.
ACCOUNTABILITY_FORMS = ("discipline", "organisational", "admonition", "referred", "criticism")


def accountability_by_form(problems: list[dict[str, Any]]) -> dict[str, int]:
    """People held accountable per form over the problems' completed measures (withheld ones included)."""
    counts = dict.fromkeys(ACCOUNTABILITY_FORMS, 0)
    for view in problems:
        for kind, n in view["figures"].get("accountable_by_kind", {}).items():
            counts[kind] = counts.get(kind, 0) + int(n)
    return counts


def _accountability_text(total: int, by_form: dict[str, int] | None) -> str:
    from ledger.values import ACCOUNTABILITY_KINDS

    text = f"{vocabulary.FIGURES['accountable'].zh}{total}人"
    if by_form:
        forms = [f"{ACCOUNTABILITY_KINDS[k]}{n}人" for k, n in by_form.items() if n or k in ACCOUNTABILITY_FORMS]
        text += "（其中" + "、".join(forms) + "）"
    return text


def figures_paragraph(summary: dict[str, Any], by_form: dict[str, int] | None = None, stage: str = "final") -> str:
    """The headline numbers; `by_form`: accountability per form, printed with zeros when anyone was held accountable."""
    total, f = summary["total"], summary["figures"]
    rate = "—" if total["rate"] is None else f"{total['rate']:.1f}%"
    extended = f"申请延期整改{total['extended']}个，" if total.get("extended") else ""
    parts = [
        ("截至目前，" if stage == "progress" else "")
        + f"反馈问题{total['problems']}个，已完成整改{total['completed']}个，基本完成、持续整改{total['ongoing']}个，"
        f"{extended}未完成{total['open']}个，整改完成率{rate}。"
    ]
    if total.get("recurrences"):  # 屡查屡犯: confirmed with `ledger link --as recurrence`
        parts.append(f"反馈问题中，以前巡察反馈过的问题再次出现（屡查屡犯）{total['recurrences']}个。")
    names = vocabulary.zh(vocabulary.FIGURES)  # as the summary heads them
    extra = []
    if f["rules"]:
        extra.append(f"{names['rules']}{f['rules']}项")
    if f["funds"] and float(f["funds"]):
        extra.append(f"{names['funds']}{wan_yuan(f['funds'])}万元")
    if f["accountable"]:
        extra.append(_accountability_text(f["accountable"], by_form))
    if f["clues"]:
        extra.append(f"{names['clues']}{f['clues']}件")
    if extra:
        parts.append("通过整改，" + "，".join(extra) + "。")
    return "".join(parts)


def _paragraphs(text: str) -> list[str]:
    """A narrative file's paragraphs: each non-empty line is one."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def build(
    *,
    inspection: dict[str, Any],
    problems: list[dict[str, Any]],
    summary: dict[str, Any],
    settings: dict[str, Any],
    narratives: dict[str, str],
    day: date,
    stage: str = "final",
) -> list[tuple[str, str]]:
    """The report as blocks: ("title" | "h1" | "h2" | "p" | "sign", text).

    `stage` "progress" writes the interim 整改进展情况 instead of the final 整改情况.
    A Chinese document: its dates are Chinese (2020年4月15日) whatever language the screen speaks.
    """
    word = _word(inspection)
    org, group = inspection["organisation"], inspection["group"]
    progress = stage == "progress"
    situation = "整改进展情况" if progress else "整改情况"
    blocks: list[tuple[str, str]] = []
    title = settings.get("progress_title" if progress else "title") or f"{org}关于{group}{word}反馈意见{situation}的公布"
    blocks.append(("title", title))
    by_form = accountability_by_form(problems) if settings.get("accountability", "by-form") == "by-form" else None
    figures = figures_paragraph(summary, by_form, stage)
    headline_first = settings.get("headline") == "first"

    opening = f"根据{settings['authority']}统一部署，" if settings.get("authority") else ""
    opening += f"{_date_range(inspection['start'], inspection['end'])}，{group}对{org}进行了{word}。"
    if inspection.get("feedback"):
        opening += f"{report_date(inspection['feedback'])}，{group}向{org}反馈了{word}意见。"
    opening += f"按照党务公开原则和{word}工作有关要求，现将{word}{situation}予以公布。"
    blocks.append(("p", opening))
    if headline_first:
        blocks.append(("p", figures))

    # Each section as (heading, its blocks); a section with nothing in it is left out and the rest numbered
    # on (一、二、…), so a report without a narrative or without problems has no empty heading.
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    sections.append(("党组织履行整改主体责任情况", [("p", p) for p in _paragraphs(narratives.get("responsibility", ""))]))
    rectification: list[tuple[str, str]] = []
    categories: dict[str, list[dict[str, Any]]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    for view in problems:
        if view.get("parent"):  # a refinement (细化): printed as (1)… under its official problem
            children.setdefault(view["parent"], []).append(view)
        else:
            categories.setdefault((view.get("category") or "").strip() or "未分类", []).append(view)
    n = 0
    c = 0
    # A list without categories (all 未分类, as import files them) has no (一) heading: it would say nothing.
    headed = not set(categories) <= {"", "未分类"}
    for category, views in categories.items():
        if headed:
            c += 1
            rectification.append(("h2", f"（{chinese_number(c)}）{category}"))
        for view in views:
            n += 1
            rectification.append(("p", problem_heading(view, n)))
            measures = measures_paragraph(view)
            if measures:
                rectification.append(("p", measures))
            if "problem" in _withheld_fields(view):
                continue  # nothing of a withheld problem is printed, its refinements included
            for k, child in enumerate(children.get(view["id"], []), start=1):
                rectification.append(("p", child_heading(child, k)))
                measures = measures_paragraph(child)
                if measures:
                    rectification.append(("p", measures))
    sections.append((f"{word}反馈意见整改落实情况", rectification))
    effects = [("p", p) for p in _paragraphs(narratives.get("effects", ""))]
    if not headline_first:
        effects.append(("p", figures))
    sections.append(("阶段性整改成效" if progress else "整改成效", effects))
    sections.append(("下一步打算", [("p", p) for p in _paragraphs(narratives.get("next_steps", ""))]))
    number = 0
    for heading, content in sections:
        if not any(text.strip() for _, text in content):
            continue
        number += 1
        blocks.append(("h1", f"{chinese_number(number)}、{heading}"))
        blocks.extend(content)
    blocks.extend(closing_blocks(settings, day))
    return blocks


def closing_blocks(settings: dict[str, Any], day: date) -> list[tuple[str, str]]:
    """What ends every public report: the closing sentence, 联系人, 联系电话 and the date."""
    blocks = []
    if settings.get("closing"):
        blocks.append(("p", settings["closing"].strip()))
    if settings.get("contact"):
        blocks.append(("sign", f"联系人：{settings['contact']}"))
    if settings.get("phone"):
        blocks.append(("sign", f"联系电话：{settings['phone']}"))
    blocks.append(("sign", report_date(day)))
    return blocks


def render_markdown(blocks: list[tuple[str, str]]) -> str:
    marks = {"title": "# ", "h1": "## ", "h2": "### "}
    return "\n\n".join(marks.get(kind, "") + text for kind, text in blocks) + "\n"


def render_text(blocks: list[tuple[str, str]]) -> str:
    lines = []
    for kind, text in blocks:
        lines.append(text)
        if kind == "title":
            lines.append("")
    return "\n".join(lines) + "\n"


_CSS = """
@page { size: A4; margin: 2.5cm 2.2cm; }
body { font-family: "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", "SimSun", serif;
       font-size: 16pt; line-height: 1.8; max-width: 42em; margin: 2em auto; color: #000; }
h1 { font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center;
     font-weight: bold; margin: 0 0 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 0.6em 0 0; }
h3 { font-family: "KaiTi", "楷体", "Noto Serif CJK SC", serif; font-size: 16pt; font-weight: normal; margin: 0.4em 0 0; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.sign { text-align: right; text-indent: 0; }
h2, h3 { page-break-after: avoid; break-after: avoid; }
p { orphans: 2; widows: 2; }
"""


def render_html(blocks: list[tuple[str, str]]) -> str:
    title = next((text for kind, text in blocks if kind == "title"), "")
    tags = {"title": "h1", "h1": "h2", "h2": "h3", "p": "p"}
    body = []
    for kind, text in blocks:
        if kind == "sign":
            body.append(f'<p class="sign">{html.escape(text)}</p>')
        else:
            tag = tags[kind]
            body.append(f"<{tag}>{html.escape(text)}</{tag}>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


RENDERERS = {"markdown": render_markdown, "text": render_text, "html": render_html}


# -- the report as `ledger publish` writes it (before any checkpoint) --------------


def narratives(config: Any, settings: dict[str, Any]) -> dict[str, str]:
    """The narrative sections' texts, from the files ledger.yaml names."""
    from ledger.errors import ConfigError

    texts = {}
    for key in ("responsibility", "effects", "next_steps"):
        name = settings.get(key)
        if not name:
            texts[key] = ""
            continue
        path = config.resolve_path(str(name))
        from ledger.errors import InvalidInput
        from ledger.inputs import read_regular_text

        try:
            texts[key] = read_regular_text(path, f"publication.{key}")
        except InvalidInput as e:
            raise ConfigError(str(e)) from None
    return texts


def publication_day(settings: dict[str, Any], as_of: datetime | None) -> date:
    from ledger import values
    from ledger.errors import ConfigError, InvalidInput

    value = settings.get("date")
    if isinstance(value, date):
        return value
    if value:
        try:
            return values.parse_date(str(value), "publication.date")
        except InvalidInput as e:
            raise ConfigError(str(e)) from None
    return as_of.astimezone().date() if as_of is not None else date.today()


def check_inspection(reader: Any, code: str) -> dict[str, Any]:
    """The inspection's view, or UnknownID."""
    from ledger.errors import UnknownID
    from projections.status import load_inspection

    found = load_inspection(reader.cursor, code, style=reader.style)
    if found is None:
        raise UnknownID("inspection", code)
    return found


def withheld_now(app: Any, inspection: str) -> dict[str, list[Any]]:
    """Each problem's withholding decisions as they stand now."""
    from projections.status import load_problems

    with app.recorder.reading() as c:
        views = load_problems(c, style=app.recorder.placeholder, today=date.today(), inspection=inspection)
    return {v["id"]: v.get("withheld") or [] for v in views}


def report(
    app: Any, config: Any, *, inspection: str, fmt: str, as_of: datetime | None = None, stage: str = "final", lang: str = "zh"
) -> str:
    """The public report of an inspection in `fmt` (markdown, html or text), without a checkpoint.

    `stage` "progress": the interim 整改进展情况 instead of the final 整改情况. The report is a Chinese document
    whatever `lang` the reader's screen speaks (taken, and not used, for callers that still pass it).
    """
    return RENDERERS[fmt](report_blocks(app, config, inspection=inspection, as_of=as_of, stage=stage))


def report_blocks(
    app: Any, config: Any, *, inspection: str, as_of: datetime | None = None, stage: str = "final"
) -> list[tuple[str, str]]:
    """The public report's blocks (see `build`), which every format renders: markdown, html, text, docx."""
    from projections.replay import StateReader
    from projections.status import load_problems
    from projections.summary import summarise

    settings = dict(config.section("publication"))
    texts = narratives(config, settings)
    day = publication_day(settings, as_of)
    with StateReader(app, as_of, inspection=inspection, checked=True) as r:
        found = check_inspection(r, inspection)
        problems = load_problems(r.cursor, style=r.style, today=r.today, inspection=inspection)
        result = summarise(r.cursor, today=r.today, inspection=inspection, style=r.style)
    # 自查未发现: a problem sent for self-check that the unit did not find is none of its problems (as summary counts)
    problems = [v for v in problems if v["status"] != NOT_FOUND]
    if as_of is not None:
        # A decision to withhold binds every publication, including one of an earlier state.
        withheld = withheld_now(app, inspection)
        problems = [dict(v, withheld=withheld.get(v["id"], [])) for v in problems]
    return build(inspection=found, problems=problems, summary=result, settings=settings, narratives=texts, day=day, stage=stage)


def round_report(
    app: Any, config: Any, *, name: str, fmt: str, as_of: datetime | None = None, stage: str = "final", progress: Any = None
) -> str:
    """A round's public summary (轮次) in `fmt`, without a checkpoint."""
    return RENDERERS[fmt](round_report_blocks(app, config, name=name, as_of=as_of, stage=stage, progress=progress))


def round_report_blocks(
    app: Any, config: Any, *, name: str, as_of: datetime | None = None, stage: str = "final", progress: Any = None
) -> list[tuple[str, str]]:
    """A round's public summary as report blocks (every format renders them, docx included).

    `progress(done, total)`: how far the check of every row (or the rebuild as of a moment) is."""
    from projections.replay import StateReader
    from projections.rounds import build_round, summarise_round

    settings = dict(config.section("publication"))
    day = publication_day(settings, as_of)
    with StateReader(app, as_of, checked=True, progress=progress) as r:
        result = summarise_round(r.cursor, name, today=r.today, style=r.style)
    return build_round(result, settings=settings, day=day, stage=stage)
