-- Work queues and lookups (projections/lists.py): each enterprise, voucher, claim and settlement batch once, in its
-- state as known now, keyed by its id, with the global position of the event that created it. Lists are walked in
-- that position's order (a cursor is the last position seen): a new row always lands after every existing one, so
-- a walk page by page meets every row once. Providers are listed from vl_providers (whitelist), in USCC order.
CREATE TABLE vl_list_enterprises (
    enterprise_id   TEXT PRIMARY KEY,
    position        BIGINT  NOT NULL,   -- Enterprise.Registered
    uscc            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    registered_us   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX vl_list_enterprises_position ON vl_list_enterprises (position);
CREATE INDEX vl_list_enterprises_city ON vl_list_enterprises (city, position);
CREATE INDEX vl_list_enterprises_uscc ON vl_list_enterprises (uscc);

CREATE TABLE vl_list_vouchers (
    voucher_id      TEXT PRIMARY KEY,
    position        BIGINT  NOT NULL,   -- Voucher.Issued
    enterprise_id   TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    programme_year  INTEGER NOT NULL,
    item_id         TEXT    NOT NULL,
    fee_category    TEXT    NOT NULL,
    face_value_fen  BIGINT  NOT NULL,
    status          TEXT    NOT NULL,   -- ACTIVE | EXPIRED | REVOKED
    issued_us       BIGINT  NOT NULL,
    expires_us      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX vl_list_vouchers_position ON vl_list_vouchers (position);
CREATE INDEX vl_list_vouchers_enterprise ON vl_list_vouchers (enterprise_id, position);
CREATE INDEX vl_list_vouchers_city ON vl_list_vouchers (city, position);

CREATE TABLE vl_list_claims (
    claim_id        TEXT PRIMARY KEY,
    position        BIGINT  NOT NULL,   -- Voucher.Claimed: the review queue is first come, first served
    voucher_id      TEXT    NOT NULL,
    enterprise_id   TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    programme_year  INTEGER NOT NULL,
    provider_id     TEXT    NOT NULL,
    fee_category    TEXT    NOT NULL,
    amount_fen      BIGINT  NOT NULL,
    status          TEXT    NOT NULL,   -- CLAIMED | APPROVED | REJECTED | SETTLED | REVERSED
    flagged         BOOLEAN NOT NULL,   -- covered by a suspension of its provider recorded late
    held            BOOLEAN NOT NULL,   -- held from settlement until released or reversed
    batch_id        TEXT,               -- the batch it is in (unpaid or paid); NULL when none
    claimed_us      BIGINT  NOT NULL,
    changed_us      BIGINT  NOT NULL    -- recorded time of the claim's latest event
);
CREATE UNIQUE INDEX vl_list_claims_position ON vl_list_claims (position);
CREATE INDEX vl_list_claims_status ON vl_list_claims (status, position);
CREATE INDEX vl_list_claims_provider ON vl_list_claims (provider_id, position);
CREATE INDEX vl_list_claims_enterprise ON vl_list_claims (enterprise_id, position);
CREATE INDEX vl_list_claims_city ON vl_list_claims (city, position);
CREATE INDEX vl_list_claims_voucher ON vl_list_claims (voucher_id, position);

CREATE TABLE vl_list_batches (
    batch_id        TEXT PRIMARY KEY,
    position        BIGINT  NOT NULL,   -- SettlementBatch.Opened
    provider_id     TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    status          TEXT    NOT NULL,   -- OPEN | PAID
    lines           INTEGER NOT NULL,   -- claims in the batch now (added less withdrawn)
    amount_fen      BIGINT  NOT NULL,   -- their amounts
    paid_fen        BIGINT  NOT NULL,   -- what its payment settled (0 until paid)
    opened_us       BIGINT  NOT NULL,
    paid_us         BIGINT              -- the payment's effective time
);
CREATE UNIQUE INDEX vl_list_batches_position ON vl_list_batches (position);
CREATE INDEX vl_list_batches_provider ON vl_list_batches (provider_id, position);
CREATE INDEX vl_list_batches_status ON vl_list_batches (status, position);
