-- Eligibility decisions and their corrections (ledger/enterprise.py: Enterprise.EligibilityDecided and
-- .EligibilityCorrected), one row per event, so that "was this enterprise eligible for year Y as of T, known at K"
-- is an indexed query: of the rows in effect by T and recorded by K, the one with the highest position decides (a
-- correction supersedes what was recorded before it). Written by the audit_trail projection, beside the trail.
CREATE TABLE vl_eligibility_decisions (
    position        BIGINT  PRIMARY KEY,
    enterprise_id   TEXT    NOT NULL,
    year            INTEGER NOT NULL,
    granted         BOOLEAN NOT NULL,
    reasons         TEXT    NOT NULL,   -- refusal codes, comma-separated; empty when granted
    corrected       BOOLEAN NOT NULL,   -- a correction (superseding an earlier decision) rather than the first one
    reason          TEXT,               -- why the correction was made; NULL for a first decision
    effective_us    BIGINT  NOT NULL,
    recorded_us     BIGINT  NOT NULL,
    actor           TEXT    NOT NULL
);
CREATE INDEX vl_eligibility_decisions_enterprise ON vl_eligibility_decisions (enterprise_id, year, position);
