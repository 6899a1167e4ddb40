-- When a claim's money last moved (the effective time of its latest row): a later row for the claim — a payment or
-- a reversal dated back before it — is placed no earlier, so an as-of figure never shows a stage going negative.
ALTER TABLE vl_money_claims ADD COLUMN moved_us BIGINT NOT NULL DEFAULT 0;
