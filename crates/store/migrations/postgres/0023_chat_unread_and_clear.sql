-- A chat the number marked unread (until it is read again), and when it deleted the chat: its
-- messages up to then (ms since the epoch) no longer show in the chat list or the chat's
-- messages; the delivery records stay in the messages list.
ALTER TABLE chat_states ADD COLUMN marked_unread BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE chat_states ADD COLUMN cleared_at BIGINT;
