//! Contacts: the names the number saved (through the API, or on its phone as WhatsApp syncs
//! them) and the names people show, learned from the messages they send.
//!
//! Learning a shown name writes only when it changed: the names last written are kept in
//! memory, so a busy chat does not cost a write per message.

use super::paging::{Paging, offset};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use moka::sync::Cache;
use wagate_core::{Capability, InstanceId, PhoneNumber, ValidationErrors};
use wagate_engine::Sender;
use wagate_store::{ContactRecord, Page};

const PAGING: Paging = Paging {
    default_size: 50,
    max_size: 500,
};
/// Most contacts one `PUT …/contacts` saves.
pub const MAX_SAVED_AT_ONCE: usize = 100;
const NAME_MAX_CHARS: usize = 100;

/// The shown names last written, per instance and number.
pub(crate) struct KnownPushNames(Cache<(InstanceId, PhoneNumber), String>);

impl KnownPushNames {
    pub fn new() -> Self {
        Self(Cache::builder().max_capacity(200_000).build())
    }
}

/// A contact to save: their number and the name to give them.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedContactRequest {
    #[schema(example = "15550002222")]
    pub phone: String,
    #[schema(example = "Ann Smith")]
    pub name: String,
}

fn parse_saved(contacts: &[SavedContactRequest]) -> ServiceResult<Vec<(PhoneNumber, String)>> {
    if contacts.is_empty() || contacts.len() > MAX_SAVED_AT_ONCE {
        return Err(ServiceError::field(
            "contacts",
            format!("between 1 and {MAX_SAVED_AT_ONCE} contacts"),
        ));
    }
    let mut errors = ValidationErrors::default();
    let mut parsed = Vec::with_capacity(contacts.len());
    for (at, contact) in contacts.iter().enumerate() {
        let phone = PhoneNumber::parse(&contact.phone)
            .map_err(|e| errors.push(format!("contacts[{at}].phone"), e.to_string()))
            .ok();
        let name = contact.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            errors.push(
                format!("contacts[{at}].name"),
                format!("a name has 1 to {NAME_MAX_CHARS} characters"),
            );
        }
        if let Some(phone) = phone {
            parsed.push((phone, name.to_owned()));
        }
    }
    Ok(errors.finish(parsed)?)
}

impl Gateway {
    /// The instance's contacts by name; `search` matches part of a number or name.
    pub async fn list_contacts(
        &self,
        principal: &Principal,
        id_or_name: &str,
        search: Option<&str>,
        limit: Option<i64>,
        page: Option<i64>,
    ) -> ServiceResult<(Page<ContactRecord>, i64, i64)> {
        let (limit, page) = PAGING.parse(limit, page)?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let search = search.map(str::trim).filter(|term| !term.is_empty());
        let contacts = self
            .store
            .list_contacts(&instance.id, search, limit, offset(limit, page))
            .await?;
        Ok((contacts, page, limit))
    }

    /// What the gateway knows of one contact of the instance (their saved and shown names),
    /// by phone number or user JID; `None` when it knows nothing of them.
    pub async fn find_contact(
        &self,
        principal: &Principal,
        id_or_name: &str,
        phone: &str,
    ) -> ServiceResult<Option<ContactRecord>> {
        let phone = wagate_core::Recipient::parse(phone)
            .ok()
            .and_then(|recipient| recipient.jid().phone())
            .ok_or_else(|| {
                ServiceError::field("phone", format!("'{phone}' is not a phone number"))
            })?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        self.known_contact(&instance.id, &phone).await
    }

    /// Saves contacts' names in the number's address book, then in the gateway; answers the
    /// contacts as saved. A contact WhatsApp refuses stops the rest; those before it are kept.
    pub async fn save_contacts(
        &self,
        principal: &Principal,
        id_or_name: &str,
        contacts: &[SavedContactRequest],
    ) -> ServiceResult<Vec<ContactRecord>> {
        let contacts = parse_saved(contacts)?;
        let (instance, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::SaveContacts,
                "save contacts",
            )
            .await?;
        let mut saved = Vec::with_capacity(contacts.len());
        for (phone, name) in contacts {
            session.save_contact(&phone.to_jid(), &name).await?;
            saved.push(
                self.store
                    .save_contact_name(&instance.id, phone.as_str(), Some(&name))
                    .await?,
            );
        }
        Ok(saved)
    }

    /// The number saved, renamed or removed a contact on one of its devices.
    pub(crate) async fn on_contact_saved(
        &self,
        instance: &InstanceId,
        phone: &PhoneNumber,
        name: Option<&str>,
    ) -> ServiceResult<()> {
        self.store
            .save_contact_name(instance, phone.as_str(), name)
            .await?;
        Ok(())
    }

    /// Keeps the name a sender shows, when it changed since last written.
    pub(crate) async fn remember_sender(
        &self,
        instance: &InstanceId,
        sender: &Sender,
    ) -> ServiceResult<()> {
        let (Some(phone), Some(push_name)) = (&sender.phone, &sender.push_name) else {
            return Ok(());
        };
        let key = (instance.clone(), phone.clone());
        if self.push_names.0.get(&key).as_ref() == Some(push_name) {
            return Ok(());
        }
        self.store
            .remember_push_name(instance, phone.as_str(), push_name, sender.lid.as_deref())
            .await?;
        self.push_names.0.insert(key, push_name.clone());
        Ok(())
    }

    /// What the gateway knows of a contact: the saved and the shown name.
    pub(crate) async fn known_contact(
        &self,
        instance: &InstanceId,
        phone: &PhoneNumber,
    ) -> ServiceResult<Option<ContactRecord>> {
        Ok(self.store.get_contact(instance, phone.as_str()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(phone: &str, name: &str) -> SavedContactRequest {
        SavedContactRequest {
            phone: phone.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn saved_contacts_are_checked_each_by_its_place() {
        let parsed = parse_saved(&[contact("+1 555 000 2222", "  Ann Smith ")]).unwrap();
        assert_eq!(parsed[0].0.as_str(), "15550002222");
        assert_eq!(parsed[0].1, "Ann Smith");
        let Err(ServiceError::Validation(errors)) =
            parse_saved(&[contact("15550002222", "Ann"), contact("hello", " ")])
        else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contacts[1].phone", "contacts[1].name"]);
        assert!(parse_saved(&[]).is_err());
        let too_many = vec![contact("15550002222", "Ann"); MAX_SAVED_AT_ONCE + 1];
        assert!(parse_saved(&too_many).is_err());
    }
}
