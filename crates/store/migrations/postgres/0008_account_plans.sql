-- Plans set each account's API request limit per minute.
ALTER TABLE accounts ADD COLUMN plan TEXT NOT NULL DEFAULT 'unlimited';
