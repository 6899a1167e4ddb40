-- Whitelist register: every provider event that changes or explains its standing, with effective and recorded
-- times, so that "the whitelist as of T" is the latest status row of each provider with effective_us <= T.
CREATE TABLE vl_whitelist_history (
    position        BIGINT  PRIMARY KEY,
    provider_id     TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    status          TEXT,               -- the status after this event; NULL if the event did not change it
    effective_us    BIGINT  NOT NULL,
    recorded_us     BIGINT  NOT NULL,
    area            TEXT,               -- assessments
    passed          BOOLEAN,
    eliminated_year INTEGER,            -- eliminations (for that fiscal year)
    reason          TEXT,
    actor           TEXT    NOT NULL
);
CREATE INDEX vl_whitelist_history_provider ON vl_whitelist_history (provider_id, effective_us);

CREATE TABLE vl_providers (
    provider_id     TEXT PRIMARY KEY,
    uscc            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    admitted_us     BIGINT  NOT NULL,
    status          TEXT    NOT NULL,   -- current status
    status_since_us BIGINT  NOT NULL    -- effective time of the current status
);
