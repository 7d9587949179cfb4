//! Label changes WhatsApp syncs from the number's other devices, as session events.

use wagate_core::Jid;
use wagate_engine::{LABEL_COLORS, Label, LabelEvent, SessionEvent};
use whatsapp_rust::Jid as WaJid;

/// A label created, changed or deleted on another device.
pub(crate) fn edited(
    id: &str,
    name: Option<&str>,
    color: Option<i32>,
    deleted: bool,
) -> Option<SessionEvent> {
    let event = if deleted {
        LabelEvent::Deleted { id: id.to_owned() }
    } else {
        LabelEvent::Saved(Label {
            id: id.to_owned(),
            name: name?.to_owned(),
            color: color
                .and_then(|c| u8::try_from(c).ok())
                .filter(|c| *c < LABEL_COLORS)
                .unwrap_or(0),
        })
    };
    Some(SessionEvent::Label(event))
}

/// A label put on or taken off a chat on another device.
pub(crate) fn associated(label: &str, chat: &WaJid, labeled: bool) -> Option<SessionEvent> {
    let chat = Jid::parse(&chat.to_non_ad().to_string()).ok()?;
    Some(SessionEvent::Label(LabelEvent::Chat {
        label: label.to_owned(),
        chat,
        labeled,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_edits_become_saved_or_deleted_labels() {
        assert_eq!(
            edited("3", Some("New customer"), Some(5), false),
            Some(SessionEvent::Label(LabelEvent::Saved(Label {
                id: "3".to_owned(),
                name: "New customer".to_owned(),
                color: 5,
            })))
        );
        let Some(SessionEvent::Label(LabelEvent::Saved(odd))) =
            edited("4", Some("Odd"), Some(99), false)
        else {
            panic!("saved")
        };
        assert_eq!(odd.color, 0, "a colour outside the palette is the first");
        assert_eq!(
            edited("3", None, None, true),
            Some(SessionEvent::Label(LabelEvent::Deleted {
                id: "3".to_owned()
            }))
        );
        assert_eq!(
            edited("3", None, None, false),
            None,
            "no name, nothing to keep"
        );
    }

    #[test]
    fn associations_name_the_chat() {
        let Some(SessionEvent::Label(LabelEvent::Chat { chat, labeled, .. })) =
            associated("3", &WaJid::pn("15550002222"), true)
        else {
            panic!("associated")
        };
        assert_eq!(chat.to_string(), "15550002222@s.whatsapp.net");
        assert!(labeled);
    }
}
