-- An idempotent response belongs to the key that made the request, not to the whole account:
-- one key must never be answered another key's response (a webhook's once-shown secret, an
-- instance another key created). Rows from before keys were recorded keep key_id '' and only
-- block their idempotency key until they expire (24 hours): no key replays them.
CREATE TABLE idempotency_keys_by_key (
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key_id       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status_code  INTEGER,
    content_type TEXT,
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, key_id, idem_key)
);
INSERT INTO idempotency_keys_by_key
    (account_id, key_id, idem_key, fingerprint, status_code, content_type, body, created_at)
SELECT account_id, '', idem_key, fingerprint, status_code, content_type, NULL, created_at
  FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_key RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- A cloud number's own Graph API endpoint is an operator's setting: set with the admin key it
-- is trusted (an internal proxy, a test server); set by the account (when the operator allows
-- it) every call to it goes through the outbound guard. Endpoints set before this knew who
-- set them, so they count as the account's.
ALTER TABLE cloud_numbers ADD COLUMN graph_endpoint_by_operator INTEGER NOT NULL DEFAULT 0;
