-- Stored files (uploads, media of sent and received messages) and the context of a message.
CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mimetype     TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    file_name    TEXT,
    storage_key  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX media_by_account ON media (account_id, created_at);

ALTER TABLE messages ADD COLUMN reply_to TEXT;
ALTER TABLE messages ADD COLUMN mentions TEXT;
