//! Messages as the gateway handles them, and the status machine every message follows.
//!
//! A status never moves backwards: a late `delivered` receipt after `read` is ignored, and
//! nothing follows a terminal `failed` or `cancelled` except an explicit retry. A dry run is
//! stored `simulated`, terminal from the start: nothing ever sends it.

use crate::address::Recipient;
use crate::content::{Mention, MessageContent};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a message is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Queued,
    Scheduled,
    Processing,
    Retrying,
    Sent,
    Delivered,
    Read,
    Played,
    Failed,
    Cancelled,
    /// A dry run: validated and recorded like a send, never handed to WhatsApp.
    Simulated,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 11] = [
        Self::Queued,
        Self::Scheduled,
        Self::Processing,
        Self::Retrying,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Played,
        Self::Failed,
        Self::Cancelled,
        Self::Simulated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Scheduled => "scheduled",
            Self::Processing => "processing",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Played => "played",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Simulated => "simulated",
        }
    }

    /// How far along the delivery path a status is; terminal statuses have none.
    fn progress(self) -> Option<u8> {
        match self {
            Self::Queued | Self::Scheduled => Some(0),
            Self::Processing | Self::Retrying => Some(1),
            Self::Sent => Some(2),
            Self::Delivered => Some(3),
            Self::Read => Some(4),
            Self::Played => Some(5),
            Self::Failed | Self::Cancelled | Self::Simulated => None,
        }
    }

    pub fn is_terminal(self) -> bool {
        self.progress().is_none()
    }

    /// Whether a message in `self` may move to `next` (receipts arriving out of order are
    /// refused here rather than rewinding the message).
    pub fn can_move_to(self, next: MessageStatus) -> bool {
        let Some(current) = self.progress() else {
            return false;
        };
        match next {
            Self::Failed => current <= 2,
            Self::Cancelled => current == 0,
            Self::Simulated => false,
            _ => {
                let target = next.progress().unwrap_or(0);
                target > current || (current == target && self != next)
            }
        }
    }
}

impl FromStr for MessageStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown message status '{s}'"))
    }
}

/// A message a user asked the gateway to send, fully validated.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboundMessage {
    pub to: Recipient,
    pub content: MessageContent,
    /// Quote this message (by wagate's id or WhatsApp's).
    pub reply_to: Option<String>,
    pub mentions: Vec<Mention>,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Who sees a status (story); `None` for any other message.
    pub status_post: Option<crate::StatusPost>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageStatus::*;

    #[test]
    fn statuses_only_move_forward() {
        assert!(Queued.can_move_to(Processing));
        assert!(Processing.can_move_to(Sent));
        assert!(Processing.can_move_to(Retrying));
        assert!(Retrying.can_move_to(Processing));
        assert!(Sent.can_move_to(Read));
        assert!(Delivered.can_move_to(Read));
        assert!(!Read.can_move_to(Delivered));
        assert!(!Delivered.can_move_to(Sent));
        assert!(!Sent.can_move_to(Sent));
        assert!(Processing.can_move_to(Failed));
        assert!(!Read.can_move_to(Failed));
        assert!(!Failed.can_move_to(Sent));
        assert!(Scheduled.can_move_to(Cancelled));
        assert!(!Sent.can_move_to(Cancelled));
        assert!(!Queued.can_move_to(Simulated) && !Simulated.can_move_to(Sent));
        assert!(Simulated.is_terminal());
    }

    #[test]
    fn status_names_round_trip() {
        for status in MessageStatus::ALL {
            assert_eq!(status.as_str().parse::<MessageStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }
}
