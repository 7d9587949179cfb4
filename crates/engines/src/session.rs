//! The traits every engine implements, and the events sessions report.
//!
//! A session answers the request that started something (`connect` returns the first QR code,
//! so the HTTP answer can carry it) and reports everything that happens afterwards — QR
//! rotations, the phone linking, receipts, the connection dropping — as [`EngineEvent`]s on
//! the sink it was created with. The gateway's session supervisor turns those into stored
//! state and outbox events.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use wagate_core::{
    Capability, EngineKind, InstanceId, Jid, LinkedAccount, Mention, MessageContent, MessageId,
    MessageStatus, PhoneNumber, StatusPost,
};

use crate::EngineError;
use crate::communities::{Community, LinkResult, NewCommunity, SubGroup};
use crate::groups::{
    GroupChange, GroupEvent, GroupInfo, JoinRequest, Joined, MemberAction, MemberResult, NewGroup,
};
use crate::labels::{Label, LabelEvent};
use crate::newsletters::{NewNewsletter, Newsletter, NewsletterPost};
use crate::pictures::{JpegImage, Picture};
use crate::privacy::{PrivacySetting, PrivacyValue};

/// One way of reaching WhatsApp.
pub trait Engine: Send + Sync {
    fn kind(&self) -> EngineKind;

    /// What sessions of this engine can do.
    fn capabilities(&self) -> &'static [Capability];

    /// The session object of one instance. Creating it connects nothing.
    fn session(&self, instance: InstanceId, events: EventSink) -> Arc<dyn Session>;

    /// The id WhatsApp will know the message `id` by once sent, when the engine chooses it
    /// itself; `None` when WhatsApp's side assigns it at sending (the Cloud API's `wamid`).
    fn planned_message_id(&self, id: &wagate_core::MessageId) -> Option<String>;
}

/// How to bring a session up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectMode {
    /// Link a new device by QR code.
    Qr,
    /// Link a new device by an 8-character code entered on the phone with this number.
    PairingCode(PhoneNumber),
    /// Reconnect a device that is already linked, with the credentials the engine keeps.
    Resume(LinkedAccount),
    /// Check and use a Cloud API number's credentials (the cloud engine's only way in).
    Cloud(crate::cloud::graph::Credentials),
}

/// What `connect` achieved at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectOutcome {
    /// Waiting for this QR code to be scanned; later codes arrive as events.
    Qr {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// Waiting for this code to be entered on the phone.
    PairingCode {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// Connected (resuming an already linked device).
    Open(LinkedAccount),
    /// Resuming in the background (the engine staggers and retries connections);
    /// `Connected` follows as an event once the socket is up.
    Connecting,
}

/// A message handed to an engine for sending.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingMessage {
    /// wagate's id: engines use it to recognise a resend after a crash.
    pub id: MessageId,
    pub to: Jid,
    pub content: MessageContent,
    /// WhatsApp's id of the quoted message.
    pub reply_to: Option<String>,
    pub mentions: Vec<Mention>,
    /// Who sees a status (`to` is `status@broadcast`) and how a text status looks.
    pub status_post: Option<StatusPost>,
}

impl OutgoingMessage {
    /// Who sees the status this message is; an engine cannot post a status without them.
    pub fn status_audience(&self) -> Result<&StatusPost, EngineError> {
        self.status_post
            .as_ref()
            .ok_or_else(|| EngineError::Permanent {
                failure: crate::SendFailure::InvalidContent,
                message: "a status needs the people who see it".to_owned(),
            })
    }
}

/// WhatsApp accepted the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendReceipt {
    /// WhatsApp's id for the message; receipts refer to it.
    pub provider_message_id: String,
    pub sent_at: DateTime<Utc>,
}

/// A message template of the business account, as Meta describes it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MessageTemplate {
    pub id: String,
    pub name: String,
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, …
    pub status: String,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: String,
    /// Header, body, footer and buttons, in Meta's shape.
    pub components: serde_json::Value,
}

/// A template to submit for Meta's review.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NewTemplate {
    pub name: String,
    pub language: String,
    pub category: String,
    pub components: serde_json::Value,
}

