"""The CLI as a user meets it: help texts, config errors, the installed executable."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from commands.cli import cli
from tests.conftest import INSPECTION, run_executable


def all_commands():
    from commands.cli import register_commands

    register_commands()
    return sorted(cli.commands.items())


def test_command_modules_name_every_command_and_only_its_module_is_loaded():
    """COMMAND_MODULES (lazy loading) matches each module's COMMANDS; running a write command imports no other command module."""
    import importlib
    import subprocess
    import sys

    from commands.cli import COMMAND_MODULES

    for module_name in set(COMMAND_MODULES.values()):
        for command in importlib.import_module(f"commands.{module_name}").COMMANDS:
            assert COMMAND_MODULES[command.name] == module_name, command.name
    assert len(COMMAND_MODULES) == len(all_commands())
    probe = (
        "import sys\n"
        "from commands.cli import cli\n"
        "try:\n    cli.main(['add-problem', '--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('commands.', 'docx', 'openpyxl', 'starlette', 'uvicorn', 'projections.publication'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    assert eval(loaded) == ["commands.cli", "commands.i18n", "commands.options", "commands.registration"], loaded


@pytest.mark.parametrize("argv", [["status"], ["status", "--format", "csv"], ["status", "--inspection", "XC2019-1"], ["summary"], ["show", "XC2019-1-1"], ["due"]])
def test_read_commands_do_not_build_the_event_classes(inspected, argv):
    """Reading the read models needs no aggregate: building ledger.domain's event classes costs ~30 ms of start-up."""
    inspected("add-problem", "--inspection", "XC2019-1", "--category", "党的建设", "--title", "问题", "--at", "2020-01-14")
    # cli.main always ends in sys.exit, so the probe cannot look at sys.modules after it: -X importtime
    # names each module as it is imported instead.
    probe = f"from commands.cli import cli\ncli.main({argv!r}, standalone_mode=False)\n"
    env = {**os.environ, **inspected.env, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True, env=env, cwd=inspected.folder)
    assert run.returncode == 0 and run.stdout.strip(), run.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "commands.cli" in imported and "ledger.domain" not in imported, f"`ledger {' '.join(argv)}` imported ledger.domain"


@pytest.mark.parametrize("name, command", all_commands())
def test_every_command_has_help_text(name, command):
    assert command.help and len(command.help.strip()) > 20, f"`ledger {name}` lacks help text"
    import click

    # A group of commands (ledger person …): each of its commands.
    paths = [[name, sub] for sub in sorted(command.commands)] if isinstance(command, click.Group) else [[name]]
    for path in paths:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0
        assert "--format" in result.stdout, f"`ledger {' '.join(path)}` lacks --format"


@pytest.mark.parametrize("name, command", all_commands())
def test_every_option_has_help_text(name, command):
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert param.help, f"`ledger {name}` option {param.opts} lacks help text"


def test_top_level_help_lists_the_commands():
    out = CliRunner().invoke(cli, ["--help"]).stdout
    for name in ("init", "add-inspection", "add-problem", "assign", "plan", "done", "verify", "close", "review", "reopen", "correct", "show", "status", "history"):
        assert name in out


def test_unknown_command_is_one_line_usage_error():
    result = CliRunner().invoke(cli, ["shwo"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "shwo" in result.stderr


def test_without_a_ledger_yaml_commands_say_run_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 2
    assert "run `ledger init` first" in result.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("store: [unclosed\n", "not valid YAML at line"),
        ("- a list\n", "must hold a mapping"),
        ("polcy:\n  separate_verifier: false\n", "unknown key 'polcy'"),
        ("policy:\n  separate_verifier: maybe\n", "must be true or false"),
        ("store: ''\n", "'store': must not be empty"),
    ],
)
def test_bad_config_is_one_line(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["status"], env={"LEDGER_CONFIG": None})
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.sqlite_only
def test_config_is_found_upward_and_store_is_relative_to_it(ledger, monkeypatch):
    ledger(*INSPECTION)
    sub = ledger.folder / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    result = CliRunner().invoke(cli, ["show", "XC2019-1", "--format", "json"], env={"LEDGER_CONFIG": None, "LEDGER_STORE": None})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "XC2019-1"


def test_init_never_overwrites(ledger):
    config = ledger.folder / "ledger.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# my edit\n", encoding="utf-8")
    ledger(*INSPECTION)
    out = ledger.out("init")
    assert "kept existing" in out
    assert config.read_text(encoding="utf-8").endswith("# my edit\n")
    assert ledger.json("show", "XC2019-1")["code"] == "XC2019-1"


