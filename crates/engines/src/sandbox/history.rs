//! The simulated phone's past: what WhatsApp would hand a newly linked device of it as chat
//! history, in two chunks as WhatsApp sends it (recent direct chats first, then groups), with
//! ids fixed per number so a second link hands over the same messages.

use super::lid_for;
use crate::{HistoricMessage, HistoryBatch, Sender};
use chrono::{Duration, Utc};
use wagate_core::{Jid, LinkedAccount, MessageContent, PhoneNumber, TextBody};

/// A customer who wrote to the number before it was linked.
pub const PAST_CONTACT: &str = "15550002222";
/// A group the number was in before it was linked.
pub const PAST_GROUP: &str = "120363000000000777@g.us";

fn text(body: &str) -> MessageContent {
    MessageContent::Text {
        body: TextBody::parse(body).expect("the scripted history's texts are valid"),
        preview_url: false,
    }
}

fn contact(phone: &str, push_name: &str) -> Sender {
    Sender {
        phone: PhoneNumber::parse(phone).ok(),
        lid: Some(lid_for(phone)),
        push_name: Some(push_name.to_owned()),
    }
}

/// The chunks of history for the number `me`.
pub fn past_of(me: &LinkedAccount) -> Vec<HistoryBatch> {
    let now = Utc::now();
    let id = |n: u32| format!("HIST{}{n:02}", me.phone.as_str());
    let customer = Jid::parse(&format!("{PAST_CONTACT}@s.whatsapp.net"))
        .expect("the scripted contact is a valid JID");
    let group = Jid::parse(PAST_GROUP).expect("the scripted group is a valid JID");
    let message = |n, chat: &Jid, from: Option<Sender>, content, hours_ago| HistoricMessage {
        provider_message_id: id(n),
        chat: chat.clone(),
        from_me: from.is_none(),
        sender: from.unwrap_or_default(),
        content,
        at: now - Duration::hours(hours_ago),
    };
    vec![
        HistoryBatch {
            messages: vec![
                message(
                    1,
                    &customer,
                    Some(contact(PAST_CONTACT, "Ann")),
                    text("Hi! Are you open on Sunday?"),
                    50,
                ),
                message(2, &customer, None, text("Yes, from 10am to 4pm."), 49),
                message(
                    3,
                    &customer,
                    Some(contact(PAST_CONTACT, "Ann")),
                    text("Great, see you then"),
                    48,
                ),
            ],
            // A photo Ann sent: media in history is not downloaded.
            skipped: 1,
            progress: Some(50),
        },
        HistoryBatch {
            messages: vec![message(
                4,
                &group,
                Some(contact("15550003333", "Bob")),
                text("The meeting moved to 3pm"),
                26,
            )],
            skipped: 0,
            progress: Some(100),
        },
    ]
}
