//! Blocking contacts: a blocked contact can no longer write to or call the number.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{Capability, Jid, PhoneNumber};

const WHAT: &str = "block contacts";

impl Gateway {
    /// Blocks (or unblocks) the contact with this phone number; answers their chat address.
    pub async fn set_contact_blocked(
        &self,
        principal: &Principal,
        id_or_name: &str,
        phone: &str,
        blocked: bool,
    ) -> ServiceResult<Jid> {
        let contact = PhoneNumber::parse(phone)
            .map_err(|e| ServiceError::field("phone", e.to_string()))?
            .to_jid();
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::BlockContacts, WHAT)
            .await?;
        session.set_blocked(&contact, blocked).await?;
        Ok(contact)
    }

    /// The contacts the number has blocked.
    pub async fn blocklist(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<Jid>> {
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::BlockContacts, WHAT)
            .await?;
        Ok(session.blocklist().await?)
    }
}
