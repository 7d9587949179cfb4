-- The instance's contacts: names saved through the gateway or in the phone's address book
-- (`name`), and the names people show (`push_name`), learned from what they send.
CREATE TABLE contacts (
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    name        TEXT,
    push_name   TEXT,
    lid         TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (instance_id, phone)
);
