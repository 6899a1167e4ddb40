-- Settlement batches as of any time: each batch's header and one row per line event (claim added, claim paid in the
-- batch's payment, recovery raised), with effective and recorded times.
CREATE TABLE vl_batches (
    batch_id        TEXT PRIMARY KEY,
    provider_id     TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    opened_us       BIGINT  NOT NULL
);
CREATE INDEX vl_batches_provider ON vl_batches (provider_id, opened_us);

CREATE TABLE vl_batch_lines (
    position        BIGINT  NOT NULL,
    seq             INTEGER NOT NULL,
    batch_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,   -- SettlementBatch.ClaimAdded | .Paid (one row per settled claim) | .RecoveryRaised
    claim_id        TEXT    NOT NULL,
    voucher_id      TEXT,
    city            TEXT,
    amount_fen      BIGINT  NOT NULL,
    city_fen        BIGINT  NOT NULL,
    province_fen    BIGINT  NOT NULL,
    effective_us    BIGINT  NOT NULL,
    recorded_us     BIGINT  NOT NULL,
    PRIMARY KEY (position, seq)
);
CREATE INDEX vl_batch_lines_batch ON vl_batch_lines (batch_id, effective_us);

-- A claim's line in its batch (the payment event lists claim ids only).
CREATE TABLE vl_batch_line_amounts (
    claim_id        TEXT PRIMARY KEY,
    voucher_id      TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    amount_fen      BIGINT  NOT NULL,
    city_fen        BIGINT  NOT NULL,
    province_fen    BIGINT  NOT NULL
);
