-- A name for an account's additional keys (seed 002's personal access tokens, created with
-- POST /api/v1/auth/tokens); NULL for the keys made with an account or an instance.
ALTER TABLE api_keys ADD COLUMN name TEXT;
