-- wagate schema, PostgreSQL dialect. Timestamps are unix milliseconds; JSON is TEXT so the
-- same SQL text runs on SQLite.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE instances (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    engine          TEXT NOT NULL,
    status          TEXT NOT NULL,
    status_reason   TEXT,
    linked          BIGINT NOT NULL DEFAULT 0,
    me_phone        TEXT,
    me_jid          TEXT,
    me_push_name    TEXT,
    qr_code         TEXT,
    qr_expires_at   BIGINT,
    pairing_code    TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL,
    account_id   TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    instance_id  TEXT REFERENCES instances(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL
);

CREATE TABLE messages (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    instance_id          TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    direction            TEXT NOT NULL,
    recipient            TEXT NOT NULL,
    chat_jid             TEXT NOT NULL,
    message_type         TEXT NOT NULL,
    content              TEXT NOT NULL,
    body                 TEXT,
    status               TEXT NOT NULL,
    provider_message_id  TEXT,
    error_code           TEXT,
    error_message        TEXT,
    metadata             TEXT,
    attempts             BIGINT NOT NULL DEFAULT 0,
    run_at               BIGINT NOT NULL,
    locked_until         BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    sent_at              BIGINT,
    delivered_at         BIGINT,
    read_at              BIGINT,
    failed_at            BIGINT
);
CREATE INDEX messages_due ON messages (status, run_at);
CREATE INDEX messages_by_account ON messages (account_id, created_at);
CREATE INDEX messages_by_provider_id ON messages (instance_id, provider_message_id);

CREATE TABLE message_timeline (
    seq         BIGSERIAL PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    detail      TEXT
);
CREATE INDEX message_timeline_by_message ON message_timeline (message_id, seq);

-- The outbox: append-only, read in seq order by every consumer. Writers take an advisory
-- transaction lock before inserting, so seq order is commit order.
CREATE TABLE events (
    seq            BIGSERIAL PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    account_id     TEXT NOT NULL,
    instance_id    TEXT,
    instance_name  TEXT,
    kind           TEXT NOT NULL,
    data           TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX events_by_account ON events (account_id, seq);
