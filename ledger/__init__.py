"""Write side of the rectification ledger: domain, application service, config, store."""
