-- The whitelist is answered a page at a time, in USCC order.
CREATE INDEX vl_providers_uscc ON vl_providers (uscc, admitted_us);
