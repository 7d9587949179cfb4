//! How a webhook endpoint wants its deliveries written.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The body format of a webhook endpoint. Every format is fed by the same outbox, routing,
/// retries, delivery log and replay; only the body (and, for some, the URL) differ.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// wagate's own envelope, signed per Standard Webhooks.
    #[default]
    Native,
    /// Evolution API's envelope (`{event, instance, data, destination, date_time, sender,
    /// server_url, apikey}`) with its event names and Baileys-shaped data.
    Evolution,
    /// whatsapi.cc's status webhook (seed 004): `{event: "message.status_updated", timestamp,
    /// data: {messageId, status, to, deliveredAt, readAt, failedAt, errorMessage, metadata}}`.
    Whatsapi,
    /// Seed 002's session webhook: `{event, sessionId, timestamp, data}` with its event names
    /// (`message.received`, `message.sent`, `session.connected`, `session.disconnected`).
    Sessions,
}

impl WebhookFormat {
    pub const ALL: [WebhookFormat; 4] = [
        Self::Native,
        Self::Evolution,
        Self::Whatsapi,
        Self::Sessions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Evolution => "evolution",
            Self::Whatsapi => "whatsapi",
            Self::Sessions => "sessions",
        }
    }
}

impl FromStr for WebhookFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|format| format.as_str() == s)
            .ok_or_else(|| {
                format!("unknown webhook format '{s}' (native, evolution, whatsapi or sessions)")
            })
    }
}

impl std::fmt::Display for WebhookFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_through_their_names_and_serde() {
        for format in WebhookFormat::ALL {
            assert_eq!(format.as_str().parse::<WebhookFormat>(), Ok(format));
            assert_eq!(serde_json::to_value(format).unwrap(), format.as_str());
            let back: WebhookFormat = serde_json::from_value(format.as_str().into()).unwrap();
            assert_eq!(back, format);
        }
        assert!("Evolution".parse::<WebhookFormat>().is_err());
        assert_eq!(WebhookFormat::default(), WebhookFormat::Native);
    }
}
