//! Meta's Graph API errors, read and sorted by what the dispatcher should do about them.
//!
//! A failed call answers `{"error": {"message", "type", "code", "error_data": {"details"},
//! "error_subcode", "fbtrace_id"}}`; a failure found after acceptance arrives in a status
//! webhook as `errors: [{"code", "title", "message", "error_data": {"details"}}]`. Both are
//! read into [`GraphError`]. Meta advises deciding on `code` and reading `details`, not the
//! title; so does this module.

use serde_json::Value;

/// What a Graph API error means for the message or the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphErrorKind {
    /// Too many messages (the number's throughput, the pair rate to one recipient, the app's
    /// call rate): the same message succeeds later.
    Throttled,
    /// Meta had a passing problem (unknown error, service unavailable, a 5xx): retry.
    Unavailable,
    /// The access token or its permissions were refused: nothing this number sends can
    /// succeed until the user fixes its credentials.
    Credentials,
    /// This message will never be accepted as it is (undeliverable, outside the 24-hour
    /// window, a template that does not exist, bad parameters).
    Rejected,
}

/// One error Meta reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError {
    /// Meta's error code (`131026`, `130429`, …); 0 when the answer carried none.
    pub code: i64,
    /// Meta's message or title.
    pub message: String,
    /// `error_data.details`: Meta's explanation, when given.
    pub details: Option<String>,
}

impl GraphError {
    /// Reads the error of a failed call answered with `status`. A body that is not Meta's
    /// error shape (a proxy's page, a truncated answer) still yields an error, sorted by the
    /// HTTP status.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        match parsed.as_ref().map(|body| &body["error"]) {
            Some(error) if error.is_object() => Self::from_value(error),
            _ => Self {
                code: match status {
                    401 | 403 => 0,
                    429 => 4,
                    500.. => -1,
                    _ => -2,
                },
                message: format!(
                    "the Graph API answered HTTP {status}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ),
                details: None,
            },
        }
    }

    /// Reads one entry of a status webhook's `errors`, or a call's `error` object.
    pub fn from_value(error: &Value) -> Self {
        let message = error["message"]
            .as_str()
            .or_else(|| error["title"].as_str())
            .unwrap_or("the Graph API reported an error without a message");
        Self {
            code: error["code"].as_i64().unwrap_or(0),
            message: message.to_owned(),
            details: error["error_data"]["details"].as_str().map(str::to_owned),
        }
    }

    pub fn kind(&self) -> GraphErrorKind {
        match self.code {
            // Throughput, pair rate, app and account call rates, spam rate, registration attempts.
            4 | 80007 | 130429 | 131048 | 131056 | 133016 => GraphErrorKind::Throttled,
            // Unknown error, service unavailable, an answer that was not Meta's (a 5xx).
            -1 | 1 | 2 | 131000 | 131016 => GraphErrorKind::Unavailable,
            // Authentication, expired tokens, missing permissions.
            0 | 190 | 10 | 200..=299 => GraphErrorKind::Credentials,
            _ => GraphErrorKind::Rejected,
        }
    }

    /// `META_131026`: the code stored with a message this error failed.
    pub fn error_code(&self) -> String {
        format!("META_{}", self.code)
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.details {
            Some(details) if !self.message.contains(details.as_str()) => {
                write!(f, "{} ({}): {details}", self.message, self.code)
            }
            _ => write!(f, "{} ({})", self.message, self.code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn call_errors_are_read_from_metas_shape() {
        let body = json!({"error": {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "error_data": {"messaging_product": "whatsapp", "details": "Message failed to send because there were too many messages sent from this phone number in a short period of time"},
            "error_subcode": 2494055,
            "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
        }});
        let error = GraphError::from_response(400, body.to_string().as_bytes());
        assert_eq!(error.code, 130429);
        assert_eq!(error.kind(), GraphErrorKind::Throttled);
        assert_eq!(error.error_code(), "META_130429");
        assert!(error.to_string().contains("too many messages"), "{error}");
    }

    #[test]
    fn status_webhook_errors_are_read_too() {
        let error = GraphError::from_value(&json!({
            "code": 131047,
            "title": "Re-engagement message",
            "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}
        }));
        assert_eq!(error.kind(), GraphErrorKind::Rejected);
        assert_eq!(error.message, "Re-engagement message");
        assert!(error.to_string().contains("24 hours"));
    }

    #[test]
    fn codes_are_sorted_by_what_to_do() {
        let kind = |code| {
            GraphError {
                code,
                message: String::new(),
                details: None,
            }
            .kind()
        };
        for code in [130429, 131056, 4, 80007] {
            assert_eq!(kind(code), GraphErrorKind::Throttled, "{code}");
        }
        for code in [131000, 131016] {
            assert_eq!(kind(code), GraphErrorKind::Unavailable, "{code}");
        }
        for code in [190, 10, 200] {
            assert_eq!(kind(code), GraphErrorKind::Credentials, "{code}");
        }
        for code in [131026, 131047, 131051, 132000, 132001, 100, 131008] {
            assert_eq!(kind(code), GraphErrorKind::Rejected, "{code}");
        }
    }

    #[test]
    fn answers_that_are_not_metas_are_sorted_by_status() {
        let unavailable = GraphError::from_response(502, b"<html>Bad Gateway</html>");
        assert_eq!(unavailable.kind(), GraphErrorKind::Unavailable);
        assert!(unavailable.to_string().contains("HTTP 502"));
        assert_eq!(
            GraphError::from_response(401, b"").kind(),
            GraphErrorKind::Credentials
        );
        assert_eq!(
            GraphError::from_response(429, b"slow down").kind(),
            GraphErrorKind::Throttled
        );
        assert_eq!(
            GraphError::from_response(400, b"nope").kind(),
            GraphErrorKind::Rejected
        );
    }
}
