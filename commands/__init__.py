"""The `ledger` command line: a thin interface over `ledger/` and `projections/`."""
