-- The working calendars a publicity list's objection window was counted on (ledger/publicity.py, PublicityList.Opened
-- v2): JSON [{"year":2021,"version":2}] on LISTED rows, version 1 being a calendar as first recorded and each
-- revision adding one. NULL on every other row, and on lists published before lists recorded it (their events do
-- not say, and the upcast reads None): a store projected before this migration needs no rebuild.
ALTER TABLE vl_publicity ADD COLUMN calendars TEXT;
