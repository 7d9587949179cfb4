//! Instances: one WhatsApp number each, linked through one engine.

use crate::address::PhoneNumber;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Which engine an instance speaks through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// A simulated WhatsApp network inside the process.
    Sandbox,
    /// Meta's WhatsApp Business Cloud API with the user's own credentials.
    Cloud,
    /// WhatsApp Web multi-device, linked by QR code or pairing code.
    Web,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Cloud => "cloud",
            Self::Web => "web",
        }
    }
}

impl FromStr for EngineKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sandbox" => Ok(Self::Sandbox),
            "cloud" => Ok(Self::Cloud),
            "web" => Ok(Self::Web),
            other => Err(format!(
                "unknown engine '{other}'; expected one of: sandbox, cloud, web"
            )),
        }
    }
}

/// The connection state of an instance, as users see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Not linked, or linked and deliberately stopped.
    Disconnected,
    /// Opening (or re-opening) the connection.
    Connecting,
    /// Waiting for a QR code to be scanned.
    Qr,
    /// Waiting for a pairing code to be entered on the phone.
    Pairing,
    /// Linked and connected: messages flow.
    Open,
    /// Linking gave up (for example every QR code expired); `statusReason` says why.
    Failed,
    /// The phone removed this device; linking again needs a new QR code.
    LoggedOut,
    /// Meta refused a cloud number's credentials; they must be replaced and verified again.
    CredentialsInvalid,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 8] = [
        Self::Disconnected,
        Self::Connecting,
        Self::Qr,
        Self::Pairing,
        Self::Open,
        Self::Failed,
        Self::LoggedOut,
        Self::CredentialsInvalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disconnected => "disconnected",
            Self::Connecting => "connecting",
            Self::Qr => "qr",
            Self::Pairing => "pairing",
            Self::Open => "open",
            Self::Failed => "failed",
            Self::LoggedOut => "logged_out",
            Self::CredentialsInvalid => "credentials_invalid",
        }
    }
}

impl FromStr for InstanceStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown instance status '{s}'"))
    }
}

/// A user-chosen instance name: 1–64 characters of letters, digits, `.`, `_` and `-`, not
/// starting with the instance id prefix (so `{id}` in a path is never ambiguous).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceName(String);

