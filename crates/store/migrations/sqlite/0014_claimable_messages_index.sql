-- Claims seek an instance's due (or lease-expired) messages by status and time instead of
-- reading all of its messages; this replaces the index on (status, run_at), which no query
-- used once claims started from the instances.
DROP INDEX messages_due;
CREATE INDEX messages_claimable ON messages (instance_id, status, run_at);
