-- The double-entry journal (projections/journal.py): one entry per event that moves money, keyed by its global
-- position, with at least two postings that sum to zero. A posting's amount is signed integer fen: debit positive,
-- credit negative. Each posting is one account and one fund source (the province's or the city's portion of the
-- amount), so an entry balances in total and per fund source. The entry's dimensions are copied onto its postings,
-- so a trial balance with filters is one indexed pass over one table. Times are microseconds since the epoch (UTC).
CREATE TABLE vl_journal_entries (
    position        BIGINT  NOT NULL PRIMARY KEY,
    event_type      TEXT    NOT NULL,
    effective_us    BIGINT  NOT NULL,   -- when the money moved (the same rule as vl_money_movements)
    recorded_us     BIGINT  NOT NULL,   -- when the ledger learned it
    programme_year  INTEGER NOT NULL,
    cash_year       INTEGER NOT NULL,
    city            TEXT    NOT NULL,
    fee_category    TEXT    NOT NULL,
    voucher_id      TEXT    NOT NULL,
    claim_id        TEXT,
    provider_id     TEXT
);

CREATE TABLE vl_journal_postings (
    position        BIGINT  NOT NULL,   -- the entry (vl_journal_entries.position)
    seq             INTEGER NOT NULL,   -- 0, 1, ... within the entry
    account         TEXT    NOT NULL,   -- PROGRAMME_BUDGET, CITY_BUDGET, VOUCHER_COMMITMENTS, CLAIMS_HELD, ...
    fund_source     TEXT    NOT NULL,   -- 'province' | 'city'
    amount_fen      BIGINT  NOT NULL,   -- debit > 0, credit < 0; never 0
    effective_us    BIGINT  NOT NULL,
    recorded_us     BIGINT  NOT NULL,
    programme_year  INTEGER NOT NULL,
    cash_year       INTEGER NOT NULL,
    city            TEXT    NOT NULL,
    fee_category    TEXT    NOT NULL,
    provider_id     TEXT,
    PRIMARY KEY (position, seq)
);
CREATE INDEX vl_journal_postings_effective ON vl_journal_postings (effective_us);
CREATE INDEX vl_journal_postings_city ON vl_journal_postings (city, effective_us);
CREATE INDEX vl_journal_postings_year ON vl_journal_postings (programme_year, effective_us);
CREATE INDEX vl_journal_postings_provider ON vl_journal_postings (provider_id, effective_us);

-- What a later event about a voucher or claim needs and does not carry: the journal's own copy (it runs, and is
-- rebuilt, independently of money_flows, so it cannot read vl_money_vouchers / vl_money_claims).
CREATE TABLE vl_journal_vouchers (
    voucher_id      TEXT PRIMARY KEY,
    enterprise_id   TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    programme_year  INTEGER NOT NULL,
    fee_category    TEXT    NOT NULL,
    city_share      TEXT    NOT NULL
);
CREATE TABLE vl_journal_claims (
    claim_id        TEXT PRIMARY KEY,
    voucher_id      TEXT    NOT NULL,
    provider_id     TEXT    NOT NULL,
    amount_fen      BIGINT  NOT NULL,
    stage           TEXT    NOT NULL,
    batch_id        TEXT,
    moved_us        BIGINT  NOT NULL DEFAULT 0
);
