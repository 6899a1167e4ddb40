"""The write path for many commands at once: a unit of work that decides commands against in-memory aggregates and
commits them together, the group-commit writer that serves concurrent callers with it, the id filter of a writer that
started on an empty store, the year-end expiry run that sends one command per open voucher
(year_end_run.py), and (library_internals.py) every use of eventsourcing's internals those need.

The commands in ``ledger`` reach it only through ``ledger.commands.store_access.StoreAccess``, which it implements."""
