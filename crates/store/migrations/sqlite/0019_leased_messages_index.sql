-- Due messages are found through messages_due_by_instance since claims take each instance's
-- first due messages; messages_claimable (instance_id, status, run_at) was left serving only
-- the search for expired leases, yet every accepted send paid an entry in it. The leases now
-- have an index of their own that holds only messages being sent, so a send enters it when it
-- is claimed and leaves it when its result is recorded.
DROP INDEX messages_claimable;
CREATE INDEX messages_leased ON messages (instance_id, locked_until) WHERE status = 'processing';
