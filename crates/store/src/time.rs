//! Timestamps are stored as unix milliseconds on both backends.

use chrono::{DateTime, TimeZone, Utc};

pub fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}
