-- The deliverer claims each endpoint's due deliveries in order; this index makes that claim
-- read only the rows it takes, however long the backlog.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, status, next_attempt_at);
