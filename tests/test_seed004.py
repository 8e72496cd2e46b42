"""The real report seeds/004 (examples/xc2019-1.yaml), entered through the CLI as the demo enters it."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_executable

EXAMPLE = REPO / "examples" / "xc2019-1.yaml"
NARRATIVE = REPO / "examples" / "xc2019-1-narrative"
EFFECTS = REPO / "examples" / "xc2019-1-effects.md"
SEED_NAME = "004_1b84de1f4776c67b.txt"

CATEGORIES = ["政治站位方面", "依法严惩方面", "综合治理方面", "组织领导方面"]
MEASURE_COUNTS = [2, 3, 2, 2, 2, 1, 1, 1, 1]


def _load_enter():
    spec = importlib.util.spec_from_file_location("demo_enter", REPO / "scripts" / "demo_enter.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo_enter = _load_enter()


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def entered(ledger, data):
    for step in demo_enter.steps(data):
        ledger(*step)
    return ledger


def _seed_text() -> str:
    """seeds/004 from the shared folder beside the checkout (a worktree sits one level deeper)."""
    for folder in REPO.parents:
        seed = folder / "shared" / "seeds" / SEED_NAME
        if seed.is_file():
            return seed.read_text(encoding="utf-8")
    pytest.skip("seeds/004 is not available beside this checkout")


# -- the example file itself ---------------------------------------------------


def test_example_holds_the_reports_structure(data):
    problems = data["problems"]
    assert data["inspection"]["code"] == "XC2019-1"
    assert [p["number"] for p in problems] == list(range(1, 10))
    assert list(dict.fromkeys(p["category"] for p in problems)) == CATEGORIES
    assert [len(p["measures"]) for p in problems] == MEASURE_COUNTS
    assert all(re.fullmatch(r"关于“[^”]+”的问题", p["title"]) for p in problems)
    assert all(m["text"].endswith("。") for p in problems for m in p["measures"])
    assert [p["number"] for p in problems if p["type"] == "long-term"] == [6]


def test_measures_rejoined_with_their_ordinals_are_the_reports_paragraphs(data):
    seed = _seed_text()
    for p in data["problems"]:
        texts = [m["text"] for m in p["measures"]]
        if len(texts) == 1:
            paragraph = texts[0]
        elif p["number"] == 5:
            paragraph = "一方面是" + texts[0] + "另一方面是" + texts[1]
        else:
            paragraph = "".join(o + t for o, t in zip(["一是", "二是", "三是"], texts))
        assert f"{p['number']}.{p['title']}。\n{paragraph}\n" in seed


def test_narratives_are_verbatim(data):
    seed = _seed_text()
    for path in (NARRATIVE / "responsibility.md", NARRATIVE / "next-steps.md", EFFECTS):
        paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        assert paragraphs
        block = "\n".join(p.strip("\n") for p in paragraphs)
        assert "\n" + block + "\n" in seed, path.name
    assert "1.强化政治担当" in (NARRATIVE / "responsibility.md").read_text(encoding="utf-8")
    steps = (NARRATIVE / "next-steps.md").read_text(encoding="utf-8")
    assert steps.startswith("目前巡察整改工作") and "3.建立长效机制" in steps and "欢迎" not in steps


# -- entered through the CLI -----------------------------------------------------


def test_every_problem_is_entered_and_signed_off(entered, data):
    rows = entered.json("status", "--inspection", "XC2019-1")
    assert [r["id"] for r in rows] == [f"XC2019-1-{n}" for n in range(1, 10)]
    assert list(dict.fromkeys(r["category"] for r in rows)) == CATEGORIES
    assert [len(r["measures"]) for r in rows] == MEASURE_COUNTS
    assert all(m["status"] == "done" for r in rows for m in r["measures"])
    assert {r["id"]: r["status"] for r in rows if r["status"] != "closed"} == {"XC2019-1-6": "ongoing"}
    assert not any(r["overdue"] for r in rows)
    # The only rules counted are the measures that say a 制度/办法 was made: problems 2, 5 and 9.
    assert {r["id"]: r["figures"]["rules"] for r in rows if r["figures"]["rules"]} == {
        "XC2019-1-2": 1, "XC2019-1-5": 1, "XC2019-1-9": 1,
    }
    assert [r["verifications"][-1]["grade"] for r in rows].count("fair") == 1
    assert rows[3]["verifications"][-1]["grade"] == "fair"


def test_show_gives_the_reports_text_and_the_people(entered, data):
    for number in (1, 6):
        yaml_problem = data["problems"][number - 1]
        view = entered.json("show", f"XC2019-1-{number}")
        assert view["title"] == yaml_problem["title"]
        assert view["category"] == yaml_problem["category"]
        assert [m["text"] for m in view["measures"]] == [m["text"] for m in yaml_problem["measures"]]
        assert [m["id"] for m in view["measures"]] == [f"M{i}" for i in range(1, len(yaml_problem["measures"]) + 1)]
        assert {k: view["assignee"][k] for k in ("lead", "unit", "person")} == {
            k: yaml_problem[k] for k in ("lead", "unit", "person")
        }
        assert all(m["completed_by"] == yaml_problem["person"] for m in view["measures"])
        assert view["verifications"][-1]["by"] == "县委巡察办"
        assert view["signoffs"][-1]["by"] == "杨荣"
    assert entered.json("show", "XC2019-1-1")["deadline"] == "2020-03-31"
    long_term = entered.json("show", "XC2019-1-6")
    assert (long_term["type"], long_term["status"], long_term["deadline"]) == ("long-term", "ongoing", None)
    assert long_term["signoffs"][-1]["outcome"] == "ongoing"


def test_history_of_problem_1_is_the_whole_life_in_order(entered):
    rows = entered.json("history", "XC2019-1-1")
    assert [r["event"] for r in rows] == [
        "Registered", "Assigned", "MeasurePlanned", "MeasurePlanned",
        "MeasureCompleted", "MeasureCompleted", "VerificationRecorded", "SignedOff",
    ]
    assert [r["actor"] for r in rows] == ["办公室登记员", "办公室登记员", "刘芳", "刘芳", "刘芳", "刘芳", "县委巡察办", "杨荣"]
    assert [r["at"][:10] for r in rows] == [
        "2020-01-15", "2020-01-16", "2020-01-20", "2020-01-20", "2020-03-10", "2020-03-10", "2020-04-10", "2020-04-20",
    ]


def test_inspection_is_registered_as_the_report_says(entered, data):
    view = entered.json("show", "XC2019-1")
    expected = {k: str(v) for k, v in data["inspection"].items()}
    assert {k: view[k] for k in expected} == expected
    assert view["name"] == "县委第一巡察组对县交通运输局党组的巡察"


# -- the demo helper with the installed executable ---------------------------------------


def test_entering_stops_with_a_clear_message_at_the_first_failure(tmp_path):
    assert run_executable("init", cwd=tmp_path).returncode == 0
    # The inspection is already there, so the helper's first command must fail.
    first = next(demo_enter.steps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))))
    assert run_executable(*first, cwd=tmp_path).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_LANG"}
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo_enter.py"), str(EXAMPLE)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert "demo_enter: stopped: `ledger add-inspection` exited 1" in result.stderr
    assert "$ ledger add-inspection XC2019-1" in result.stdout
    assert "add-problem" not in result.stdout
    status = run_executable("status", "--format", "json", cwd=tmp_path)
    assert status.returncode == 0 and status.stdout.strip() == "[]"
