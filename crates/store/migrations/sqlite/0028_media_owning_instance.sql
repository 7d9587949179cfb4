-- The instance a file belongs to: the one whose key uploaded it, that sent it or that received
-- it. NULL is the account's own (uploaded with the account key). An instance key reaches only
-- its instance's files; when an instance is deleted its files pass to the account.
ALTER TABLE media ADD COLUMN instance_id TEXT REFERENCES instances(id) ON DELETE SET NULL;
CREATE INDEX media_by_instance ON media (instance_id);