/// One linked number's connection.
#[async_trait]
pub trait Session: Send + Sync {
    /// Starts linking or resumes a linked device.
    async fn connect(&self, mode: ConnectMode) -> Result<ConnectOutcome, EngineError>;

    /// Unlinks the device: the engine forgets its credentials.
    async fn logout(&self) -> Result<(), EngineError>;

    /// Closes the connection but keeps the credentials (for shutdown and deletion).
    async fn disconnect(&self);

    /// Sends one message. Sending the same `id` twice delivers it once.
    async fn send(&self, message: &OutgoingMessage) -> Result<SendReceipt, EngineError>;

    /// Whether the chat history WhatsApp sends after linking is wanted (`syncHistory`);
    /// engines without history ignore it.
    fn sync_history(&self, _wanted: bool) {}

    /// Acts on a message already in a chat: react, edit, revoke, mark read, pin.
    async fn perform(&self, operation: &MessageOperation) -> Result<(), EngineError>;

    /// Shows "typing…" or "recording audio…" in `chat`, or stops it. Engines without chat
    /// presence ignore it (the dispatcher shows typing before every send).
    async fn set_chat_presence(
        &self,
        _chat: &Jid,
        _presence: ChatPresence,
    ) -> Result<(), EngineError> {
        Ok(())
    }

