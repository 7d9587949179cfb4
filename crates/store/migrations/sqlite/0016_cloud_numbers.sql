-- The Cloud API credentials of a cloud instance, and what Meta said of the number when they
-- were last verified. One number belongs to one instance: webhooks are routed by its id.
CREATE TABLE cloud_numbers (
    instance_id          TEXT PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    phone_number_id      TEXT NOT NULL UNIQUE,
    business_account_id  TEXT,
    access_token         TEXT NOT NULL,
    app_secret           TEXT NOT NULL,
    verify_token         TEXT NOT NULL,
    display_phone_number TEXT,
    verified_name        TEXT,
    quality_rating       TEXT,
    verified_at          INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
