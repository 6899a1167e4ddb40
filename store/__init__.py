"""Where events live: the settings that name a store, opening the ledger on SQLite or PostgreSQL (the one place that
turns settings into a live application), the PostgreSQL recorder it wires in, and the read-model migration runner.
Every layer above the domain and the writer reaches the store through here, never through ``api``."""
