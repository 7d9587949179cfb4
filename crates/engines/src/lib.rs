//! The edge between wagate and WhatsApp.
//!
//! Every way of reaching WhatsApp — the in-process sandbox, WhatsApp Web multi-device, Meta's
//! Cloud API — implements [`Engine`] and [`Session`]. They translate between WhatsApp and the
//! core vocabulary and report what happens as [`EngineEvent`]s; they never see HTTP requests,
//! webhooks or the gateway's SQL. Nothing outside this crate knows which engine a number uses.

mod communities;
mod error;
mod groups;
mod labels;
mod media;
mod newsletters;
mod pictures;
mod privacy;
mod session;

pub mod cloud;
pub mod sandbox;

pub use communities::{Community, LinkResult, NewCommunity, SubGroup};
pub use error::{EngineError, SendFailure};
pub use groups::{
    GroupActivity, GroupChange, GroupEvent, GroupInfo, GroupMember, GroupSettings,
    GroupSettingsChange, JoinRequest, Joined, MemberAction, MemberOutcome, MemberResult,
    MemberRole, NewGroup,
};
pub use labels::{LABEL_COLORS, Label, LabelEvent};
pub use media::{MediaSink, MediaSource};
pub use newsletters::{NewNewsletter, Newsletter, NewsletterPost, NewsletterRole};
pub use pictures::{JpegImage, Picture};
pub use privacy::{PrivacySetting, PrivacyValue};
pub use session::{
    Applied, ChatAction, ChatPresence, ConnectMode, ConnectOutcome, ContactInfo, Engine,
    EngineEvent, EventSink, HistoricMessage, HistoryBatch, IncomingCall, IncomingChange,
    IncomingMessage, MessageOperation, MessageTemplate, NewTemplate, NumberCheck, OutgoingMessage,
    PresenceState, SendReceipt, Sender, Session, SessionEvent,
};
