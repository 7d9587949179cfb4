-- Analytics count an account's (or an instance's) outbound messages per status and day over
-- a time range; these indexes hold every column those counts read, so they never touch rows.
CREATE INDEX messages_analytics_by_account ON messages (account_id, created_at, direction, status);
CREATE INDEX messages_analytics_by_instance ON messages (instance_id, created_at, direction, status);
