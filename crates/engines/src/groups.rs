//! Groups as an engine sees them: what a group is, what can be changed in it, and what
//! happened in one (reported as a session event, whoever made the change).

use crate::pictures::JpegImage;
use chrono::{DateTime, Utc};
use wagate_core::{Jid, PhoneNumber};

/// A member's standing in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Member,
    Admin,
    /// The creator (or whoever WhatsApp made owner): an admin no other admin can demote.
    SuperAdmin,
}

impl MemberRole {
    pub fn is_admin(self) -> bool {
        self != Self::Member
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    pub jid: Jid,
    /// Their phone number, when WhatsApp tells it (members may be known by LID only).
    pub phone: Option<PhoneNumber>,
    pub role: MemberRole,
}

/// Who may do what in a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupSettings {
    /// Only admins may send messages.
    pub announce: bool,
    /// Only admins may change the subject, description and picture.
    pub locked: bool,
    /// Joining by invite link needs an admin's approval.
    pub approval: bool,
    /// Disappearing messages after this many seconds; 0 is off.
    pub ephemeral_seconds: u32,
}

/// Settings to change; `None` leaves one as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupSettingsChange {
    pub announce: Option<bool>,
    pub locked: Option<bool>,
    pub approval: Option<bool>,
    pub ephemeral_seconds: Option<u32>,
}

impl GroupSettingsChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn apply(&self, settings: &mut GroupSettings) {
        if let Some(announce) = self.announce {
            settings.announce = announce;
        }
        if let Some(locked) = self.locked {
            settings.locked = locked;
        }
        if let Some(approval) = self.approval {
            settings.approval = approval;
        }
        if let Some(seconds) = self.ephemeral_seconds {
            settings.ephemeral_seconds = seconds;
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    pub jid: Jid,
    pub subject: String,
    pub description: Option<String>,
    pub owner: Option<Jid>,
    pub created_at: Option<DateTime<Utc>>,
    pub members: Vec<GroupMember>,
    pub settings: GroupSettings,
}

/// A group to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGroup {
    pub subject: String,
    pub members: Vec<Jid>,
    pub description: Option<String>,
}

/// A change to a group's subject, description or settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupChange {
    Subject(String),
    /// `None` removes the description.
    Description(Option<String>),
    Settings(GroupSettingsChange),
    /// `None` removes the picture.
    Picture(Option<JpegImage>),
}

/// What an admin does to members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberAction {
    Add,
    Remove,
    Promote,
    Demote,
}

/// How one member fared in a members change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberOutcome {
    Done,
    NotOnWhatsApp,
    AlreadyMember,
    NotMember,
    /// WhatsApp refused with this code (403: their privacy settings; 409: …).
    Refused(u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberResult {
    pub jid: Jid,
    pub outcome: MemberOutcome,
}

/// Something that happened in a group, by whoever did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupActivity {
    Created {
        subject: String,
    },
    Changed(GroupChange),
    /// Members were added, removed, promoted or demoted, or joined or left on their own
    /// (`Add`/`Remove` with the member as the actor).
    Members {
        action: MemberAction,
        members: Vec<Jid>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEvent {
    pub group: Jid,
    /// Who did it, when WhatsApp tells.
    pub by: Option<Jid>,
    pub activity: GroupActivity,
    pub at: DateTime<Utc>,
}

/// Someone asking to join a group that needs an admin's approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    pub jid: Jid,
    pub at: Option<DateTime<Utc>>,
}

/// What joining by invite gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joined {
    pub group: Jid,
    /// The group needs an admin's approval: a request was sent instead.
    pub pending: bool,
}
