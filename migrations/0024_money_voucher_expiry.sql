-- A voucher's redemption deadline (expires_us: the first instant after the deadline day, Asia/Shanghai, fixed at
-- issuance) kept by money_flows itself, from the Voucher.Issued event it already takes: a voucher's money answer
-- (GET /v1/vouchers/{id}, the export's voucher balances) tells EXPIRED past it from money_flows' own rows, where it
-- read the lists projection's vl_list_vouchers, so a rebuild of lists, or lists behind money_flows, turned an
-- expired voucher ACTIVE in the money answer. Rows projected before are filled once from that table; a voucher it
-- did not hold yet keeps NULL and reads its recorded status alone (as before) until money_flows is rebuilt.
ALTER TABLE vl_money_vouchers ADD COLUMN expires_us BIGINT;
UPDATE vl_money_vouchers SET expires_us = (
    SELECT l.expires_us FROM vl_list_vouchers l WHERE l.voucher_id = vl_money_vouchers.voucher_id
);