impl InstanceName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > 64 {
            return Err("must be between 1 and 64 characters".to_owned());
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err("may contain only letters, digits, '.', '_' and '-'".to_owned());
        }
        if raw.starts_with(crate::InstanceId::PREFIX) {
            return Err(format!(
                "must not start with '{}', which marks instance ids",
                crate::InstanceId::PREFIX
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The WhatsApp account an instance is linked to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkedAccount {
    #[schema(value_type = String, example = "15550001111")]
    pub phone: PhoneNumber,
    #[schema(example = "15550001111@s.whatsapp.net")]
    pub jid: String,
    pub push_name: Option<String>,
    /// The number's LID (`…@lid`), when the engine knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "100000012345678@lid")]
    pub lid: Option<String>,
}

/// Something an engine can do; listed per instance so users know before they call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    QrLink,
    PairingCode,
    Logout,
    ReadReceipts,
    SendText,
    SendMedia,
    SendLocation,
    SendContacts,
    SendPoll,
    SendReaction,
    SendTemplate,
    SendInteractive,
    Replies,
    Mentions,
    ReceiveMessages,
    EditMessages,
    RevokeMessages,
    MarkRead,
    PinMessages,
    /// Whether phone numbers have a WhatsApp account (`contacts/check`, `on-whatsapp`).
    CheckNumbers,
    /// Block and unblock contacts, list the blocked.
    BlockContacts,
    /// Create groups, read them, change their subject, description, settings and members,
    /// invite links, join and leave.
    Groups,
    /// "typing…" or "recording…" in a chat; the number online or offline.
    Presence,
    /// Contacts' profiles (about, picture, LID, business); the number's own name, about,
    /// picture and privacy.
    Profiles,
    /// Incoming calls as `call.received` events; rejecting them, by hand or automatically.
    Calls,
    /// Archive, pin, mute, mark unread and delete chats.
    ManageChats,
    /// Save contacts' names in the number's address book.
    SaveContacts,
    /// WhatsApp Business labels: create, rename, delete, put on chats.
    Labels,
    /// Create communities, list them and their groups, link and unlink groups.
    Communities,
    /// Channels: create, follow, unfollow, mute, read posts; post by sending to the channel.
    Newsletters,
    /// Post statuses (stories) to chosen contacts or the whole address book; delete them.
    PostStatus,
    /// Import the chat history WhatsApp sends after linking (`syncHistory`).
    HistorySync,
}

impl Capability {
    /// Every capability, in the order tables list them.
    pub const ALL: [Capability; 32] = [
        Self::QrLink,
        Self::PairingCode,
        Self::Logout,
        Self::ReadReceipts,
        Self::SendText,
        Self::SendMedia,
        Self::SendLocation,
        Self::SendContacts,
        Self::SendPoll,
        Self::SendReaction,
        Self::SendTemplate,
        Self::SendInteractive,
        Self::Replies,
        Self::Mentions,
        Self::ReceiveMessages,
        Self::EditMessages,
        Self::RevokeMessages,
        Self::MarkRead,
        Self::PinMessages,
        Self::CheckNumbers,
        Self::BlockContacts,
        Self::Groups,
        Self::Presence,
        Self::Profiles,
        Self::Calls,
        Self::ManageChats,
        Self::SaveContacts,
        Self::Labels,
        Self::Communities,
        Self::Newsletters,
        Self::PostStatus,
        Self::HistorySync,
    ];

    /// What a user can do with it, in a few words.
    pub fn description(self) -> &'static str {
        match self {
            Self::QrLink => "Link a number by scanning a QR code",
            Self::PairingCode => "Link a number with a pairing code",
            Self::Logout => "Unlink the number (`POST …/logout`)",
            Self::ReadReceipts => "Delivered and read receipts of sent messages",
            Self::SendText => "Send text",
            Self::SendMedia => "Send images, video, audio, voice notes, documents, stickers",
            Self::SendLocation => "Send a location",
            Self::SendContacts => "Send contact cards",
            Self::SendPoll => "Send a poll (votes come back named)",
            Self::SendReaction => "React to a message",
            Self::SendTemplate => "Send an approved message template",
            Self::SendInteractive => "Send buttons and lists",
            Self::Replies => "Reply quoting a message",
            Self::Mentions => "Mention people (and everyone in a group)",
            Self::ReceiveMessages => "Receive messages (`message.received`)",
            Self::EditMessages => "Edit a sent text",
            Self::RevokeMessages => "Delete a message for everyone",
            Self::MarkRead => "Mark received messages read",
            Self::PinMessages => "Pin and unpin messages",
            Self::CheckNumbers => "Check whether numbers are on WhatsApp (`contacts/check`)",
            Self::BlockContacts => "Block and unblock contacts, list the blocked",
            Self::Groups => {
                "Groups: create, read, subject, description, settings, members, invite links, join, leave"
            }
            Self::Presence => "Typing or recording in a chat; the number online or offline",
            Self::Calls => "Incoming calls (`call.received`), rejected by hand or automatically",
            Self::ManageChats => "Archive, pin, mute, mark unread and delete chats",
            Self::SaveContacts => "Save contacts' names in the number's address book",
            Self::Labels => "WhatsApp Business labels: create, rename, delete, put on chats",
            Self::Communities => "Communities: create, list, their groups, link and unlink groups",
            Self::Newsletters => {
                "Channels: create, follow, unfollow, mute, read posts; post by sending to the channel"
            }
            Self::HistorySync => {
                "Import the chat history WhatsApp sends after linking (`syncHistory`)"
            }
            Self::PostStatus => {
                "Post statuses (stories) to chosen contacts or all of them; delete them"
            }
            Self::Profiles => {
                "Contacts' profiles (about, picture, LID, business); the number's own name, about, picture and privacy"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_is_listed_once() {
        let names: std::collections::HashSet<_> = Capability::ALL
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(names.len(), Capability::ALL.len());
        for capability in Capability::ALL {
            assert!(!capability.description().is_empty());
        }
    }

    #[test]
    fn instance_names_are_checked() {
        assert!(InstanceName::parse("sales-team_1.main").is_ok());
        assert!(InstanceName::parse("").is_err());
        assert!(InstanceName::parse("has space").is_err());
        assert!(InstanceName::parse(&"a".repeat(65)).is_err());
        assert!(InstanceName::parse("ins_abc").is_err());
    }

    #[test]
    fn statuses_and_engines_round_trip() {
        for status in InstanceStatus::ALL {
            assert_eq!(status.as_str().parse::<InstanceStatus>(), Ok(status));
        }
        assert_eq!("web".parse::<EngineKind>(), Ok(EngineKind::Web));
        assert!("telegram".parse::<EngineKind>().is_err());
    }
}
