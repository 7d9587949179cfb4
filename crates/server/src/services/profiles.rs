//! Profiles: what WhatsApp shows of a contact, and the number's own name and about.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{Capability, Jid, LinkedAccount, PhoneNumber};
use wagate_engine::ContactInfo;
use wagate_store::{ContactRecord, InstanceState};

const WHAT: &str = "read or change profiles";
/// WhatsApp's limits: a push name of 25 characters, an about of 139.
const NAME_MAX_CHARS: usize = 25;
const ABOUT_MAX_CHARS: usize = 139;

/// A contact as WhatsApp shows them, with what the gateway knows of them.
pub struct ContactProfile {
    pub jid: Jid,
    pub info: ContactInfo,
    /// Their saved and shown names, when the gateway has any.
    pub known: Option<ContactRecord>,
}

/// The number's own profile.
pub struct OwnProfile {
    pub me: LinkedAccount,
    pub info: ContactInfo,
}

impl Gateway {
    /// What WhatsApp shows of the contact with this phone number, and the names the gateway
    /// knows for them.
    pub async fn contact_profile(
        &self,
        principal: &Principal,
        id_or_name: &str,
        phone: &str,
    ) -> ServiceResult<ContactProfile> {
        let phone =
            PhoneNumber::parse(phone).map_err(|e| ServiceError::field("phone", e.to_string()))?;
        let jid = phone.to_jid();
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        let info = session.contact_info(&jid).await?;
        let known = self.known_contact(&instance.id, &phone).await?;
        Ok(ContactProfile { jid, info, known })
    }

    pub async fn own_profile(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<OwnProfile> {
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        let me = instance
            .me
            .ok_or_else(|| ServiceError::Conflict("the number is not linked".to_owned()))?;
        let info = session.contact_info(&me.phone.to_jid()).await?;
        Ok(OwnProfile { me, info })
    }

    /// Changes the name the number shows; the instance's `me.pushName` follows.
    pub async fn set_profile_name(
        &self,
        principal: &Principal,
        id_or_name: &str,
        name: &str,
    ) -> ServiceResult<OwnProfile> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            return Err(ServiceError::field(
                "name",
                format!("a name has 1 to {NAME_MAX_CHARS} characters"),
            ));
        }
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        session.set_profile_name(name).await?;
        self.store
            .update_instance(&instance.id, |current| {
                let mut state = InstanceState::of(current);
                let me = state.me.as_mut()?;
                me.push_name = Some(name.to_owned());
                Some((state, Vec::new()))
            })
            .await?;
        self.own_profile(principal, id_or_name).await
    }

    /// Changes the number's "about" text.
    pub async fn set_about(
        &self,
        principal: &Principal,
        id_or_name: &str,
        about: &str,
    ) -> ServiceResult<OwnProfile> {
        if about.chars().count() > ABOUT_MAX_CHARS {
            return Err(ServiceError::field(
                "status",
                format!("an about text has at most {ABOUT_MAX_CHARS} characters"),
            ));
        }
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        session.set_about(about).await?;
        self.own_profile(principal, id_or_name).await
    }
}
