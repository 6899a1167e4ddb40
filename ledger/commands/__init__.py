"""Commands of the ledger application, grouped by what they act on (one module each)."""
