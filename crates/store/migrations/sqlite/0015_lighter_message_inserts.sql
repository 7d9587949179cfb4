-- Every accepted send writes each index of `messages`; these three cost every send and served
-- little of it.
-- No query reads messages by chat any more (claims seek messages_claimable).
DROP INDEX messages_by_chat;
-- Only bulk sends have a batch, and only sent messages a WhatsApp id: single sends and queued
-- messages no longer enter these indexes.
DROP INDEX messages_by_batch;
CREATE INDEX messages_by_batch ON messages (batch_id, created_at) WHERE batch_id IS NOT NULL;
DROP INDEX messages_by_provider_id;
CREATE INDEX messages_by_provider_id ON messages (instance_id, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
