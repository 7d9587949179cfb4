//! Webhook endpoints' secrets at rest. The signing secret and the values of custom headers
//! (often the receiver's own credentials) are sealed with the secrets key before the store
//! sees them, each bound to its endpoint and field, and opened only to sign and send a
//! delivery. The API shows header names, never their values.

use super::secrets::{SecretBox, SecretError};
use super::{Gateway, ServiceResult};
use crate::webhooks::WebhookSecret;
use std::collections::BTreeMap;
use wagate_store::WebhookRecord;

/// What a delivery is signed and sent with, in clear.
pub(crate) struct OpenedWebhook {
    pub secret: WebhookSecret,
    pub headers: Vec<(String, String)>,
}

fn secret_context(webhook_id: &str) -> String {
    format!("{webhook_id}/secret")
}

fn header_context(webhook_id: &str, name: &str) -> String {
    format!("{webhook_id}/header/{name}")
}

/// A stored value in clear: sealed ones are opened; one without the sealed format's prefix
/// was written before values were sealed and is plain text. (A plain secret is `whsec_…` and
/// never looks sealed; a plain header value that began with the prefix would be taken for a
/// sealed one and fail to open, so its deliveries fail loudly rather than send a wrong value.)
fn open_stored(secrets: &SecretBox, context: &str, stored: &str) -> Result<String, SecretError> {
    if SecretBox::is_sealed(stored) {
        secrets.open(context, stored)
    } else {
        Ok(stored.to_owned())
    }
}

impl Gateway {
    /// The signing secret as stored.
    pub(crate) fn seal_webhook_secret(&self, webhook_id: &str, secret: &WebhookSecret) -> String {
        self.secrets
            .seal(&secret_context(webhook_id), secret.as_str())
    }

    /// Custom headers as stored: names in clear, values sealed.
    pub(crate) fn seal_webhook_headers(
        &self,
        webhook_id: &str,
        headers: BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        headers
            .into_iter()
            .map(|(name, value)| {
                let sealed = self
                    .secrets
                    .seal(&header_context(webhook_id, &name), &value);
                (name, sealed)
            })
            .collect()
    }

    /// The secret and headers of a stored endpoint, in clear.
    pub(crate) fn open_webhook(
        &self,
        webhook: &WebhookRecord,
    ) -> Result<OpenedWebhook, SecretError> {
        let secret = open_stored(&self.secrets, &secret_context(&webhook.id), &webhook.secret)?;
        let headers = webhook
            .headers
            .iter()
            .map(|(name, stored)| {
                let context = header_context(&webhook.id, name);
                Ok((name.clone(), open_stored(&self.secrets, &context, stored)?))
            })
            .collect::<Result<_, SecretError>>()?;
        Ok(OpenedWebhook {
            secret: WebhookSecret::from_stored(secret),
            headers,
        })
    }

    /// At start-up: seals the secrets and header values stored in plain text before they were
    /// sealed. Doing it once here, rather than on each endpoint's next change, leaves no plain
    /// value in the database for endpoints nobody edits; each value is sealed from its own
    /// plain text in the transaction that reads it, so nothing is lost, and a value written in
    /// plain text meanwhile (a node not yet upgraded) is still read as plain until the next
    /// start seals it. Answers how many endpoints were sealed.
    pub async fn seal_plain_webhook_secrets(&self) -> ServiceResult<usize> {
        let sealed = self
            .store
            .rewrite_webhook_secrets(|webhook| {
                let plain_secret = !SecretBox::is_sealed(&webhook.secret);
                let plain_headers = webhook.headers.values().any(|v| !SecretBox::is_sealed(v));
                if !plain_secret && !plain_headers {
                    return None;
                }
                let secret = if plain_secret {
                    self.secrets
                        .seal(&secret_context(&webhook.id), &webhook.secret)
                } else {
                    webhook.secret.clone()
                };
                let headers = webhook
                    .headers
                    .iter()
                    .map(|(name, value)| {
                        let value = if SecretBox::is_sealed(value) {
                            value.clone()
                        } else {
                            self.secrets.seal(&header_context(&webhook.id, name), value)
                        };
                        (name.clone(), value)
                    })
                    .collect();
                Some((secret, headers))
            })
            .await?;
        if sealed > 0 {
            tracing::info!(
                endpoints = sealed,
                "sealed webhook secrets and headers kept in plain text"
            );
        }
        Ok(sealed)
    }
}
