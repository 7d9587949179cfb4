//! Sends that name no instance (seed 004's `POST /send-message` and `POST /messages/bulk`): an
//! account sends from its one number. Which number that is, is decided here once.
//!
//! - An instance key sends from its instance.
//! - `instance` (an id or a name) picks one of the account's numbers.
//! - Otherwise the account's own Cloud API number (seed 004's BYOC credentials), once its
//!   credentials are saved; else the account's only instance, whatever its engine.
//! - With several instances and none of those rules deciding, the caller must choose: the
//!   validation error on `instance` names the choices.

use super::ServiceResult;
use super::{BulkOutcome, BulkRequest, Gateway, Principal, SendRequest, ServiceError};
use wagate_store::{InstanceRecord, MessageRecord};

/// The names listed when the caller must choose (the rest are counted).
const NAMED_CHOICES: usize = 20;

/// Which of the account's instances (by their names) a send goes out from: `own`, the
/// account's Cloud API number, when it has one; else the only one. Else why not, as the
/// `instance` field's error says it.
fn choice(names: &[&str], own: Option<usize>) -> Result<usize, String> {
    if let Some(own) = own {
        return Ok(own);
    }
    match names.len() {
        0 => Err(
            "the account has no WhatsApp number yet: save Cloud API credentials with \
             PUT /auth/me/credentials, or create and link an instance"
                .to_owned(),
        ),
        1 => Ok(0),
        count => {
            let mut sorted = names.to_vec();
            sorted.sort_unstable();
            let mut listed = sorted
                .iter()
                .take(NAMED_CHOICES)
                .map(|name| format!("'{name}'"))
                .collect::<Vec<_>>()
                .join(", ");
            if count > NAMED_CHOICES {
                listed.push_str(&format!(" and {} more", count - NAMED_CHOICES));
            }
            Err(format!(
                "the account has {count} numbers; name the one to send from in 'instance': {listed}"
            ))
        }
    }
}

impl Gateway {
    /// The instance a send without an instance in its path goes out from (see the module
    /// docs). A choice the caller must make is a validation error on `instance`.
    pub async fn account_sender(
        &self,
        principal: &Principal,
        instance: Option<&str>,
    ) -> ServiceResult<InstanceRecord> {
        let asked = instance.map(str::trim).filter(|asked| !asked.is_empty());
        if let Some(asked) = asked {
            return self.resolve_instance(principal, asked).await;
        }
        if let Some(only) = principal.instance_limit() {
            return self.resolve_instance(principal, only.as_str()).await;
        }
        let byoc = self.byoc_state(principal).await?;
        let own = byoc.instance.filter(|_| byoc.configured);
        let mut instances = self.list_instances(principal).await?;
        let names: Vec<&str> = instances.iter().map(|i| i.name.as_str()).collect();
        let own = own.and_then(|own| instances.iter().position(|i| i.id == own.id));
        let at = choice(&names, own).map_err(|message| ServiceError::field("instance", message))?;
        Ok(instances.swap_remove(at))
    }

    /// Queues a send from `sender` (what [`Gateway::account_sender`] chose).
    pub async fn send_from(
        &self,
        principal: &Principal,
        sender: &InstanceRecord,
        request: SendRequest,
    ) -> ServiceResult<MessageRecord> {
        self.send_message(principal, sender.id.as_str(), request)
            .await
    }

    /// Queues a bulk send from `sender`.
    pub async fn send_bulk_from(
        &self,
        principal: &Principal,
        sender: &InstanceRecord,
        request: BulkRequest,
    ) -> ServiceResult<BulkOutcome> {
        self.send_bulk(principal, sender.id.as_str(), request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_number_or_the_only_one_sends_else_the_choices_are_named() {
        assert_eq!(choice(&["sales", "cloud-1"], Some(1)), Ok(1));
        assert_eq!(choice(&["sales"], None), Ok(0));
        assert!(
            choice(&[], None)
                .unwrap_err()
                .contains("no WhatsApp number")
        );
        let several = choice(&["support", "sales"], None).unwrap_err();
        assert!(several.contains("2 numbers"), "{several}");
        assert!(several.contains("'sales', 'support'"), "{several}");
        let names: Vec<String> = (0..25).map(|n| format!("n{n:02}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let many = choice(&names, None).unwrap_err();
        assert!(many.ends_with("and 5 more"), "{many}");
    }
}
