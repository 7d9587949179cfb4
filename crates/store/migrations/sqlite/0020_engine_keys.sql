-- The key material a WhatsApp Web session keeps (its device identity, Signal sessions and
-- pre-keys, app-state keys, LID mappings...), as opaque entries in named spaces per instance.
-- It lives in the gateway's database rather than in files, so an instance can move to another
-- node, and it goes with its instance. `stamp` is a number some spaces order or expire by.
CREATE TABLE engine_keys (
    instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    space        TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        BLOB NOT NULL,
    stamp        INTEGER,
    PRIMARY KEY (instance_id, space, key)
);
CREATE INDEX engine_keys_by_stamp ON engine_keys (instance_id, space, stamp)
    WHERE stamp IS NOT NULL;
