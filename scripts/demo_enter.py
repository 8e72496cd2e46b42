"""Enter an inspection file (the import schema, e.g. examples/xc2019-1.yaml) through the `ledger` CLI.

    .venv/bin/python scripts/demo_enter.py examples/xc2019-1.yaml

Run it in an initialised ledger folder. It plays the rectification through to
the end, one `ledger` command per act, echoing each as `$ ledger …`: the
clerk registers the inspection and its problems, the clerk assigns them, the
responsible person plans and completes each measure, 县委巡察办 verifies and
the unit's principal (杨荣, who completed no measure himself) signs off.
It stops at the first command that fails.

`steps(data)` is the command list itself; tests run the same list in-process.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

CLERK = "办公室登记员"
VERIFIER = "县委巡察办"
# The principal (单位主要负责人) signs each closure (对账销号); he completed none
# of the measures, so the separate-signer rule holds.
SIGNER = "杨荣"

# When each act happened (the report's timeline: feedback 2020-01-14, the
# rectification done in March, verified and signed off in April).
REGISTERED = "2020-01-15"
ASSIGNED = "2020-01-16"
PLANNED = "2020-01-20"
DONE = "2020-03-10"
VERIFIED = "2020-04-10"
SIGNED = "2020-04-20"

# One verification is graded 较好 rather than 好: problem 4's first measure
# repeats problem 2's, and a verifier would say so.
FAIR = {4}

# A measure whose own text says a rule (制度) or regulation (办法) was made or
# revised counts as one rule (建章立制). The report states no funds,
# accountability or clues, so none are recorded.
RULE_MADE = re.compile(r"(制定|完善|修订|建立)[^。,，]*(制度|办法)")


def _date(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def enrolment(data: dict[str, Any]) -> Iterator[list[str]]:
    """Each person gets a key pair and is enrolled with their roles by the administrator (who ran `init`)."""
    people = {CLERK: ["registrar"], VERIFIER: ["verifier"], SIGNER: ["signer"]}
    for p in data["problems"]:
        if p.get("person"):
            people.setdefault(p["person"], ["responsible"])
    for name, roles in people.items():
        yield ["person", "keygen", name]
        yield ["person", "add", name, *[x for r in roles for x in ("--role", r)]]


def steps(data: dict[str, Any]) -> Iterator[list[str]]:
    """The `ledger` commands (without the leading `ledger`) that enter `data`, in order."""
    insp = data["inspection"]
    code = str(insp["code"])
    register = [
        "add-inspection", code,
        "--name", insp["name"],
        "--organisation", insp["organisation"],
        "--group", insp["group"],
        "--kind", insp["kind"],
        "--start", _date(insp["start"]),
        "--end", _date(insp["end"]),
    ]
    if insp.get("feedback"):
        register += ["--feedback", _date(insp["feedback"])]
    yield register + ["--actor", CLERK, "--at", _date(insp.get("feedback") or insp["end"])]

    problems = data.get("problems") or []
    ident = {p["number"]: f"{code}-{p['number']}" for p in problems}

    for p in problems:
        argv = [
            "add-problem", "--inspection", code, "--number", str(p["number"]),
            "--category", p["category"], "--title", p["title"],
        ]
        if p.get("description"):
            argv += ["--description", p["description"]]
        if p.get("type"):
            argv += ["--type", p["type"]]
        if p.get("deadline"):
            argv += ["--deadline", _date(p["deadline"])]
        if p.get("source"):
            argv += ["--source", p["source"]]
        yield argv + ["--actor", CLERK, "--at", REGISTERED]

    assigned = [p for p in problems if p.get("lead") and p.get("unit") and p.get("person")]
    for p in assigned:
        yield [
            "assign", ident[p["number"]], "--lead", p["lead"], "--unit", p["unit"], "--person", p["person"],
            "--actor", CLERK, "--at", ASSIGNED,
        ]

    # Only assigned problems can be worked on; the responsible person acts.
    worked = [p for p in assigned if p.get("measures")]
    for p in worked:
        for m in p["measures"]:
            argv = ["plan", ident[p["number"]], m["text"]]
            if m.get("due"):
                argv += ["--due", _date(m["due"])]
            yield argv + ["--actor", p["person"], "--at", PLANNED]

    for p in worked:
        for n, m in enumerate(p["measures"], start=1):
            argv = ["done", ident[p["number"]], f"M{n}", "--evidence", f"{p['unit']}存档 {ident[p['number']]}/M{n}"]
            if RULE_MADE.search(m["text"]):
                argv += ["--rules", "1"]
            yield argv + ["--actor", p["person"], "--at", DONE]

    for p in worked:
        grade = "fair" if p["number"] in FAIR else "good"
        yield ["verify", ident[p["number"]], "--grade", grade, "--actor", VERIFIER, "--at", VERIFIED]

    for p in worked:
        yield ["close", ident[p["number"]], "--actor", SIGNER, "--at", SIGNED]


def ledger_executable() -> str:
    """The `ledger` installed beside this interpreter (the .venv's), else the one on PATH."""
    candidate = Path(sys.executable).parent / "ledger"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ledger")
    if not found:
        sys.exit("demo_enter: the `ledger` executable is not installed (run bash scripts/setup)")
    return found


def main(argv: list[str]) -> int:
    import yaml

    if len(argv) != 1:
        print("usage: demo_enter.py FILE.yaml   (run it in an initialised ledger folder)", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        data = yaml.safe_load(f)
    exe = ledger_executable()
    previous = None
    count = 0
    for step in [*enrolment(data), *steps(data)]:
        if step[0] != previous:
            print(f"\n# {step[0]}", flush=True)
            previous = step[0]
        print(f"$ ledger {shlex.join(step)}", flush=True)
        result = subprocess.run([exe, *step])
        if result.returncode != 0:
            print(
                f"demo_enter: stopped: `ledger {step[0]}` exited {result.returncode} "
                f"(command {count + 1}); nothing after it was entered",
                file=sys.stderr,
            )
            return result.returncode
        count += 1
    print(f"\nentered {count} commands from {argv[0]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
