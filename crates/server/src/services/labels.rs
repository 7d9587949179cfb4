//! WhatsApp Business labels: created, renamed, recoloured and deleted, put on chats and taken
//! off — on WhatsApp first, then kept by the gateway. Changes made on the number's other
//! devices arrive from the engine and are kept the same way. Each change is one
//! `label.updated` or `label.chat_updated` event, however many times it arrives.

use super::chats::parse_chat;
use super::{Gateway, Principal, ServiceError, ServiceResult};
use serde_json::json;
use wagate_core::{Capability, EventKind, InstanceId, Jid};
use wagate_engine::{LABEL_COLORS, Label, LabelEvent};
use wagate_store::{InstanceRecord, LabelRecord, NewEvent};

const NAME_MAX_CHARS: usize = 100;
const WHAT: &str = "use labels";

fn parse_name(raw: &str) -> ServiceResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(ServiceError::field(
            "name",
            format!("a label's name has 1 to {NAME_MAX_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

fn parse_color(color: i64) -> ServiceResult<u8> {
    u8::try_from(color)
        .ok()
        .filter(|c| *c < LABEL_COLORS)
        .ok_or_else(|| {
            ServiceError::field(
                "color",
                format!("a colour of WhatsApp's palette, 0 to {}", LABEL_COLORS - 1),
            )
        })
}

fn label_event(instance: &InstanceRecord, kind: EventKind, data: serde_json::Value) -> NewEvent {
    NewEvent {
        account_id: instance.account_id.clone(),
        instance_id: Some(instance.id.clone()),
        instance_name: None,
        kind,
        data,
    }
}

fn saved_data(label: &Label) -> serde_json::Value {
    json!({ "labelId": label.id, "name": label.name, "color": label.color, "deleted": false })
}

fn deleted_data(id: &str) -> serde_json::Value {
    json!({ "labelId": id, "name": null, "color": null, "deleted": true })
}

fn chat_data(label: &str, chat: &Jid, labeled: bool) -> serde_json::Value {
    json!({ "labelId": label, "chat": chat.to_string(), "labeled": labeled })
}

impl Gateway {
    /// The instance's labels by name, with how many chats carry each.
    pub async fn list_labels(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<LabelRecord>> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        Ok(self.store.list_labels(&instance.id).await?)
    }

    /// Creates a label on WhatsApp (the next colour of the palette unless one is given).
    pub async fn create_label(
        &self,
        principal: &Principal,
        id_or_name: &str,
        name: &str,
        color: Option<i64>,
    ) -> ServiceResult<LabelRecord> {
        let name = parse_name(name)?;
        let color = color.map(parse_color).transpose()?;
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Labels, WHAT)
            .await?;
        // One creation at a time per number, so two never take the same id.
        let creating = self
            .label_ids
            .get_with(instance.id.clone(), Default::default);
        let _creating = creating.lock().await;
        let slot = self.store.new_label_slot(&instance.id).await?;
        let label = Label {
            id: slot.id,
            name,
            color: color.unwrap_or((slot.existing % usize::from(LABEL_COLORS)) as u8),
        };
        session.save_label(&label).await?;
        self.keep_label(&instance, &label).await?;
        self.label_of(&instance.id, &label.id).await
    }

    /// Renames or recolours a label.
    pub async fn update_label(
        &self,
        principal: &Principal,
        id_or_name: &str,
        label: &str,
        name: Option<&str>,
        color: Option<i64>,
    ) -> ServiceResult<LabelRecord> {
        if name.is_none() && color.is_none() {
            return Err(ServiceError::field("name", "give a name, a color or both"));
        }
        let name = name.map(parse_name).transpose()?;
        let color = color.map(parse_color).transpose()?;
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Labels, WHAT)
            .await?;
        let current = self.label_of(&instance.id, label).await?;
        let label = Label {
            id: current.id,
            name: name.unwrap_or(current.name),
            color: color.unwrap_or(current.color),
        };
        session.save_label(&label).await?;
        self.keep_label(&instance, &label).await?;
        self.label_of(&instance.id, &label.id).await
    }

    /// Deletes a label; it comes off every chat.
    pub async fn delete_label(
        &self,
        principal: &Principal,
        id_or_name: &str,
        label: &str,
    ) -> ServiceResult<()> {
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Labels, WHAT)
            .await?;
        let label = self.label_of(&instance.id, label).await?;
        session.delete_label(&label.id).await?;
        self.store
            .delete_label(&instance.id, &label.id, || {
                vec![label_event(
                    &instance,
                    EventKind::LabelUpdated,
                    deleted_data(&label.id),
                )]
            })
            .await?;
        Ok(())
    }

    /// Puts a label on a chat, or takes it off; answers the chat.
    pub async fn label_chat(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        label: &str,
        labeled: bool,
    ) -> ServiceResult<Jid> {
        let chat = parse_chat(chat)?;
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Labels, WHAT)
            .await?;
        let label = self.label_of(&instance.id, label).await?;
        session.label_chat(&chat, &label.id, labeled).await?;
        self.store
            .set_chat_label(&instance.id, &label.id, &chat.to_string(), labeled, || {
                vec![label_event(
                    &instance,
                    EventKind::LabelChatUpdated,
                    chat_data(&label.id, &chat, labeled),
                )]
            })
            .await?;
        Ok(chat)
    }

    /// The chats that carry a label.
    pub async fn labeled_chats(
        &self,
        principal: &Principal,
        id_or_name: &str,
        label: &str,
    ) -> ServiceResult<Vec<String>> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let label = self.label_of(&instance.id, label).await?;
        Ok(self.store.labeled_chats(&instance.id, &label.id).await?)
    }

    /// A label change made on another of the number's devices.
    pub(crate) async fn on_label_event(
        &self,
        instance_id: &InstanceId,
        event: LabelEvent,
    ) -> ServiceResult<()> {
        let Some(instance) = self.store.get_instance(instance_id).await? else {
            return Ok(());
        };
        match event {
            LabelEvent::Saved(label) => self.keep_label(&instance, &label).await?,
            LabelEvent::Deleted { id } => {
                self.store
                    .delete_label(&instance.id, &id, || {
                        vec![label_event(
                            &instance,
                            EventKind::LabelUpdated,
                            deleted_data(&id),
                        )]
                    })
                    .await?;
            }
            LabelEvent::Chat {
                label,
                chat,
                labeled,
            } => {
                self.store
                    .set_chat_label(&instance.id, &label, &chat.to_string(), labeled, || {
                        vec![label_event(
                            &instance,
                            EventKind::LabelChatUpdated,
                            chat_data(&label, &chat, labeled),
                        )]
                    })
                    .await?;
            }
        }
        Ok(())
    }

    async fn keep_label(&self, instance: &InstanceRecord, label: &Label) -> ServiceResult<()> {
        self.store
            .save_label(&instance.id, &label.id, &label.name, label.color, || {
                vec![label_event(
                    instance,
                    EventKind::LabelUpdated,
                    saved_data(label),
                )]
            })
            .await?;
        Ok(())
    }

    async fn label_of(&self, instance: &InstanceId, label: &str) -> ServiceResult<LabelRecord> {
        self.store
            .get_label(instance, label.trim())
            .await?
            .ok_or(ServiceError::NotFound("label"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_colours_are_checked() {
        assert_eq!(parse_name("  New customer ").unwrap(), "New customer");
        assert!(parse_name(" ").is_err());
        assert!(parse_name(&"x".repeat(101)).is_err());
        assert_eq!(parse_color(19).unwrap(), 19);
        assert!(parse_color(20).is_err());
        assert!(parse_color(-1).is_err());
    }
}
