-- The email address an account registered with (seed 004's POST /auth/register, shown by
-- GET /auth/me); NULL for accounts the admin made.
ALTER TABLE accounts ADD COLUMN email TEXT;
