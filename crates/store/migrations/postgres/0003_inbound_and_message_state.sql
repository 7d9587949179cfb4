-- Who sent an inbound message, and what happened to a message after it was sent.
ALTER TABLE messages ADD COLUMN sender TEXT;
ALTER TABLE messages ADD COLUMN sender_lid TEXT;
ALTER TABLE messages ADD COLUMN push_name TEXT;
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
ALTER TABLE messages ADD COLUMN revoked_at BIGINT;
ALTER TABLE messages ADD COLUMN pinned_until BIGINT;

-- A repeated delivery of the same inbound message changes nothing.
CREATE UNIQUE INDEX messages_inbound_once ON messages (instance_id, provider_message_id)
    WHERE direction = 'inbound';
CREATE INDEX messages_by_chat ON messages (instance_id, chat_jid, created_at);

-- The current reaction of each party to a message ('me' for the instance's own).
CREATE TABLE message_reactions (
    message_id  TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    emoji       TEXT NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (message_id, actor)
);
