-- Recoveries (追回) collected and written off (ledger/settlement.py: SettlementBatch.RecoveryCollected and
-- .RecoveryWrittenOff). Money flows gain two stages beside recovered_fen (the recoveries raised): collected_fen
-- (money back from the provider, to the budgets of its fund sources) and written_off_fen (given up, with a reason);
-- *_city_fen is the city's portion, the province's is the rest. Outstanding = recovered − collected − written off;
-- a city's cash out = settled − collected. Existing rows hold no collection: the default 0 is their truth.
ALTER TABLE vl_money_movements ADD COLUMN collected_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_money_movements ADD COLUMN collected_city_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_money_movements ADD COLUMN written_off_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_money_movements ADD COLUMN written_off_city_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_city_daily ADD COLUMN collected_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_city_daily ADD COLUMN collected_city_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_city_daily ADD COLUMN written_off_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_city_daily ADD COLUMN written_off_city_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_provider_daily ADD COLUMN collected_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_provider_daily ADD COLUMN collected_city_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_provider_daily ADD COLUMN written_off_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vl_provider_daily ADD COLUMN written_off_city_fen BIGINT NOT NULL DEFAULT 0;

-- Settlement batch lines gain the collection and write-off rows (event_type SettlementBatch.RecoveryCollected |
-- .RecoveryWrittenOff, effective at the collection's or write-off's own time) and what each says: the bank reference
-- of a collection, the reason of a write-off (NULL on the other rows).
ALTER TABLE vl_batch_lines ADD COLUMN reference TEXT;
