-- Idempotency keys of the HTTP service: the first response to a key is stored and replayed to every repeat.
-- status is NULL while the first request is still running. Keys are per caller (subject), so callers cannot collide.
CREATE TABLE vl_idempotency_keys (
    subject         TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,   -- SHA-256 of method, path and the validated body
    status          INTEGER,
    response        TEXT,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);
