"""Render the role and meaning tables of docs/tamper-evidence.md from ledger/authority.py.

    .venv/bin/python scripts/doc_tables.py          # rewrite the document's generated part
    .venv/bin/python scripts/doc_tables.py --check  # exit 1 if the document differs from the code

tests/test_doc_tables.py fails when they differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ledger.authority import document_with_tables

DOC = Path(__file__).resolve().parent.parent / "docs" / "tamper-evidence.md"

if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    wanted = document_with_tables(text)
    if "--check" in sys.argv[1:]:
        sys.exit(0 if wanted == text else "docs/tamper-evidence.md: the generated tables differ from ledger/authority.py (run scripts/doc_tables.py)")
    DOC.write_text(wanted, encoding="utf-8")
