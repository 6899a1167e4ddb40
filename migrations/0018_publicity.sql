-- Publicity lists (公示, ledger/publicity.py): one row per listed claim when a list is published, one per objection
-- and ruling, one when the list is closed (claim_id ''), so that "the public list of a period as of T, known at K"
-- is a fold over the rows counted by projections/bitemporal.py. Each act takes effect when the ledger records it
-- (a publication or an objection is an act in the ledger), so effective_us = recorded_us. Written by the
-- audit_trail projection, beside the trail.
CREATE TABLE vl_publicity (
    position        BIGINT  NOT NULL,
    claim_id        TEXT    NOT NULL,   -- '' on the row that closes the list
    list_id         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,   -- LISTED | OBJECTION | UPHELD | SUSTAINED | CLOSED
    year            INTEGER,            -- year, period, window: on LISTED rows
    period          TEXT,
    voucher_id      TEXT,
    provider_id     TEXT,
    enterprise_id   TEXT,
    city            TEXT,
    amount_fen      BIGINT,
    objection_no    INTEGER,            -- the objection's number on the list (OBJECTION)
    objector        TEXT,               -- who objects, as they named themselves (OBJECTION)
    reason          TEXT,               -- the objection's or the ruling's reason
    window_ends_us  BIGINT,
    effective_us    BIGINT  NOT NULL,
    recorded_us     BIGINT  NOT NULL,
    actor           TEXT    NOT NULL,
    PRIMARY KEY (position, claim_id)
);
CREATE INDEX vl_publicity_list ON vl_publicity (list_id, position);
