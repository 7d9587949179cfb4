//! The chat history WhatsApp hands a newly linked device, in wagate's model. Messages that
//! carry no file (texts, locations, contact cards, polls) are carried over; media (their
//! files are not downloaded for history), protocol messages and kinds wagate does not model
//! are counted as skipped.

use crate::inbound::plain_content;
use chrono::DateTime;
use wagate_core::{Jid, JidKind, PhoneNumber};
use wagate_engine::{HistoricMessage, HistoryBatch, Sender};
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

/// One decoded chunk of history.
pub(crate) fn batch(sync: &wa::HistorySync) -> HistoryBatch {
    let mut batch = HistoryBatch {
        progress: sync.progress,
        ..HistoryBatch::default()
    };
    for conversation in &sync.conversations {
        let Ok(chat) = Jid::parse(&conversation.id) else {
            batch.skipped += conversation.messages.len();
            continue;
        };
        for entry in &conversation.messages {
            match entry
                .message
                .as_option()
                .and_then(|info| historic(&chat, info))
            {
                Some(message) => batch.messages.push(message),
                None => batch.skipped += 1,
            }
        }
    }
    batch
}

fn historic(chat: &Jid, info: &wa::WebMessageInfo) -> Option<HistoricMessage> {
    let key = info.key.as_option()?;
    let from_me = key.from_me == Some(true);
    let content = plain_content(info.message.as_option()?.get_base_message())?;
    let at = DateTime::from_timestamp(i64::try_from(info.message_timestamp?).ok()?, 0)?;
    let sender = if from_me {
        Sender::default()
    } else {
        let raw = match chat.kind() {
            JidKind::Group | JidKind::Broadcast => {
                key.participant.as_deref().or(info.participant.as_deref())?
            }
            _ => key.remote_jid.as_deref()?,
        };
        sender(raw, info.push_name.as_deref())
    };
    Some(HistoricMessage {
        provider_message_id: key.id.clone()?,
        chat: chat.clone(),
        from_me,
        sender,
        content,
        at,
    })
}

/// Who wrote a message, from the address in its key: a number or a LID.
fn sender(raw: &str, push_name: Option<&str>) -> Sender {
    let (user, server) = raw.split_once('@').unwrap_or((raw, ""));
    let user = user.split(':').next().unwrap_or(user);
    Sender {
        phone: (server == "s.whatsapp.net")
            .then(|| PhoneNumber::parse(user).ok())
            .flatten(),
        lid: (server == "lid").then(|| format!("{user}@lid")),
        push_name: push_name.filter(|name| !name.is_empty()).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::waproto::buffa::MessageField;

    fn entry(
        id: &str,
        from_me: bool,
        participant: Option<&str>,
        message: wa::Message,
    ) -> wa::HistorySyncMsg {
        wa::HistorySyncMsg {
            message: MessageField::some(wa::WebMessageInfo {
                key: MessageField::some(wa::MessageKey {
                    remote_jid: Some("120363000000000001@g.us".to_owned()),
                    from_me: Some(from_me),
                    id: Some(id.to_owned()),
                    participant: participant.map(str::to_owned),
                }),
                message: MessageField::some(message),
                message_timestamp: Some(1_764_400_000),
                push_name: Some("Ann".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn text(body: &str) -> wa::Message {
        wa::Message {
            conversation: Some(body.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn texts_are_carried_over_and_media_counted_as_skipped() {
        let image = wa::Message {
            image_message: MessageField::some(wa::message::ImageMessage::default()),
            ..Default::default()
        };
        let sync = wa::HistorySync {
            progress: Some(40),
            conversations: vec![
                wa::Conversation {
                    id: "120363000000000001@g.us".to_owned(),
                    messages: vec![
                        entry(
                            "A1",
                            false,
                            Some("15550002222@s.whatsapp.net"),
                            text("Hi all"),
                        ),
                        entry("A2", true, None, text("Hello")),
                        entry("A3", false, Some("1001@lid"), image),
                    ],
                    ..Default::default()
                },
                wa::Conversation {
                    id: "not a jid".to_owned(),
                    messages: vec![entry("B1", false, None, text("lost"))],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let batch = batch(&sync);
        assert_eq!((batch.skipped, batch.progress), (2, Some(40)));
        let [theirs, mine] = &batch.messages[..] else {
            panic!("{:?}", batch.messages);
        };
        assert_eq!(theirs.provider_message_id, "A1");
        assert_eq!(theirs.chat.to_string(), "120363000000000001@g.us");
        assert_eq!(
            theirs.sender.phone.as_ref().map(PhoneNumber::as_str),
            Some("15550002222")
        );
        assert_eq!(theirs.sender.push_name.as_deref(), Some("Ann"));
        assert_eq!(theirs.at.timestamp(), 1_764_400_000);
        assert!(mine.from_me);
        assert_eq!(mine.sender, Sender::default());
    }

    #[test]
    fn senders_are_read_from_numbers_and_lids() {
        let by_number = sender("15550002222:3@s.whatsapp.net", Some(""));
        assert_eq!(by_number.phone.unwrap().as_str(), "15550002222");
        assert_eq!(by_number.push_name, None);
        let by_lid = sender("1001@lid", None);
        assert_eq!(
            (by_lid.phone, by_lid.lid.as_deref()),
            (None, Some("1001@lid"))
        );
    }
}
