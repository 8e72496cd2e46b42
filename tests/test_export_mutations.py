"""Any single changed byte of a signed export is refused (exit 4, or 2 when line 1 is no longer an export), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.checkpoint import Trust, load_public_key
from ledger.errors import InvalidInput, TamperingFound
from ledger.export import read_export
from tests.conftest import INSPECTION, Ledger

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("mutations")
    (folder / "ledger.yaml").write_text("store: ledger.db\n", encoding="utf-8")
    ledger = Ledger(folder)
    import os

    old = os.getcwd()
    os.chdir(folder)
    try:
        ledger("init")
        ledger(*INSPECTION)
        ledger("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "思想认识不深刻", "--at", "2020-01-15")
        ledger("keygen")
        ledger("checkpoint")
        ledger("export", "--out", "log.jsonl")
    finally:
        os.chdir(old)
    return (folder / "log.jsonl").read_bytes(), load_public_key(folder / "ledger-signing.key.pub")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_single_byte_change_is_refused(exported, tmp_path, data):
    original, key = exported
    position = data.draw(st.integers(0, len(original) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
    forged = original[:position] + bytes([replacement]) + original[position + 1 :]
    path = tmp_path / "forged.jsonl"
    path.write_bytes(forged)
    with pytest.raises((TamperingFound, InvalidInput)) as caught:
        read_export(path, trust=Trust(key=key, source="test"))
    if isinstance(caught.value, InvalidInput):
        assert original.index(b"\n") >= position, "only a broken line 1 may read as 'not an export'"


def test_the_unchanged_export_verifies(exported, tmp_path):
    original, key = exported
    path = tmp_path / "log.jsonl"
    path.write_bytes(original)
    assert read_export(path, trust=Trust(key=key, source="test")).signature_note.startswith("signed by the trusted key")
