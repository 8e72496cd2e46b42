"""Property: no write command, given anything at all, crashes or half-writes.

Hypothesis draws each write command's arguments from valid grammars (office
dates, amounts, counts, text, existing IDs) and hostile ones (out-of-range and
malformed dates, huge and negative numbers, control and invisible characters,
unknown IDs) and runs it through click's CliRunner on a real SQLite ledger:

- the exit code is 0, 1, 2 or 3, and there is never a traceback;
- a refused command wrote nothing: event count and chain head unchanged;
- an accepted command's newest event reads back with what was typed, as the
  grammar (ledger.values) normalises it.

The budget is fixed (max_examples) so CI stays within minutes; `pytest
--hypothesis-show-statistics` prints how many of each command ended how.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
import sqlite3
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from commands.cli import cli
from ledger import values
from ledger.errors import InvalidInput

# -- the grammars ------------------------------------------------------------------

DAYS = st.dates(min_value=date(2020, 3, 2), max_value=date(2025, 12, 31))


def spelled(day: Any, form: int) -> str:
    return [
        day.isoformat(),
        f"{day.year}-{day.month}-{day.day}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
    ][form]


VALID_DATE = st.builds(spelled, DAYS, st.integers(0, 4))
HOSTILE_DATE = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "9999-12-31T23:59-05:00", "2020-13-01", "2020-02-30", "1949-12-31",
                     "2100-01-01", "20200101", "yesterday", "", " ", "2020-01-01T25:00", "2020-01-01T10:00+25:00",
                     "2020-01-01T10:00:00.1234567", "-2020-01-01", "2020年13月1日", "2020/0/1", "2020.1.1.1"]),
    st.text(max_size=30),
)
VALID_AT = st.one_of(VALID_DATE, st.builds(lambda d, h, m: f"{d.isoformat()}T{h:02d}:{m:02d}", DAYS, st.integers(0, 23), st.integers(0, 59)))
DATE = st.one_of(VALID_DATE, HOSTILE_DATE)
AT = st.one_of(VALID_AT, HOSTILE_DATE, st.just(None))

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
VALID_TEXT = st.text(alphabet=st.one_of(CJK, st.sampled_from("abcXYZ 0123“”、，。()-")), min_size=1, max_size=40).filter(lambda t: t.strip())
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["", " ", "\u200b", "\u200b\u2060\ufeff", "visible\rHIDDEN", "bell\x07", "nul\x00", "\x1b[2J", "a\u202eb",
                     "\u3000", "e\u0301", "x" * 1500, "line\nbreak", "tab\tbed", "\ud7ff", "\U0010fffd"]),
    st.text(max_size=40),
)
TEXT = st.one_of(VALID_TEXT, HOSTILE_TEXT)
BAD_COUNT = st.one_of(st.sampled_from([str(2**63), str(2**63 - 1), str(2**64), "-1", "1.5", "1e3", "", "٣", "１２"]), st.integers().map(str), TEXT)
COUNT = st.one_of(st.integers(0, 50).map(str), BAD_COUNT)
VALID_AMOUNT = st.one_of(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False).map(str), st.sampled_from(["12,000.50", "１２元"])
)
BAD_AMOUNT = st.one_of(st.sampled_from(["1e30", "1e309", "12345678901234567890123456789", "1,2,3", "NaN", "-Infinity", "-5", "0.001", ""]), TEXT)
AMOUNT = st.one_of(VALID_AMOUNT, BAD_AMOUNT)
BAD_PROBLEM = st.one_of(st.sampled_from(["XC1-6", "XC1-0", "XC9-1", "XC1-99999999999999999999", "XC1"]), TEXT)
BAD_MEASURE = st.one_of(st.sampled_from(["XC1-1/M1", "M2", "M99999999999999999999"]), TEXT)
ACTOR = st.one_of(st.sampled_from(["clerk", "王琎", "巡察办", "领导小组", "审计", "clerk", "巡察办", "领导小组"]), HOSTILE_TEXT)


def opt(name: str, strategy: st.SearchStrategy) -> st.SearchStrategy:
    """`--name value`, or nothing."""
    return st.one_of(st.just([]), strategy.map(lambda v: [name, v]))


def at_args(value: str | None) -> list[str]:
    return [] if value is None else ["--at", value]


@st.composite
def commands(draw: Any) -> tuple[str, list[str], dict[str, Any]]:
    """(command, argv, expected fields of its newest event if it is accepted, and "actor": who types it)."""
    name, argv, expected = draw(command_lines())
    hostile_actor = draw(st.integers(0, 9)) == 0
    expected["actor"] = draw(ACTOR if hostile_actor else st.sampled_from(["clerk", "王琎", "巡察办", "领导小组", "审计"]))
    return name, argv, expected


@st.composite
def command_lines(draw: Any) -> tuple[str, list[str], dict[str, Any]]:
    # Most examples are typed well, so that commands get accepted too; the rest mix in hostile values.
    hostile = draw(st.integers(0, 9)) < 4

    def pick(valid: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(valid, bad) if hostile else valid

    DATE = pick(VALID_DATE, HOSTILE_DATE)  # noqa: N806 - shadows the module's mixed grammars
    AT = pick(st.one_of(VALID_AT, st.just(None)), HOSTILE_DATE)  # noqa: N806
    TEXT = pick(VALID_TEXT, HOSTILE_TEXT)  # noqa: N806
    COUNT = pick(st.integers(0, 5).map(str), BAD_COUNT)  # noqa: N806
    AMOUNT = pick(VALID_AMOUNT, BAD_AMOUNT)  # noqa: N806
    PROBLEM = pick(st.sampled_from(["XC1-1", "XC1-2", "XC1-3", "XC1-4", "XC1-5"]), BAD_PROBLEM)  # noqa: N806
    MEASURE = pick(st.sampled_from(["M1", "m1", "XC1-2/M1"]), BAD_MEASURE)  # noqa: N806
    GRADE = pick(st.sampled_from(["good", "fair", "poor", "bad", "好", "较好", "一般", "差"]), TEXT)  # noqa: N806
    name = draw(st.sampled_from(["add-inspection", "add-problem", "assign", "plan", "done", "verify", "close", "review",
                                  "reopen", "correct", "escalate", "progress", "withhold", "sample", "import"]))
    at = draw(AT)
    if name == "add-inspection":
        code = draw(st.one_of(st.from_regex(r"XC[0-9]{1,4}-[0-9]{1,2}", fullmatch=True), TEXT))
        fields = {k: draw(TEXT) for k in ("name", "organisation", "group")}
        start = draw(DATE)
        argv = [name, code, "--name", fields["name"], "--organisation", fields["organisation"], "--group", fields["group"],
                "--kind", draw(st.sampled_from(["regular", "专项", "mobile", "weird"])), "--start", start, "--end", draw(DATE), *at_args(at)]
        return name, argv, {"name": ("short", fields["name"]), "organisation": ("name", fields["organisation"])}
    if name == "add-problem":
        title, category = draw(TEXT), draw(TEXT)
        argv = [name, "--inspection", draw(pick(st.just("XC1"), TEXT)), "--category", category, "--title", title,
                *draw(opt("--number", COUNT)), *draw(opt("--deadline", DATE)), *draw(opt("--description", TEXT)), *at_args(at)]
        return name, argv, {"title": ("short", title), "category": ("short", category)}
    problem = draw(PROBLEM)
    if name == "assign":
        people = [draw(TEXT) for _ in range(3)]
        argv = [name, problem, "--lead", people[0], "--unit", people[1], "--person", people[2], *draw(opt("--deadline", DATE)), *at_args(at)]
        return name, argv, {"lead": ("name", people[0]), "person": ("name", people[2])}
    if name == "plan":
        text = draw(TEXT)
        return name, [name, problem, text, *draw(opt("--due", DATE)), *at_args(at)], {"text": ("long", text)}
    if name == "done":
        argv = [name, problem, draw(MEASURE), *draw(opt("--rules", COUNT)), *draw(opt("--clues", COUNT)), *draw(opt("--funds", AMOUNT)),
                *draw(opt("--evidence", TEXT)), *draw(opt("--accountable", st.one_of(COUNT, COUNT.map(lambda c: f"admonition={c}"), TEXT))), *at_args(at)]
        return name, argv, {}
    if name == "verify":
        return name, [name, problem, "--grade", draw(GRADE), *draw(opt("--note", TEXT)), *at_args(at)], {}
    if name == "close":
        return name, [name, problem, *draw(opt("--note", TEXT)), *at_args(at)], {}
    if name == "review":
        flags = draw(st.sampled_from([["--holds"], ["--relapsed"], ["--holds", "--relapsed"], []]))
        note = draw(TEXT)
        return name, [name, problem, *flags, "--note", note, *at_args(at)], {"note": ("long", note)}
    if name == "reopen":
        reason = draw(TEXT)
        return name, [name, problem, "--reason", reason, *at_args(at)], {"reason": ("long", reason)}
    if name == "correct":
        field = draw(st.sampled_from(["title", "category", "description", "deadline", "M1.text", "M1.due", "type", "name", "start", "bogus"]))
        value = draw(st.one_of(TEXT, DATE))
        return name, [name, draw(st.one_of(st.just("XC1"), PROBLEM)), "--field", field, "--value", value, "--reason", draw(TEXT), *at_args(at)], {}
    if name == "escalate":
        level = draw(st.one_of(st.sampled_from(["notice", "reminder", "warning", "accountability", "督办通知书"]), TEXT))
        return name, [name, problem, "--level", level, *draw(opt("--note", TEXT)), *at_args(at)], {}
    if name == "progress":
        text = draw(TEXT)
        return name, [name, problem, text, *at_args(at)], {"text": ("long", text)}
    if name == "withhold":
        reason = draw(st.one_of(st.sampled_from(["open-case", "privacy", "国家秘密"]), TEXT))
        return name, [name, problem, "--reason", reason, *draw(opt("--field", st.one_of(st.sampled_from(["title", "M1", "measures"]), TEXT))), *at_args(at)], {}
    if name == "sample":
        return name, [name, "--inspection", draw(pick(st.just("XC1"), TEXT)), "--size", draw(COUNT), *draw(opt("--seed", COUNT)), *at_args(at)], {}
    # import: a one-problem CSV with drawn cells
    cells = [draw(st.one_of(st.just("XC7"), TEXT)), "n", "o", "g", "regular", draw(DATE), draw(DATE), "", draw(COUNT), draw(TEXT), draw(TEXT), draw(TEXT)]
    return name, [name, "@file.csv", *at_args(at)], {"csv": cells}


# -- the ledger under test ----------------------------------------------------------------


def invoke(folder: Path, argv: list[str], actor: str = "clerk") -> Any:
    env = {"LEDGER_ACTOR": None, "LEDGER_CONFIG": str(folder / "ledger.yaml"), "LEDGER_STORE": None, "LEDGER_LANG": "en"}
    return CliRunner().invoke(cli, ["--actor", actor, *argv], env=env)


def state(folder: Path) -> tuple[int, bytes | None]:
    con = sqlite3.connect(folder / "ledger.db")
    try:
        count = con.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        row = con.execute("SELECT digest FROM ledger_chain ORDER BY seq DESC LIMIT 1").fetchone()
        return count, (bytes(row[0]) if row else None)
    finally:
        con.close()


def newest_event(folder: Path) -> Any:
    from composition import open_ledger
    from ledger.config import load_config

    app = open_ledger(load_config(folder / "ledger.yaml"))
    try:
        last = app.recorder.max_notification_id()
        return app.mapper.to_domain_event(app.recorder.select_notifications(start=last, limit=1)[0])
    finally:
        app.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """XC1 (started 2020-01-01): XC1-1 closed on 2020-03-01, XC1-2 assigned with M1 planned, XC1-3 long-term and ongoing,
    XC1-4 with M1 done (to verify), XC1-5 verified (to close)."""
    folder = tmp_path_factory.mktemp("property")
    steps = [
        ["init"],
        ["add-inspection", "XC1", "--name", "巡察", "--organisation", "县交通运输局党组", "--group", "县委第一巡察组", "--kind", "regular",
         "--start", "2020-01-01", "--end", "2020-01-10", "--feedback", "2020-01-15", "--at", "2020-01-15"],
    ]
    for title, kind in (("学习不深入", "deadline"), ("制度不健全", "deadline"), ("长期坚持", "long-term"), ("台账不规范", "deadline"), ("资金管理不规范", "deadline")):
        steps.append(["add-problem", "--inspection", "XC1", "--category", "政治站位方面", "--title", title, "--type", kind, "--at", "2020-01-16"])
    for pid in ("XC1-1", "XC1-2", "XC1-3", "XC1-4", "XC1-5"):
        steps += [["assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-17"], ["plan", pid, "制定学习计划", "--at", "2020-01-17"]]
    for pid in ("XC1-1", "XC1-3"):
        steps += [["--actor", "王琎", "done", pid, "M1", "--at", "2020-02-01"], ["--actor", "巡察办", "verify", pid, "--grade", "good", "--at", "2020-02-15"],
                  ["--actor", "领导小组", "close", pid, "--at", "2020-03-01"]]
    steps += [["--actor", "王琎", "done", "XC1-4", "M1", "--at", "2020-02-01"], ["--actor", "王琎", "done", "XC1-5", "M1", "--at", "2020-02-01"],
              ["--actor", "巡察办", "verify", "XC1-5", "--grade", "good", "--at", "2020-02-15"]]
    for argv in steps:
        result = invoke(folder, argv)
        assert result.exit_code == 0, (argv, result.stderr)
    return folder


def expected_text(kind: str, typed: str) -> str:
    parse = {"short": values.short_text, "long": values.long_text, "name": values.name}[kind]
    return parse(typed, "field")


@settings(max_examples=int(os.environ.get("LEDGER_PROPERTY_EXAMPLES", "600")), deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(command=commands())
def test_every_write_command_refuses_cleanly_or_records_what_was_typed(base: Path, command: tuple[str, list[str], dict[str, Any]]) -> None:
    name, argv, expected = command
    actor = expected.pop("actor")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for file in ("ledger.yaml", "ledger.db"):
            shutil.copy(base / file, folder / file)
        if name == "import":
            import csv
            import io

            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["inspection", "inspection_name", "organisation", "group", "kind", "start", "end", "feedback", "number", "category", "title", "measure"])
            writer.writerow(expected.pop("csv"))
            (folder / "file.csv").write_text(out.getvalue(), encoding="utf-8")
            argv = [a if a != "@file.csv" else str(folder / "file.csv") for a in argv]
        before = state(folder)
        result = invoke(folder, argv, actor)
        event(f"{name}: exit {result.exit_code}")
        assert result.exception is None or isinstance(result.exception, SystemExit), (argv, repr(result.exception))
        assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        after = state(folder)
        if result.exit_code != 0:
            assert after == before, (argv, "a refused command wrote something", result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1, (argv, result.stderr)
            return
        assert after[0] > before[0] and after[1] != before[1], (argv, "accepted but nothing recorded")
        if name == "import" or name == "close":
            return
        newest = newest_event(folder)
        assert newest.actor == values.name(actor, "actor"), (argv, newest.actor)
        for field, (kind, typed) in expected.items():
            stored = getattr(newest, field, None)
            if stored is None:  # e.g. `review --relapsed` ends with the Reopened event
                continue
            assert stored == expected_text(kind, typed), (argv, field, stored)


def test_the_grammar_round_trips_what_it_accepts() -> None:
    """What the grammar accepts, it accepts again unchanged (idempotent normalisation)."""

    @settings(max_examples=300, deadline=None)
    @given(TEXT, st.sampled_from(["short", "long", "name"]))
    def check(text: str, kind: str) -> None:
        try:
            once = expected_text(kind, text)
        except InvalidInput:
            return
        assert expected_text(kind, once) == once
        assert once == once.strip() and once
        allowed = "\n\t " if kind == "long" else " "
        assert all(ch in allowed or unicodedata.category(ch) == "Zs" or not (ch.isspace() or unicodedata.category(ch) == "Cc") for ch in once), once

    check()

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(DATE, AMOUNT, COUNT, TEXT))
    def parses(text: str) -> None:
        for parse in (lambda v: values.parse_date(v, "d"), lambda v: values.parse_datetime(v, "t"), lambda v: values.parse_amount(v, "a"), lambda v: values.parse_count(v, "c")):
            try:
                parsed = parse(text)
            except InvalidInput:
                continue
            if isinstance(parsed, Decimal):
                assert parsed == values.parse_amount(parsed, "a") and parsed < values.MAX_YUAN
            elif isinstance(parsed, int):
                assert 0 <= parsed <= values.MAX_COUNT

    parses()


@given(st.text(alphabet="0123456789", min_size=1, max_size=30), st.integers(min_value=0, max_value=3))
def test_a_count_of_plain_digits_reads_as_python_reads_it_or_is_refused(text, minimum):
    """parse_count's quick path for plain ASCII digits (a 序号 read per row) agrees with the general one."""
    from ledger.errors import InvalidInput
    from ledger.values import MAX_NUMBER, parse_count

    try:
        number = parse_count(text, "number", maximum=MAX_NUMBER, minimum=minimum)
    except InvalidInput as e:
        assert int(text) < minimum or int(text) > MAX_NUMBER, e
    else:
        assert number == int(text) and minimum <= number <= MAX_NUMBER
