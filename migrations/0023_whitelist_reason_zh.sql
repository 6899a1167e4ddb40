-- A whitelist history row's reason in Chinese, built by the whitelist projection from the event's facts (the
-- assessment's kind and area, the assessor and report as typed, the rating, whether a pass was a reinstatement) with
-- their names from ledger/words.py, beside the English `reason` it writes. Rows projected before hold NULL and read
-- as before (projections/whitelist_reasons.py reads their English reason) until the projection is rebuilt; `check`
-- lists them until then.
ALTER TABLE vl_whitelist_history ADD COLUMN reason_zh TEXT;