def test_init_refuses_a_file_that_is_not_a_ledger(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.db").write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(cli, ["init"], env={"LEDGER_CONFIG": None, "LEDGER_STORE": None})
    assert result.exit_code == 1
    assert "not a SQLite database" in result.stderr
    assert (tmp_path / "ledger.db").read_bytes() == b"this is not sqlite" * 100


@pytest.mark.sqlite_only
def test_missing_store_says_run_init(ledger):
    (ledger.folder / "ledger.db").unlink()
    result = ledger("status", expect=1)
    assert "run `ledger init` first" in result.stderr


def test_ledger_store_env_overrides_the_config(ledger, tmp_path):
    other = tmp_path / "other.db"
    result = ledger.runner.invoke(cli, ["init"], env={"LEDGER_STORE": str(other), "LEDGER_CONFIG": str(ledger.folder / "ledger.yaml")})
    assert result.exit_code == 0, result.output
    assert other.is_file()


# -- the installed executable --------------------------------------------------------


def test_installed_executable_runs_a_lifecycle(tmp_path):
    def run(*args, actor="clerk", code=0):
        result = run_executable(*args, cwd=tmp_path, actor=actor)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result.stdout.strip()

    run("init")
    run(*INSPECTION)
    pid = run("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "关于“思想认识不深刻”的问题", "--at", "2020-01-15")
    assert pid == "XC2019-1-1"
    run("assign", pid, "--lead", "杨荣", "--unit", "办公室", "--person", "王琎", "--at", "2020-01-16")
    mid = run("plan", pid, "制定学习计划", "--at", "2020-01-20")
    run("done", pid, mid, "--evidence", "计划.pdf", "--at", "2020-03-10", actor="王琎")
    run("verify", pid, "--grade", "good", "--at", "2020-04-10", actor="巡察办")
    run("close", pid, "--at", "2020-04-20", actor="王琎", code=1)
    run("close", pid, "--at", "2020-04-20", actor="领导小组")
    assert json.loads(run("show", pid, "--format", "json"))["status"] == "closed"
    assert re.search(r"^status +closed$", run("show", pid), re.M)
    assert re.search(r"^状态 +已销号$", run("--lang", "zh", "show", pid), re.M)


def test_python_dash_m_ledger_works(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_LANG"}
    result = subprocess.run([sys.executable, "-m", "ledger", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "add-problem" in result.stdout


def test_executable_reports_user_mistakes_without_traceback(tmp_path):
    assert run_executable("init", cwd=tmp_path).returncode == 0
    result = run_executable("add-problem", "--inspection", "NOPE", "--category", "c", "--title", "t", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "ledger: error: unknown inspection ID: NOPE"
    result = run_executable("status", "--format", "yaml-ish", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    con = sqlite3.connect(tmp_path / "ledger.db")
    assert con.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] == 1  # the founding event `init` recorded, nothing more


def test_sample_ledger_yaml_in_the_repository_is_what_init_writes_and_loads():
    from ledger.config import SAMPLE, load_config
    from tests.conftest import REPO

    assert (REPO / "ledger.yaml").read_text(encoding="utf-8") == SAMPLE
    config = load_config(REPO / "ledger.yaml")
    assert config.store.endswith("ledger.db")


def test_correct_field_help_names_exactly_the_fields_correct_takes():
    """`correct --field`'s help is made from ledger/values.py's lists: a field added there is offered here."""
    from commands.lifecycle import correct
    from ledger import values

    text = next(p.help for p in correct.params if p.name == "field")
    problem, _, inspection = text.rstrip(".").partition("; ")
    assert problem.removeprefix("Problem: ").split(", ") == [*values.CORRECTABLE_PROBLEM_FIELDS, "M<n>.text", "M<n>.due"]
    assert inspection.removeprefix("inspection: ").split(", ") == list(values.CORRECTABLE_INSPECTION_FIELDS)
    assert tuple(f"M<n>.{f}" for f in values.CORRECTABLE_MEASURE_FIELDS) == ("M<n>.text", "M<n>.due")
