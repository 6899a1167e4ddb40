-- Bitemporal answers (issue 7): "as of T, known at K" counts a row when effective_us <= T and recorded_us <= K.
-- Per-city and per-provider sums read the daily totals and take back the rows recorded after K (facts learned
-- late, few), found through these indexes.
CREATE INDEX vl_money_movements_city_recorded ON vl_money_movements (city, recorded_us);
CREATE INDEX vl_money_movements_provider_recorded ON vl_money_movements (provider_id, recorded_us);

-- Claims held after a suspension recorded late (Voucher.ClaimFlagged with held), and what ends a hold: a release
-- or a reversal. A claim is held as of T known at K when its flag counts and no release or reversal does.
CREATE TABLE vl_claim_holds (
    position        BIGINT  PRIMARY KEY,
    event_type      TEXT    NOT NULL,   -- Voucher.ClaimFlagged | Voucher.ClaimReleased | Voucher.ClaimReversed
    claim_id        TEXT    NOT NULL,
    voucher_id      TEXT    NOT NULL,
    provider_id     TEXT,               -- NULL on reversal rows (the claim id is what matters there)
    held_fen        BIGINT  NOT NULL,   -- the amount a flag holds (0 for a flag on a settled claim, and on other rows)
    effective_us    BIGINT  NOT NULL,   -- a flag: the suspension's effective time; a release: when it was recorded
    recorded_us     BIGINT  NOT NULL
);
CREATE INDEX vl_claim_holds_provider ON vl_claim_holds (provider_id, effective_us);
CREATE INDEX vl_claim_holds_claim ON vl_claim_holds (claim_id, effective_us);