    /// Shows the number online (`available`) or offline to its contacts.
    async fn set_presence(&self, _available: bool) -> Result<(), EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "presence",
        })
    }

    /// Whether each number has a WhatsApp account, asked of WhatsApp in one request.
    async fn check_numbers(
        &self,
        _numbers: &[PhoneNumber],
    ) -> Result<Vec<NumberCheck>, EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "number checks",
        })
    }

    /// Blocks `contact` (they can no longer write to or call the number), or unblocks them.
    async fn set_blocked(&self, _contact: &Jid, _blocked: bool) -> Result<(), EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "blocking contacts",
        })
    }

    /// The contacts the number has blocked.
    async fn blocklist(&self) -> Result<Vec<Jid>, EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "blocking contacts",
        })
    }

    /// Archives, pins, mutes or marks a chat unread on the number's WhatsApp (or undoes it),
    /// sets its disappearing messages, or deletes it.
    async fn chat_action(&self, _chat: &Jid, _action: ChatAction) -> Result<(), EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "archiving, pinning or muting chats",
        })
    }

    /// Saves a contact's name in the number's address book (synced to its phone).
    async fn save_contact(&self, _contact: &Jid, _name: &str) -> Result<(), EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "saving contacts",
        })
    }

    /// Creates a label, or renames or recolours one.
    async fn save_label(&self, _label: &Label) -> Result<(), EngineError> {
        Err(labels_not_supported())
    }

    async fn delete_label(&self, _id: &str) -> Result<(), EngineError> {
        Err(labels_not_supported())
    }

    /// Puts a label on a chat, or takes it off.
    async fn label_chat(
        &self,
        _chat: &Jid,
        _label: &str,
        _labeled: bool,
    ) -> Result<(), EngineError> {
        Err(labels_not_supported())
    }

    /// Rejects a call that is ringing (`call` is the id of `SessionEvent::Call`).
    async fn reject_call(&self, _call: &str, _from: &Jid) -> Result<(), EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "calls",
        })
    }

    /// What WhatsApp shows of a contact (or of the number itself): about, picture, LID,
    /// business.
    async fn contact_info(&self, _contact: &Jid) -> Result<ContactInfo, EngineError> {
        Err(profile_not_supported())
    }

    /// The profile picture of a contact, a group or the number itself, when there is one the
    /// number may see.
    async fn picture(&self, _of: &Jid) -> Result<Option<Picture>, EngineError> {
        Err(profile_not_supported())
    }

    /// Sets (or, with `None`, removes) the number's own profile picture.
    async fn set_own_picture(&self, _image: Option<&JpegImage>) -> Result<(), EngineError> {
        Err(profile_not_supported())
    }

    /// The number's privacy settings, each one WhatsApp reports.
    async fn privacy(&self) -> Result<Vec<(PrivacySetting, PrivacyValue)>, EngineError> {
        Err(profile_not_supported())
    }

    /// Changes one privacy setting (the value is one the setting takes).
    async fn set_privacy(
        &self,
        _setting: PrivacySetting,
        _value: PrivacyValue,
    ) -> Result<(), EngineError> {
        Err(profile_not_supported())
    }

    /// Changes the name the number shows (its push name).
    async fn set_profile_name(&self, _name: &str) -> Result<(), EngineError> {
        Err(profile_not_supported())
    }

    /// Changes the number's "about" text.
    async fn set_about(&self, _about: &str) -> Result<(), EngineError> {
        Err(profile_not_supported())
    }

    /// The groups the number is a member of.
    async fn groups(&self) -> Result<Vec<GroupInfo>, EngineError> {
        Err(groups_not_supported())
    }

    /// One group the number is a member of; `NotFound` otherwise.
    async fn group(&self, _group: &Jid) -> Result<GroupInfo, EngineError> {
        Err(groups_not_supported())
    }

    /// Creates a group with the number as its owner.
    async fn create_group(&self, _group: &NewGroup) -> Result<GroupInfo, EngineError> {
        Err(groups_not_supported())
    }

    /// Changes a group's subject, description or settings.
    async fn change_group(&self, _group: &Jid, _change: &GroupChange) -> Result<(), EngineError> {
        Err(groups_not_supported())
    }

    /// Adds, removes, promotes or demotes members; answers how each one fared.
    async fn change_members(
        &self,
        _group: &Jid,
        _action: MemberAction,
        _members: &[Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        Err(groups_not_supported())
    }

    /// The group's invite code; `revoke` makes a new one and voids the old.
    async fn group_invite(&self, _group: &Jid, _revoke: bool) -> Result<String, EngineError> {
        Err(groups_not_supported())
    }

    /// Joins a group by invite code (or asks to, when it needs an admin's approval).
    async fn join_group(&self, _code: &str) -> Result<Joined, EngineError> {
        Err(groups_not_supported())
    }

    /// What an invite code leads to, without joining.
    async fn group_invite_info(&self, _code: &str) -> Result<GroupInfo, EngineError> {
        Err(groups_not_supported())
    }

    /// The requests to join a group that needs approval (admins only).
    async fn join_requests(&self, _group: &Jid) -> Result<Vec<JoinRequest>, EngineError> {
        Err(groups_not_supported())
    }

    /// Approves or rejects requests to join (admins only); answers how each one fared.
    async fn answer_join_requests(
        &self,
        _group: &Jid,
        _approve: bool,
        _members: &[Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        Err(groups_not_supported())
    }

    /// Leaves a group.
    async fn leave_group(&self, _group: &Jid) -> Result<(), EngineError> {
        Err(groups_not_supported())
    }

    /// The communities the number is in.
    async fn communities(&self) -> Result<Vec<Community>, EngineError> {
        Err(communities_not_supported())
    }

    /// Creates a community (and its announcement group) with the number as its owner.
    async fn create_community(&self, _new: &NewCommunity) -> Result<Community, EngineError> {
        Err(communities_not_supported())
    }

    /// The groups linked to a community (members only).
    async fn community_groups(&self, _community: &Jid) -> Result<Vec<SubGroup>, EngineError> {
        Err(communities_not_supported())
    }

    /// Links groups to a community, or unlinks them (the community's admins, who must be
    /// admins of the groups too); answers how each fared.
    async fn link_groups(
        &self,
        _community: &Jid,
        _groups: &[Jid],
        _link: bool,
    ) -> Result<Vec<LinkResult>, EngineError> {
        Err(communities_not_supported())
    }

    /// The channels the number runs or follows.
    async fn newsletters(&self) -> Result<Vec<Newsletter>, EngineError> {
        Err(newsletters_not_supported())
    }

    /// One channel, by address.
    async fn newsletter(&self, _jid: &Jid) -> Result<Newsletter, EngineError> {
        Err(newsletters_not_supported())
    }

    /// Creates a channel the number owns.
    async fn create_newsletter(&self, _new: &NewNewsletter) -> Result<Newsletter, EngineError> {
        Err(newsletters_not_supported())
    }

    /// Follows a channel, or unfollows it.
    async fn follow_newsletter(&self, _jid: &Jid, _follow: bool) -> Result<(), EngineError> {
        Err(newsletters_not_supported())
    }

    /// Mutes a followed channel's notifications, or unmutes them.
    async fn mute_newsletter(&self, _jid: &Jid, _muted: bool) -> Result<(), EngineError> {
        Err(newsletters_not_supported())
    }

    /// A channel's posts, newest first: at most `count`, older than `before` when given.
    async fn newsletter_posts(
        &self,
        _jid: &Jid,
        _count: u32,
        _before: Option<u64>,
    ) -> Result<Vec<NewsletterPost>, EngineError> {
        Err(newsletters_not_supported())
    }

    /// The message templates of the number's business account.
    async fn templates(&self) -> Result<Vec<MessageTemplate>, EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "message templates",
        })
    }

    /// Submits a message template for review; answers it as filed.
    async fn create_template(
        &self,
        _template: &NewTemplate,
    ) -> Result<MessageTemplate, EngineError> {
        Err(EngineError::NotSupported {
            engine: "number's",
            what: "message templates",
        })
    }
}

