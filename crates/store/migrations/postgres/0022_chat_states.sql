-- What the number set on a chat through the gateway: archived, pinned, muted until (ms since
-- the epoch). A chat without a row has none of them. Chats themselves are read from messages.
CREATE TABLE chat_states (
    instance_id  TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    chat_jid     TEXT NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    pinned       BOOLEAN NOT NULL DEFAULT FALSE,
    muted_until  BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, chat_jid)
);
