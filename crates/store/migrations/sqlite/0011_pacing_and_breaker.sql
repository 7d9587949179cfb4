-- Pacing and the circuit breaker: per-instance settings, the gate the dispatcher claims
-- behind, the day's send count, engine failures in a row, and the last send to each chat.
ALTER TABLE instances ADD COLUMN settings TEXT;
ALTER TABLE instances ADD COLUMN linked_at INTEGER;
ALTER TABLE instances ADD COLUMN send_after INTEGER;
ALTER TABLE instances ADD COLUMN capped_until INTEGER;
ALTER TABLE instances ADD COLUMN pacing_day INTEGER;
ALTER TABLE instances ADD COLUMN pacing_day_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN breaker_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN paused_until INTEGER;
UPDATE instances SET linked_at = created_at WHERE linked <> 0;

ALTER TABLE messages ADD COLUMN simulate_typing INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pacing_recipients (
    instance_id  TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    chat_jid     TEXT NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, chat_jid)
);
