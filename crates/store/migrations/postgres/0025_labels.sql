-- WhatsApp Business labels of an instance, as created through the gateway or synced from the
-- number's devices, and the chats each is on. A chat may carry a label whose definition has
-- not synced yet, so chat_labels does not reference labels.
CREATE TABLE labels (
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    label_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    color       INTEGER NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, label_id)
);
CREATE TABLE chat_labels (
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    label_id    TEXT NOT NULL,
    chat_jid    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, label_id, chat_jid)
);
