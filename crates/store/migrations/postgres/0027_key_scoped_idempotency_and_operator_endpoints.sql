-- An idempotent response belongs to the key that made the request, not to the whole account:
-- one key must never be answered another key's response (a webhook's once-shown secret, an
-- instance another key created). Rows from before keys were recorded keep key_id '' and only
-- block their idempotency key until they expire (24 hours): no key replays them.
ALTER TABLE idempotency_keys ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
UPDATE idempotency_keys SET body = NULL;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (account_id, key_id, idem_key);
ALTER TABLE idempotency_keys ALTER COLUMN key_id DROP DEFAULT;

-- A cloud number's own Graph API endpoint is an operator's setting: set with the admin key it
-- is trusted (an internal proxy, a test server); set by the account (when the operator allows
-- it) every call to it goes through the outbound guard. Endpoints set before this knew who
-- set them, so they count as the account's.
ALTER TABLE cloud_numbers ADD COLUMN graph_endpoint_by_operator BOOLEAN NOT NULL DEFAULT FALSE;