/// A call ringing on the number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingCall {
    /// WhatsApp's id of the call, to reject it by.
    pub id: String,
    pub from: Sender,
    /// The caller's address, to reject and to answer.
    pub from_jid: Jid,
    pub video: bool,
    /// A group call's group.
    pub group: Option<Jid>,
    pub at: DateTime<Utc>,
}

fn communities_not_supported() -> EngineError {
    EngineError::NotSupported {
        engine: "number's",
        what: "communities",
    }
}

fn newsletters_not_supported() -> EngineError {
    EngineError::NotSupported {
        engine: "number's",
        what: "newsletters",
    }
}

fn labels_not_supported() -> EngineError {
    EngineError::NotSupported {
        engine: "number's",
        what: "labels",
    }
}

fn profile_not_supported() -> EngineError {
    EngineError::NotSupported {
        engine: "number's",
        what: "profiles",
    }
}

/// What WhatsApp shows of an account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInfo {
    /// Whether the number has a WhatsApp account; nothing else is known when not.
    pub exists: bool,
    /// The account's LID (`…@lid`), when WhatsApp tells it.
    pub lid: Option<String>,
    /// The "about" text, when the account shows it to this number.
    pub about: Option<String>,
    /// Where the profile picture can be fetched, when there is one the number may see.
    pub picture_url: Option<String>,
    pub business: bool,
}

/// What the number does to a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatAction {
    Archive,
    Unarchive,
    Pin,
    Unpin,
    /// Until then; `None` is for good.
    Mute(Option<DateTime<Utc>>),
    Unmute,
    /// Messages disappear after this many seconds; 0 turns it off.
    Disappearing(u32),
    /// Shows the chat unread on the number's devices, or clears that mark.
    MarkUnread(bool),
    /// Removes the chat and its messages from the number's devices.
    Delete,
}

impl ChatAction {
    /// How the sandbox's wire and logs name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Archive => "archive",
            Self::Unarchive => "unarchive",
            Self::Pin => "pin",
            Self::Unpin => "unpin",
            Self::Mute(_) => "mute",
            Self::Unmute => "unmute",
            Self::Disappearing(_) => "disappearing",
            Self::MarkUnread(true) => "unread",
            Self::MarkUnread(false) => "read",
            Self::Delete => "delete",
        }
    }
}

/// What the number shows in a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatPresence {
    /// "typing…"
    Composing,
    /// "recording audio…"
    Recording,
    /// Neither.
    Paused,
}

impl ChatPresence {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "composing" => Some(Self::Composing),
            "recording" => Some(Self::Recording),
            "paused" => Some(Self::Paused),
            _ => None,
        }
    }
}

/// What someone else is doing, as WhatsApp tells the number: online or not, or typing or
/// recording in a chat. The names are WhatsApp's (and Baileys').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresenceState {
    Available,
    Unavailable,
    Composing,
    Recording,
    Paused,
}

impl PresenceState {
    pub const ALL: [PresenceState; 5] = [
        Self::Available,
        Self::Unavailable,
        Self::Composing,
        Self::Recording,
        Self::Paused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Unavailable => "unavailable",
            Self::Composing => "composing",
            Self::Recording => "recording",
            Self::Paused => "paused",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == raw)
    }
}

