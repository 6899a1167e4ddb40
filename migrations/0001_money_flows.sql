-- Money flows: one row per event that moves money (voucher, claim, quota), keyed by global position.
-- Every money figure (voucher balances, enterprise totals, per-city spend, provider receivables) is a sum over
-- these rows up to a time, so "figure X as of T" is an indexed query. Times are microseconds since the Unix epoch
-- (UTC): portable between PostgreSQL and SQLite and exact to compare. Amounts are integer fen; a *_city_fen column
-- is the city's portion of the amount beside it (the province paid the rest).
CREATE TABLE vl_money_movements (
    position        BIGINT  NOT NULL,
    seq             INTEGER NOT NULL,   -- several rows per event are allowed (not used yet: always 0)
    event_type      TEXT    NOT NULL,
    effective_us    BIGINT  NOT NULL,   -- when the money moved (see projections/money_flows.py)
    recorded_us     BIGINT  NOT NULL,   -- when the ledger learned it
    effective_day   INTEGER NOT NULL,   -- Asia/Shanghai date of effective_us as YYYYMMDD
    programme_year  INTEGER NOT NULL,   -- the voucher's (or quota's) fiscal year
    cash_year       INTEGER NOT NULL,   -- Asia/Shanghai fiscal year of the date the money moved
    city            TEXT    NOT NULL,
    fee_category    TEXT,               -- NULL for quota rows
    voucher_id      TEXT,
    claim_id        TEXT,
    enterprise_id   TEXT,
    provider_id     TEXT,
    batch_id        TEXT,
    voucher_status  TEXT,               -- set by issuance, expiry and revocation
    face_fen            BIGINT NOT NULL DEFAULT 0,
    face_city_fen       BIGINT NOT NULL DEFAULT 0,
    claimed_fen         BIGINT NOT NULL DEFAULT 0,
    claimed_city_fen    BIGINT NOT NULL DEFAULT 0,
    approved_fen        BIGINT NOT NULL DEFAULT 0,
    approved_city_fen   BIGINT NOT NULL DEFAULT 0,
    settled_fen         BIGINT NOT NULL DEFAULT 0,
    settled_city_fen    BIGINT NOT NULL DEFAULT 0,
    reversed_fen        BIGINT NOT NULL DEFAULT 0,
    reversed_city_fen   BIGINT NOT NULL DEFAULT 0,
    recovered_fen       BIGINT NOT NULL DEFAULT 0,
    recovered_city_fen  BIGINT NOT NULL DEFAULT 0,
    returned_fen        BIGINT NOT NULL DEFAULT 0,
    quota_set_fen       BIGINT NOT NULL DEFAULT 0,
    quota_used_fen      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (position, seq)
);
CREATE INDEX vl_money_movements_voucher ON vl_money_movements (voucher_id, effective_us);
CREATE INDEX vl_money_movements_enterprise ON vl_money_movements (enterprise_id, effective_us);
CREATE INDEX vl_money_movements_city ON vl_money_movements (city, effective_us);
CREATE INDEX vl_money_movements_provider ON vl_money_movements (provider_id, effective_us);

-- Daily sums of the same rows per city and per provider, so that an as-of query adds up at most one row per day
-- (and key) plus the rows of T's own day, however long the history.
CREATE TABLE vl_city_daily (
    city            TEXT    NOT NULL,
    effective_day   INTEGER NOT NULL,
    programme_year  INTEGER NOT NULL,
    cash_year       INTEGER NOT NULL,
    fee_category    TEXT    NOT NULL,   -- '' for quota rows
    face_fen            BIGINT NOT NULL DEFAULT 0,
    face_city_fen       BIGINT NOT NULL DEFAULT 0,
    claimed_fen         BIGINT NOT NULL DEFAULT 0,
    claimed_city_fen    BIGINT NOT NULL DEFAULT 0,
    approved_fen        BIGINT NOT NULL DEFAULT 0,
    approved_city_fen   BIGINT NOT NULL DEFAULT 0,
    settled_fen         BIGINT NOT NULL DEFAULT 0,
    settled_city_fen    BIGINT NOT NULL DEFAULT 0,
    reversed_fen        BIGINT NOT NULL DEFAULT 0,
    reversed_city_fen   BIGINT NOT NULL DEFAULT 0,
    recovered_fen       BIGINT NOT NULL DEFAULT 0,
    recovered_city_fen  BIGINT NOT NULL DEFAULT 0,
    returned_fen        BIGINT NOT NULL DEFAULT 0,
    quota_set_fen       BIGINT NOT NULL DEFAULT 0,
    quota_used_fen      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (city, effective_day, programme_year, cash_year, fee_category)
);

CREATE TABLE vl_provider_daily (
    provider_id     TEXT    NOT NULL,
    effective_day   INTEGER NOT NULL,
    programme_year  INTEGER NOT NULL,
    cash_year       INTEGER NOT NULL,
    fee_category    TEXT    NOT NULL,
    face_fen            BIGINT NOT NULL DEFAULT 0,
    face_city_fen       BIGINT NOT NULL DEFAULT 0,
    claimed_fen         BIGINT NOT NULL DEFAULT 0,
    claimed_city_fen    BIGINT NOT NULL DEFAULT 0,
    approved_fen        BIGINT NOT NULL DEFAULT 0,
    approved_city_fen   BIGINT NOT NULL DEFAULT 0,
    settled_fen         BIGINT NOT NULL DEFAULT 0,
    settled_city_fen    BIGINT NOT NULL DEFAULT 0,
    reversed_fen        BIGINT NOT NULL DEFAULT 0,
    reversed_city_fen   BIGINT NOT NULL DEFAULT 0,
    recovered_fen       BIGINT NOT NULL DEFAULT 0,
    recovered_city_fen  BIGINT NOT NULL DEFAULT 0,
    returned_fen        BIGINT NOT NULL DEFAULT 0,
    quota_set_fen       BIGINT NOT NULL DEFAULT 0,
    quota_used_fen      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (provider_id, effective_day, programme_year, cash_year, fee_category)
);

-- What a later event about a voucher or claim needs to know and does not carry (city, split, provider, stage).
-- Current state only; the history is in vl_money_movements.
CREATE TABLE vl_money_vouchers (
    voucher_id      TEXT PRIMARY KEY,
    enterprise_id   TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    programme_year  INTEGER NOT NULL,
    fee_category    TEXT    NOT NULL,
    city_share      TEXT    NOT NULL    -- exact decimal, as text
);
CREATE TABLE vl_money_claims (
    claim_id        TEXT PRIMARY KEY,
    voucher_id      TEXT    NOT NULL,
    provider_id     TEXT    NOT NULL,
    amount_fen      BIGINT  NOT NULL,
    stage           TEXT    NOT NULL,   -- claimed | approved | settled | rejected | reversed
    batch_id        TEXT
);
CREATE TABLE vl_money_quotas (
    quota_id        TEXT PRIMARY KEY,
    city            TEXT    NOT NULL,   -- the provider's quota rows use '' here
    provider_id     TEXT,
    programme_year  INTEGER NOT NULL,
    amount_fen      BIGINT  NOT NULL
);
