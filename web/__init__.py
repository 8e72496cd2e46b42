"""The read-only web view of the ledger (`ledger serve`)."""
