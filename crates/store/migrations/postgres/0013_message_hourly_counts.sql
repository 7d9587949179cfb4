-- Analytics counts outbound messages per account, instance, UTC hour of creation and current
-- status. Writers only append deltas (no row is shared between concurrent writers, so no lock
-- waits or deadlocks); a background fold adds them into the hourly counts and removes them.
CREATE TABLE message_count_deltas (
    id BIGSERIAL PRIMARY KEY,
    account_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    status TEXT NOT NULL,
    delta BIGINT NOT NULL
);

-- Summaries read the deltas not yet folded by account and hour; on PostgreSQL the table also
-- holds the dead rows of recent folds until vacuum, which an index read skips.
CREATE INDEX message_count_deltas_by_account ON message_count_deltas (account_id, hour);

CREATE TABLE message_hourly_counts (
    account_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    instance_id TEXT NOT NULL,
    status TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (account_id, hour, instance_id, status)
);

-- New messages are counted by the store as it inserts them, one delta per group of a batch
-- (a trigger here would write one row per message on the hot path of accepted sends).
CREATE FUNCTION messages_count_deltas() RETURNS trigger AS $$
BEGIN
    IF OLD.direction = 'outbound' THEN
        INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta)
        VALUES (OLD.account_id, OLD.instance_id, OLD.created_at / 3600000, OLD.status, -1);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.direction = 'outbound' THEN
        INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta)
        VALUES (NEW.account_id, NEW.instance_id, NEW.created_at / 3600000, NEW.status, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER messages_counted_on_delete AFTER DELETE ON messages
FOR EACH ROW EXECUTE FUNCTION messages_count_deltas();

CREATE TRIGGER messages_counted_on_status AFTER UPDATE OF status ON messages
FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
EXECUTE FUNCTION messages_count_deltas();

INSERT INTO message_hourly_counts (account_id, hour, instance_id, status, count)
SELECT account_id, created_at / 3600000, instance_id, status, COUNT(*)
FROM messages WHERE direction = 'outbound'
GROUP BY account_id, created_at / 3600000, instance_id, status;
