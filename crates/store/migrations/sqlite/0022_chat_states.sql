-- What the number set on a chat through the gateway: archived, pinned, muted until (ms since
-- the epoch), disappearing messages (seconds, 0 off). A chat without a row has none of them. Chats themselves are read from messages.
CREATE TABLE chat_states (
    instance_id  TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    chat_jid     TEXT NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    pinned       BOOLEAN NOT NULL DEFAULT FALSE,
    disappearing_seconds INTEGER NOT NULL DEFAULT 0,
    muted_until  INTEGER,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, chat_jid)
);
