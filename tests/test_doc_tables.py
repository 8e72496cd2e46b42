"""docs/tamper-evidence.md's role and meaning tables are the code's one definition (ledger/authority.py), rendered."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import ledger.authority as authority

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "tamper-evidence.md"
_spec = importlib.util.spec_from_file_location("doc_tables", ROOT / "scripts" / "doc_tables.py")
render = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render)


def test_the_document_holds_the_tables_the_code_defines():
    text = DOC.read_text(encoding="utf-8")
    assert render.document_with_tables(text) == text, "docs/tamper-evidence.md differs from ledger/authority.py: run scripts/doc_tables.py"


def test_a_change_to_the_code_shows_in_the_comparison(monkeypatch):
    """The check can fail: a role given to another act, or a meaning added, changes the rendered tables."""
    text = DOC.read_text(encoding="utf-8")
    monkeypatch.setitem(authority.ACTS, "measure-plan", authority.Act(("registrar",), "plan"))
    assert render.document_with_tables(text) != text
    monkeypatch.undo()
    monkeypatch.setitem(authority.ACTS, "measure", authority.Act(("responsible",), "done", also=("sign-off",)))
    assert render.document_with_tables(text) != text
    monkeypatch.undo()
    monkeypatch.delitem(authority.EVENT_ACTS, "Problem.Escalated")  # an event kind without an act shows as refused
    assert render.document_with_tables(text) != text
    monkeypatch.undo()
    assert render.document_with_tables(text) == text


def test_the_script_checks_and_rewrites(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "doc_tables.py"), "--check"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_the_document_gives_the_export_layout_text_exactly():
    """An auditor copies the header's `layout` from the document: it must be the text ledger writes (and no other is accepted)."""
    from ledger.export import LAYOUT

    assert f"```\n{LAYOUT}\n```" in DOC.read_text(encoding="utf-8")
