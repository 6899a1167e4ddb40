-- Monthly sums of money_flows' rows per city and per provider, beside the daily ones: an as-of query adds the months
-- before T's month, the days of T's month before T's day (vl_*_daily) and T's own day's rows, so it reads ~40 rows
-- per key over the programme's years instead of one per day (a busy provider had ~1,700 daily rows over ~1,200
-- heap pages at 1M events: bench/README.md, "As-of queries"). Filled from the daily sums, which hold the same
-- amounts: a store projected before this migration answers the same figures without a rebuild.
CREATE TABLE vl_city_monthly (
    city            TEXT    NOT NULL,
    effective_month INTEGER NOT NULL,   -- YYYYMM of the Shanghai day (effective_day / 100)
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
    collected_fen       BIGINT NOT NULL DEFAULT 0,
    collected_city_fen  BIGINT NOT NULL DEFAULT 0,
    written_off_fen     BIGINT NOT NULL DEFAULT 0,
    written_off_city_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (city, effective_month, programme_year, cash_year, fee_category)
);

CREATE TABLE vl_provider_monthly (
    provider_id     TEXT    NOT NULL,
    effective_month INTEGER NOT NULL,   -- YYYYMM of the Shanghai day (effective_day / 100)
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
    collected_fen       BIGINT NOT NULL DEFAULT 0,
    collected_city_fen  BIGINT NOT NULL DEFAULT 0,
    written_off_fen     BIGINT NOT NULL DEFAULT 0,
    written_off_city_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (provider_id, effective_month, programme_year, cash_year, fee_category)
);

INSERT INTO vl_city_monthly (
    city, effective_month, programme_year, cash_year, fee_category, face_fen, face_city_fen, claimed_fen,
    claimed_city_fen, approved_fen, approved_city_fen, settled_fen, settled_city_fen, reversed_fen,
    reversed_city_fen, recovered_fen, recovered_city_fen, returned_fen, quota_set_fen, quota_used_fen,
    collected_fen, collected_city_fen, written_off_fen, written_off_city_fen
)
SELECT
    city, effective_day / 100, programme_year, cash_year, fee_category, SUM(face_fen), SUM(face_city_fen),
    SUM(claimed_fen), SUM(claimed_city_fen), SUM(approved_fen), SUM(approved_city_fen), SUM(settled_fen),
    SUM(settled_city_fen), SUM(reversed_fen), SUM(reversed_city_fen), SUM(recovered_fen), SUM(recovered_city_fen),
    SUM(returned_fen), SUM(quota_set_fen), SUM(quota_used_fen), SUM(collected_fen), SUM(collected_city_fen),
    SUM(written_off_fen), SUM(written_off_city_fen)
FROM vl_city_daily GROUP BY city, effective_day / 100, programme_year, cash_year, fee_category;

INSERT INTO vl_provider_monthly (
    provider_id, effective_month, programme_year, cash_year, fee_category, face_fen, face_city_fen, claimed_fen,
    claimed_city_fen, approved_fen, approved_city_fen, settled_fen, settled_city_fen, reversed_fen,
    reversed_city_fen, recovered_fen, recovered_city_fen, returned_fen, quota_set_fen, quota_used_fen,
    collected_fen, collected_city_fen, written_off_fen, written_off_city_fen
)
SELECT
    provider_id, effective_day / 100, programme_year, cash_year, fee_category, SUM(face_fen), SUM(face_city_fen),
    SUM(claimed_fen), SUM(claimed_city_fen), SUM(approved_fen), SUM(approved_city_fen), SUM(settled_fen),
    SUM(settled_city_fen), SUM(reversed_fen), SUM(reversed_city_fen), SUM(recovered_fen), SUM(recovered_city_fen),
    SUM(returned_fen), SUM(quota_set_fen), SUM(quota_used_fen), SUM(collected_fen), SUM(collected_city_fen),
    SUM(written_off_fen), SUM(written_off_city_fen)
FROM vl_provider_daily GROUP BY provider_id, effective_day / 100, programme_year, cash_year, fee_category;
