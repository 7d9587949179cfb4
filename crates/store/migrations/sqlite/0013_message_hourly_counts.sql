-- Analytics counts outbound messages per account, instance, UTC hour of creation and current
-- status. Writers only append deltas (no row is shared between concurrent writers, so no lock
-- waits); a background fold adds them into the hourly counts and removes them.
CREATE TABLE message_count_deltas (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    status TEXT NOT NULL,
    delta INTEGER NOT NULL
);

-- Summaries read the deltas not yet folded by account and hour; on PostgreSQL the table also
-- holds the dead rows of recent folds until vacuum, which an index read skips.
CREATE INDEX message_count_deltas_by_account ON message_count_deltas (account_id, hour);

CREATE TABLE message_hourly_counts (
    account_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    instance_id TEXT NOT NULL,
    status TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (account_id, hour, instance_id, status)
);

-- New messages are counted by the store as it inserts them, one delta per group of a batch
-- (a trigger here would write one row per message on the hot path of accepted sends).

CREATE TRIGGER messages_counted_on_status AFTER UPDATE OF status ON messages
WHEN NEW.direction = 'outbound' AND NEW.status <> OLD.status
BEGIN
    INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta)
    VALUES (OLD.account_id, OLD.instance_id, OLD.created_at / 3600000, OLD.status, -1),
           (NEW.account_id, NEW.instance_id, NEW.created_at / 3600000, NEW.status, 1);
END;

CREATE TRIGGER messages_counted_on_delete AFTER DELETE ON messages
WHEN OLD.direction = 'outbound'
BEGIN
    INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta)
    VALUES (OLD.account_id, OLD.instance_id, OLD.created_at / 3600000, OLD.status, -1);
END;

INSERT INTO message_hourly_counts (account_id, hour, instance_id, status, count)
SELECT account_id, created_at / 3600000, instance_id, status, COUNT(*)
FROM messages WHERE direction = 'outbound'
GROUP BY account_id, created_at / 3600000, instance_id, status;
