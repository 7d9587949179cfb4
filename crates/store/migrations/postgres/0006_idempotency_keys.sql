-- Idempotency-Key: the first response to a request, replayed for 24 hours to a client that
-- sends the same key again. A row without status_code is a request still in progress.
CREATE TABLE idempotency_keys (
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status_code  BIGINT,
    content_type TEXT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
