"""Bulk import of the province's registers (enterprises, decisions, vouchers, claims, payments) from CSV or XLSX:
each row becomes a command value decided by the ledger's own rules (``run.py``)."""
