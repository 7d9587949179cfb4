//! WhatsApp Business labels: named colours the number puts on chats, kept in WhatsApp's
//! app state and synced across its devices.

use wagate_core::Jid;

/// How many colours WhatsApp's label palette has; a label's colour is an index into it.
pub const LABEL_COLORS: u8 = 20;

/// A label as WhatsApp keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// WhatsApp's id of the label: a number, chosen by the device that created it.
    pub id: String,
    pub name: String,
    /// An index into WhatsApp's palette, below [`LABEL_COLORS`].
    pub color: u8,
}

/// A change to labels made on one of the number's devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelEvent {
    /// Created, renamed or recoloured.
    Saved(Label),
    Deleted {
        id: String,
    },
    /// Put on a chat, or taken off it.
    Chat {
        label: String,
        chat: Jid,
        labeled: bool,
    },
}