fn groups_not_supported() -> EngineError {
    EngineError::NotSupported {
        engine: "number's",
        what: "groups",
    }
}

/// What WhatsApp answered about one phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberCheck {
    pub number: PhoneNumber,
    pub exists: bool,
    /// The chat address to write to, when the number has an account.
    pub jid: Option<Jid>,
    /// The account's LID (`…@lid`), when WhatsApp tells it.
    pub lid: Option<String>,
    pub business: bool,
}

/// Something done to a message already in a chat, by WhatsApp's id for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageOperation {
    /// An empty emoji removes the reaction.
    React {
        chat: Jid,
        target: String,
        emoji: String,
    },
    /// Replaces the text of one of our own messages.
    Edit {
        chat: Jid,
        target: String,
        text: String,
    },
    /// Deletes one of our own messages for everyone.
    Revoke { chat: Jid, target: String },
    /// Deletes one of our statuses; the revoke goes to the people who were sent it.
    RevokeStatus {
        target: String,
        recipients: Vec<PhoneNumber>,
    },
    /// Tells the sender we read their message.
    MarkRead {
        chat: Jid,
        target: String,
        sender: Option<Jid>,
    },
    /// Pins (for `seconds`) or unpins a message in its chat.
    Pin {
        chat: Jid,
        target: String,
        seconds: Option<u32>,
    },
}

/// Who sent a message we received, as far as WhatsApp tells.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Sender {
    pub phone: Option<PhoneNumber>,
    /// The sender's LID (`…@lid`), WhatsApp's privacy-preserving id.
    pub lid: Option<String>,
    pub push_name: Option<String>,
}

/// A message that arrived.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingMessage {
    pub provider_message_id: String,
    /// The chat: the sender for a direct message, the group for a group message.
    pub chat: Jid,
    pub sender: Sender,
    pub content: MessageContent,
    /// WhatsApp's id of the message this one quotes.
    pub reply_to: Option<String>,
    pub at: DateTime<Utc>,
}

/// A message from before the device was linked.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoricMessage {
    pub provider_message_id: String,
    pub chat: Jid,
    /// Sent by the number itself (from the phone or another device).
    pub from_me: bool,
    /// Who sent it, when not the number.
    pub sender: Sender,
    pub content: MessageContent,
    pub at: DateTime<Utc>,
}

/// One chunk of history, as WhatsApp sends it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HistoryBatch {
    pub messages: Vec<HistoricMessage>,
    /// Messages the engine could not carry over (media it does not download, kinds it does
    /// not know).
    pub skipped: usize,
    /// How far the whole sync is, 0–100, when WhatsApp says.
    pub progress: Option<u32>,
}

/// Something another party did to a message in one of our chats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncomingChange {
    Reaction { emoji: String },
    Edit { text: String },
    Revoke,
    PollVote { values: Vec<String> },
}

/// Something that happened to a session after the call that started it.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionEvent {
    /// A new QR code replaced the previous one.
    Qr {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// Linking gave up (every QR code or the pairing code expired).
    LinkFailed { reason: String },
    /// The phone linked the device, or a resumed connection came up.
    Connected { me: LinkedAccount },
    /// The connection dropped; the engine is reconnecting.
    Reconnecting { reason: String },
    /// The phone removed this device; its credentials are gone.
    LoggedOut { reason: String },
    /// WhatsApp stopped a linked session for a reason retrying cannot fix (a temporary ban,
    /// an outdated client, another connection taking over); the credentials are kept and
    /// `connect` starts it again.
    Halted { reason: String },
    /// A message arrived.
    Incoming(IncomingMessage),
    /// Something happened in a group the number is in, by the number or by someone else.
    Group(GroupEvent),
    /// Someone is calling the number.
    Call(IncomingCall),
    /// A label was created, changed or deleted, or put on or taken off a chat, on another of
    /// the number's devices.
    Label(LabelEvent),
    /// The number saved a contact's name, changed it or removed the contact (`None`), on
    /// any of its devices.
    ContactSaved {
        phone: PhoneNumber,
        name: Option<String>,
    },
    /// Part of the chat history WhatsApp hands a newly linked device.
    History(HistoryBatch),
    /// Someone reacted to, edited, revoked or voted on a message (WhatsApp's id for it).
    Changed {
        chat: Jid,
        target: String,
        sender: Sender,
        change: IncomingChange,
        at: DateTime<Utc>,
    },
    /// Someone came online or went offline (`chat` is then their own chat), or is typing,
    /// recording or stopped in `chat`.
    Presence {
        chat: Jid,
        from: Jid,
        state: PresenceState,
        /// When they were last online, for `Unavailable`, when their privacy shows it.
        last_seen: Option<DateTime<Utc>>,
    },
    /// A receipt for a message this session sent, by WhatsApp's id for it.
    Receipt {
        provider_message_id: String,
        status: MessageStatus,
        at: DateTime<Utc>,
    },
}

