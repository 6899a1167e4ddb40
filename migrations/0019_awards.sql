-- Awards (二, 三; ledger/awards.py) move money like vouchers: money_flows and the journal give each award money event
-- (granted, paid, recovery raised, collected, written off) a row, in the award's city and programme year, under its
-- award programme. An award has no fee category: its rows carry 'AWARD:<kind>' there (e.g. AWARD:BENCHMARK_PROJECT),
-- so the per-city daily sums keep every award programme apart (projections/award_flows.py). Voucher rows have no
-- award: NULL is their truth. An award's journal entry names no voucher: '' in voucher_id.
ALTER TABLE vl_money_movements ADD COLUMN award_id TEXT;
ALTER TABLE vl_journal_entries ADD COLUMN award_id TEXT;
CREATE INDEX vl_money_movements_award ON vl_money_movements (award_id, effective_us) WHERE award_id IS NOT NULL;
