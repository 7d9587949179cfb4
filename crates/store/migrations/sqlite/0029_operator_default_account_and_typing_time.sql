-- The account the admin key acts on where a dialect has no word for accounts (Evolution API's
-- single global key): created on first use, at most one.
ALTER TABLE accounts ADD COLUMN operator_default INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX accounts_one_operator_default ON accounts (operator_default) WHERE operator_default = 1;

-- How long "typing…" shows before a send when the caller said so (Evolution's `delay`, in ms);
-- NULL leaves it to simulate_typing (a time proportional to the text, or none).
ALTER TABLE messages ADD COLUMN typing_ms INTEGER;

-- How many QR codes the current linking attempt has shown (Evolution's `count`); 0 when the
-- instance shows none.
ALTER TABLE instances ADD COLUMN qr_count INTEGER NOT NULL DEFAULT 0;
