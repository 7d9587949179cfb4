-- Bulk sends: the messages of one bulk request share a batch id, to be listed together.
ALTER TABLE messages ADD COLUMN batch_id TEXT;
CREATE INDEX messages_by_batch ON messages (batch_id, created_at);
