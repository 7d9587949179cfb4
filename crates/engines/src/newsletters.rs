//! Newsletters (WhatsApp Channels): one-way broadcasts the number follows or runs. Posts are
//! sent as messages to the channel's address (`…@newsletter`), through the queue like any
//! other message.

use chrono::{DateTime, Utc};
use wagate_core::Jid;

/// The number's standing in a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NewsletterRole {
    Owner,
    Admin,
    Follower,
    /// Neither runs nor follows it (a channel looked up by address).
    Guest,
}

/// A channel as WhatsApp shows it to the number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Newsletter {
    pub jid: Jid,
    pub name: String,
    pub description: Option<String>,
    pub followers: u64,
    pub role: NewsletterRole,
    /// The code of its link (`https://whatsapp.com/channel/<code>`).
    pub invite: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A channel to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNewsletter {
    pub name: String,
    pub description: Option<String>,
}

/// One post of a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewsletterPost {
    /// The channel's own number for the post; older posts have smaller ones.
    pub id: u64,
    pub at: DateTime<Utc>,
    /// Its text or caption, when it has one.
    pub text: Option<String>,
    /// Reactions: emoji and how many.
    pub reactions: Vec<(String, u64)>,
}
