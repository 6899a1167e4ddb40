-- Secondary indexes dropped for a bulk rebuild, written in the same transaction as the drop and removed in the one
-- that recreates them: if a rebuild dies in between, the next start-up recreates them from here.
CREATE TABLE vl_dropped_indexes (
    name        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL
);
