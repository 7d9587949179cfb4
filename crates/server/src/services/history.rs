//! The chat history WhatsApp hands a newly linked device (`syncHistory`): imported as
//! messages at their own time, so the chat list and a chat's messages show the number's past,
//! with one `history.synced` event per chunk rather than a `message.received` per old
//! message. With the setting off, history is dropped; the group and status switches apply to
//! it as to what arrives live.

use super::intake::{event, sender_id};
use super::{Gateway, ServiceResult};
use serde_json::json;
use std::collections::HashSet;
use wagate_core::{EventKind, InstanceId, InstanceSettings, JidKind, Recipient};
use wagate_engine::{HistoricMessage, HistoryBatch};
use wagate_store::NewHistoricMessage;

/// Whether the instance's switches let this old message in, as they would a new one.
fn wanted(settings: &InstanceSettings, message: &HistoricMessage) -> bool {
    !(settings.ignore_groups && message.chat.kind() == JidKind::Group
        || settings.ignore_status && message.chat.is_status_broadcast())
}

fn stored_form(message: HistoricMessage) -> NewHistoricMessage {
    let recipient = match message.chat.phone() {
        Some(phone) => Recipient::Phone(phone),
        None => Recipient::Jid(message.chat.clone()),
    };
    NewHistoricMessage {
        provider_message_id: message.provider_message_id,
        chat_jid: message.chat.to_string(),
        recipient: recipient.normalized(),
        from_me: message.from_me,
        sender: (!message.from_me).then(|| sender_id(&message.sender)),
        sender_lid: message.sender.lid,
        push_name: message.sender.push_name,
        content: message.content,
        at: message.at,
    }
}

impl Gateway {
    pub(crate) async fn on_history(
        &self,
        instance_id: &InstanceId,
        batch: HistoryBatch,
    ) -> ServiceResult<()> {
        let Some(instance) = self.store.get_instance(instance_id).await? else {
            return Ok(());
        };
        if !instance.settings.sync_history {
            return Ok(());
        }
        let messages: Vec<NewHistoricMessage> = batch
            .messages
            .into_iter()
            .filter(|message| wanted(&instance.settings, message))
            .map(stored_form)
            .collect();
        let chats = messages
            .iter()
            .map(|message| message.chat_jid.as_str())
            .collect::<HashSet<_>>()
            .len();
        let (skipped, progress) = (batch.skipped, batch.progress);
        self.store
            .insert_history(&instance.account_id, &instance.id, &messages, |stored| {
                vec![event(
                    &instance,
                    EventKind::HistorySynced,
                    json!({
                        "messages": stored,
                        "chats": chats,
                        "skipped": skipped,
                        "progress": progress,
                    }),
                )]
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use wagate_core::{Jid, MessageContent, PhoneNumber, TextBody};
    use wagate_engine::Sender;

    fn message(chat: &str, from_me: bool) -> HistoricMessage {
        HistoricMessage {
            provider_message_id: "3EB0AA".to_owned(),
            chat: Jid::parse(chat).unwrap(),
            from_me,
            sender: Sender {
                phone: (!from_me).then(|| PhoneNumber::parse("15550002222").unwrap()),
                lid: None,
                push_name: None,
            },
            content: MessageContent::Text {
                body: TextBody::parse("hi").unwrap(),
                preview_url: false,
            },
            at: Utc::now(),
        }
    }

    #[test]
    fn the_switches_apply_to_history_as_to_live_messages() {
        let settings = InstanceSettings {
            ignore_groups: true,
            ignore_status: true,
            ..InstanceSettings::default()
        };
        assert!(wanted(
            &settings,
            &message("15550002222@s.whatsapp.net", false)
        ));
        assert!(!wanted(
            &settings,
            &message("120363000000000001@g.us", false)
        ));
        assert!(!wanted(&settings, &message("status@broadcast", false)));
        assert!(wanted(
            &InstanceSettings::default(),
            &message("120363000000000001@g.us", false)
        ));
    }

    #[test]
    fn own_messages_are_addressed_to_the_chat_and_others_come_from_their_sender() {
        let own = stored_form(message("15550002222@s.whatsapp.net", true));
        assert_eq!((own.recipient.as_str(), own.sender), ("15550002222", None));
        let group = stored_form(message("120363000000000001@g.us", false));
        assert_eq!(group.recipient, "120363000000000001@g.us");
        assert_eq!(group.sender.as_deref(), Some("15550002222"));
    }
}
