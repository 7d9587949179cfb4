//! Communities: parent groups that hold linked groups and an announcement group for all
//! their members.

use chrono::{DateTime, Utc};
use wagate_core::Jid;

/// A community the number is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Community {
    pub jid: Jid,
    pub subject: String,
    pub description: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A community to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCommunity {
    pub subject: String,
    pub description: Option<String>,
}

/// A group linked to a community.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubGroup {
    pub jid: Jid,
    pub subject: String,
    /// The community's announcement group, where only admins write to every member.
    pub announcement: bool,
}

/// How linking or unlinking one group fared: done, or WhatsApp's error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkResult {
    pub group: Jid,
    pub refused: Option<u32>,
}