/// A session event with the instance it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineEvent {
    pub instance_id: InstanceId,
    pub event: SessionEvent,
    /// Confirmed once the gateway has applied (stored) the event.
    pub applied: Applied,
}

/// The gateway's word that it applied an event: an engine that must not acknowledge something
/// to WhatsApp before the gateway has it waits for this ([`EventSink::emit_applied`]).
#[derive(Clone, Debug, Default)]
pub struct Applied(Option<Arc<std::sync::Mutex<Option<oneshot::Sender<()>>>>>);

impl Applied {
    /// Tells the waiting engine, if one waits, that the event is applied.
    pub fn confirm(&self) {
        let waiting = self
            .0
            .as_ref()
            .and_then(|sender| sender.lock().expect("applied lock poisoned").take());
        if let Some(sender) = waiting {
            let _ = sender.send(());
        }
    }
}

/// Two events are alike whoever waits for them.
impl PartialEq for Applied {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Where sessions report their events. Bounded: a flood of events slows the engine down rather
/// than growing memory without limit.
#[derive(Clone, Debug)]
pub struct EventSink {
    instance_id: InstanceId,
    sender: mpsc::Sender<EngineEvent>,
}

impl EventSink {
    pub fn new(instance_id: InstanceId, sender: mpsc::Sender<EngineEvent>) -> Self {
        Self {
            instance_id,
            sender,
        }
    }

    /// Reports an event; returns false once nobody listens any more (the gateway stopped).
    pub async fn emit(&self, event: SessionEvent) -> bool {
        self.sender
            .send(EngineEvent {
                instance_id: self.instance_id.clone(),
                event,
                applied: Applied::default(),
            })
            .await
            .is_ok()
    }

    /// Reports an event and waits until the gateway has applied it; false when it did not
    /// (it failed to, or it stopped).
    pub async fn emit_applied(&self, event: SessionEvent) -> bool {
        let (sender, applied) = oneshot::channel();
        let sent = self
            .sender
            .send(EngineEvent {
                instance_id: self.instance_id.clone(),
                event,
                applied: Applied(Some(Arc::new(std::sync::Mutex::new(Some(sender))))),
            })
            .await;
        sent.is_ok() && applied.await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revoke() -> SessionEvent {
        SessionEvent::Changed {
            chat: Jid::parse("15550001111@s.whatsapp.net").unwrap(),
            target: "3EB0".to_owned(),
            sender: Sender::default(),
            change: IncomingChange::Revoke,
            at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn emit_applied_waits_for_the_gateways_word() {
        let (sender, mut receiver) = mpsc::channel(4);
        let sink = EventSink::new(InstanceId::generate(), sender);
        let waiting = tokio::spawn(async move { sink.emit_applied(revoke()).await });
        let event = receiver.recv().await.unwrap();
        assert!(!waiting.is_finished());
        event.applied.confirm();
        assert!(waiting.await.unwrap(), "applied");

        let sink = EventSink::new(InstanceId::generate(), mpsc::channel(4).0);
        assert!(!sink.emit_applied(revoke()).await, "nobody listens");

        let (sender, mut receiver) = mpsc::channel(4);
        let sink = EventSink::new(InstanceId::generate(), sender);
        let waiting = tokio::spawn(async move { sink.emit_applied(revoke()).await });
        drop(receiver.recv().await.unwrap());
        assert!(!waiting.await.unwrap(), "dropped without being applied");
    }
}
