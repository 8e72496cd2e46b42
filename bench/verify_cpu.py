"""CPU seconds of `audit --verify --jobs 1` for a source tree on an existing ledger, beside the raw read of the same rows.

For a before/after on one ledger on a busy machine (CPU time moves far less with the load than wall time):

    .venv/bin/python bench/verify_cpu.py OLD_TREE FOLDER     # e.g. a `git archive` of the earlier commit
    .venv/bin/python bench/verify_cpu.py .        FOLDER

FOLDER holds ledger.yaml and ledger.db (bench/generate.py makes one). Run from outside the tree.
"""
from __future__ import annotations

import os
import sys
import time

tree, folder = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [tree, tree + '/tests', tree + '/bench']
from ledger.config import load_config
from composition import open_ledger, store_schema
from projections.verification import verification
import ledger.chain
assert ledger.chain.__file__.startswith(tree), ledger.chain.__file__  # the tree asked for, not the installed one
config = load_config(folder + '/ledger.yaml')
sys.path.insert(0, here)
from verify_chain import raw_read, EVENTS, LINKS, NODES, ROW_DIGESTS, PROBLEM_ROWS, INSPECTION_ROWS
store = folder + '/ledger.db'
def cpu(fn, runs=2):
    best = None
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter(); r = fn(); c, w = time.process_time() - c0, time.perf_counter() - w0
        best = (c, w, r) if best is None or c < best[0] else best
    return best
c, w, n = cpu(lambda: raw_read(store, (EVENTS, LINKS, NODES, ROW_DIGESTS, PROBLEM_ROWS, INSPECTION_ROWS)))
print(f"raw read same rows: cpu {c:.2f} s ({n/c:,.0f} ev/s), wall {w:.2f} s")
def audit():
    app = open_ledger(config)
    try:
        return verification(config, jobs=1, app=lambda: app, schema=store_schema())[0]
    finally:
        app.close()
c2, w2, rec = cpu(audit)
assert rec["derived_tables"] == "match", rec
print(f"audit --verify --jobs 1: cpu {c2:.2f} s ({n/c2:,.0f} ev/s), wall {w2:.2f} s; cpu ratio raw/audit {c/c2:.2f}x; load {os.getloadavg()[0]:.2f}")
