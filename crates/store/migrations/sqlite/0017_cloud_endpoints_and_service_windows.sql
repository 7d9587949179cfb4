-- Cloud numbers may point at another Graph API endpoint or version than the server's (tests,
-- proxies). The Cloud API lets a number write free-form only within 24 hours of the
-- customer's last message, so the last inbound message of every chat is kept at hand. An
-- account may have one default cloud instance, managed through its own credential routes.
ALTER TABLE cloud_numbers ADD COLUMN graph_base_url TEXT;
ALTER TABLE cloud_numbers ADD COLUMN graph_version TEXT;

CREATE TABLE chat_last_inbound (
    instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    chat_jid     TEXT NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, chat_jid)
);

ALTER TABLE accounts ADD COLUMN default_cloud_instance_id TEXT REFERENCES instances (id) ON DELETE SET NULL;
