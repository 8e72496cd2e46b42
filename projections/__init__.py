"""Read side: views, status, history and summaries built from the ledger's events."""
