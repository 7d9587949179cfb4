-- Pacing and the circuit breaker: per-instance settings, the gate the dispatcher claims
-- behind, the day's send count, engine failures in a row, and the last send to each chat.
ALTER TABLE instances ADD COLUMN settings TEXT;
ALTER TABLE instances ADD COLUMN linked_at BIGINT;
ALTER TABLE instances ADD COLUMN send_after BIGINT;
ALTER TABLE instances ADD COLUMN capped_until BIGINT;
ALTER TABLE instances ADD COLUMN pacing_day BIGINT;
ALTER TABLE instances ADD COLUMN pacing_day_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN breaker_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN paused_until BIGINT;
UPDATE instances SET linked_at = created_at WHERE linked <> 0;

ALTER TABLE messages ADD COLUMN simulate_typing BIGINT NOT NULL DEFAULT 0;

CREATE TABLE pacing_recipients (
    instance_id  TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    chat_jid     TEXT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (instance_id, chat_jid)
);
