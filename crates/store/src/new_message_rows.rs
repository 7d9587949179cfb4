//! New outbound messages written as one JSON array a statement.
//!
//! Group-committed sends arrive in batches of any size. Multi-row `VALUES` statements either
//! change their text with the row count (and miss the prepared-statement cache) or, split into
//! fixed chunks, cost several round trips to the database per table. A JSON array bound as one
//! parameter keeps one statement text per table, prepared once, and one round trip per table
//! whatever the batch's size.

use serde::Serialize;

/// A `messages` row (and its first timeline entry) as the insert statements read it.
#[derive(Serialize)]
pub(crate) struct NewMessageRow<'a> {
    pub id: String,
    pub account_id: &'a str,
    pub instance_id: &'a str,
    pub direction: &'static str,
    pub recipient: &'a str,
    pub chat_jid: &'a str,
    pub message_type: &'static str,
    pub content: &'a str,
    pub body: String,
    pub status: &'static str,
    pub metadata: Option<&'a str>,
    pub run_at: i64,
    pub reply_to: Option<&'a str>,
    pub mentions: Option<&'a str>,
    pub status_post: Option<&'a str>,
    pub batch_id: Option<&'a str>,
    pub simulate_typing: i64,
    pub typing_ms: Option<i64>,
}

/// `$1`: the rows as a JSON array; `$2`: the time they were created (ms).
pub(crate) const SQLITE_INSERT_MESSAGES: &str = "INSERT INTO messages (id, account_id, instance_id,
        direction, recipient, chat_jid, message_type, content, body, status, metadata, attempts,
        run_at, created_at, updated_at, reply_to, mentions, batch_id, simulate_typing, typing_ms, status_post)
    SELECT value ->> 'id', value ->> 'account_id', value ->> 'instance_id',
        value ->> 'direction', value ->> 'recipient', value ->> 'chat_jid',
        value ->> 'message_type', value ->> 'content', value ->> 'body', value ->> 'status',
        value ->> 'metadata', 0, value ->> 'run_at', $2, $2, value ->> 'reply_to',
        value ->> 'mentions', value ->> 'batch_id', value ->> 'simulate_typing',
        value ->> 'typing_ms', value ->> 'status_post'
    FROM json_each($1)";

pub(crate) const POSTGRES_INSERT_MESSAGES: &str = "INSERT INTO messages (id, account_id,
        instance_id, direction, recipient, chat_jid, message_type, content, body, status,
        metadata, attempts, run_at, created_at, updated_at, reply_to, mentions, batch_id,
        simulate_typing, typing_ms, status_post)
    SELECT id, account_id, instance_id, direction, recipient, chat_jid, message_type, content,
        body, status, metadata, 0, run_at, $2, $2, reply_to, mentions, batch_id, simulate_typing,
        typing_ms, status_post
    FROM jsonb_to_recordset($1::jsonb) AS r(id TEXT, account_id TEXT, instance_id TEXT,
        direction TEXT, recipient TEXT, chat_jid TEXT, message_type TEXT, content TEXT,
        body TEXT, status TEXT, metadata TEXT, run_at BIGINT, reply_to TEXT, mentions TEXT,
        batch_id TEXT, simulate_typing BIGINT, typing_ms BIGINT, status_post TEXT)";

/// The first timeline entry of each row of the same array, in the array's order.
pub(crate) const SQLITE_INSERT_TIMELINE: &str =
    "INSERT INTO message_timeline (message_id, status, at)
    SELECT value ->> 'id', value ->> 'status', $2 FROM json_each($1) ORDER BY key";

pub(crate) const POSTGRES_INSERT_TIMELINE: &str =
    "INSERT INTO message_timeline (message_id, status, at)
    SELECT value ->> 'id', value ->> 'status', $2
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(value, n) ORDER BY n";
