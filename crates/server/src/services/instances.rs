//! Instances: creating, finding, listing and deleting an account's WhatsApp numbers.

use super::auth::{KeyKind, generate_key};
use super::event_payloads;
use super::{Gateway, Principal, ServiceError, ServiceResult};
use serde::Deserialize;
use wagate_core::{Capability, EngineKind, InstanceName, InstanceSettings, ValidationErrors};
use wagate_store::{InstanceCounts, InstanceRecord};

/// `POST /api/v1/instances`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewInstanceRequest {
    /// Unique within the account: letters, digits, '.', '_' and '-'. Usable in place of the id.
    #[schema(example = "sales")]
    pub name: Option<String>,
    /// `sandbox` (simulated WhatsApp), `web` (QR / pairing code) or `cloud` (Meta Cloud API).
    #[schema(example = "sandbox")]
    pub engine: Option<String>,
    /// A webhook for this instance's events, created with it.
    pub webhook: Option<InstanceWebhook>,
    /// Overrides of the server's defaults for this number (pacing).
    pub settings: Option<InstanceSettings>,
    /// The Cloud API number's credentials; required with `"engine": "cloud"`.
    pub cloud: Option<super::CloudCredentialsRequest>,
    /// The instance key, chosen by the caller (as Evolution's `token`) instead of generated:
    /// 16 to 200 visible characters. Stored only as its hash, like every key.
    #[serde(rename = "apiKey")]
    #[schema(example = "0c7f6a0e-6a4f-4d0e-9a51-3d2f8b1c9e77")]
    pub api_key: Option<String>,
}

/// Bounds of a chosen instance key.
const CHOSEN_KEY_CHARS: std::ops::RangeInclusive<usize> = 16..=200;

/// `PATCH /api/v1/instances/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct InstanceUpdateRequest {
    /// Replaces the instance's settings as a whole.
    pub settings: Option<InstanceSettings>,
}

/// The webhook created with an instance.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct InstanceWebhook {
    #[schema(example = "https://example.com/hooks/sales")]
    pub url: Option<String>,
    /// Event names, or `["*"]` (the default).
    pub events: Option<Vec<String>>,
}

/// A new instance and its key, which is shown only this once.
pub struct CreatedInstance {
    pub instance: InstanceRecord,
    pub api_key: String,
    /// The webhook created with it, with its secret.
    pub webhook: Option<super::CreatedWebhook>,
    /// A cloud instance's number (without its secrets).
    pub cloud: Option<wagate_store::CloudNumber>,
}

/// Refuses switches the engine (with `capabilities`) cannot honour, by field.
fn check_switches(
    capabilities: &[Capability],
    engine: EngineKind,
    settings: &InstanceSettings,
    errors: &mut ValidationErrors,
) {
    for (wanted, needs, field, what) in [
        (
            settings.always_online,
            Capability::Presence,
            "settings.alwaysOnline",
            "show the number online",
        ),
        (
            settings.sync_history,
            Capability::HistorySync,
            "settings.syncHistory",
            "import chat history",
        ),
    ] {
        if wanted && !capabilities.contains(&needs) {
            errors.push(
                field,
                format!("the {} engine cannot {what}", engine.as_str()),
            );
        }
    }
}

impl Gateway {
    /// Changes an instance's settings; account keys only, as they decide how hard a number
    /// may be driven.
    pub async fn update_instance(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: InstanceUpdateRequest,
    ) -> ServiceResult<InstanceRecord> {
        principal.account_manager()?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let Some(settings) = request.settings else {
            return Err(ServiceError::field("settings", "is required"));
        };
        settings.validate()?;
        let mut errors = ValidationErrors::default();
        check_switches(
            self.sessions.capabilities(instance.engine),
            instance.engine,
            &settings,
            &mut errors,
        );
        errors.finish(())?;
        let updated = self
            .store
            .set_instance_settings(&instance.id, &settings)
            .await?
            .ok_or(ServiceError::NotFound("instance"))?;
        // New gaps and caps apply from the next claim; wake the dispatcher to use them.
        self.dispatcher_wake.notify_one();
        if settings.always_online != instance.settings.always_online {
            self.show_online(&updated, settings.always_online).await;
        }
        if let Some(session) = self.sessions.live(&instance.id) {
            session.sync_history(settings.sync_history);
        }
        Ok(updated)
    }

    pub async fn create_instance(
        &self,
        principal: &Principal,
        request: NewInstanceRequest,
    ) -> ServiceResult<CreatedInstance> {
        self.create_instance_with(principal, request, true).await
    }

    /// Creates an instance; a cloud instance made through the account's own credential
    /// routes may come without an app secret (its webhooks are refused until it has one).
    pub(crate) async fn create_instance_with(
        &self,
        principal: &Principal,
        request: NewInstanceRequest,
        need_app_secret: bool,
    ) -> ServiceResult<CreatedInstance> {
        let account = principal.account_manager()?.clone();
        let mut errors = ValidationErrors::default();
        let name = match request.name.as_deref() {
            None => {
                errors.push("name", "is required");
                None
            }
            Some(raw) => InstanceName::parse(raw.trim())
                .map_err(|message| errors.push("name", message))
                .ok(),
        };
        let engine = match request.engine.as_deref() {
            None => Some(EngineKind::Sandbox),
            Some(raw) => match raw.parse::<EngineKind>() {
                Ok(engine) if self.sessions.supports(engine) => Some(engine),
                Ok(engine) => {
                    errors.push(
                        "engine",
                        format!(
                            "the {} engine is not available in this build; available: {}",
                            engine.as_str(),
                            self.sessions.available_names().join(", ")
                        ),
                    );
                    None
                }
                Err(message) => {
                    errors.push("engine", message);
                    None
                }
            },
        };
        if let Some(webhook) = &request.webhook {
            match webhook.url.as_deref() {
                None => errors.push("webhook.url", "is required"),
                Some(url) => {
                    if let Err(message) = self.webhook_client.check_target(url) {
                        errors.push("webhook.url", message);
                    }
                }
            }
            for name in webhook.events.iter().flatten() {
                if name != "*" && name.parse::<wagate_core::EventKind>().is_err() {
                    errors.push(
                        "webhook.events",
                        format!("'{name}' is not an event wagate emits"),
                    );
                }
            }
        }
        if let Some(key) = &request.api_key
            && (!CHOSEN_KEY_CHARS.contains(&key.chars().count())
                || !key.chars().all(|c| c.is_ascii_graphic()))
        {
            errors.push(
                "apiKey",
                "must be 16 to 200 visible ASCII characters (no spaces)",
            );
        }
        let settings = request.settings.unwrap_or_default();
        if let Err(invalid) = settings.validate() {
            errors.0.extend(invalid.0);
        }
        if let Some(engine) = engine {
            check_switches(
                self.sessions.capabilities(engine),
                engine,
                &settings,
                &mut errors,
            );
        }
        let cloud = match (engine, request.cloud) {
            (Some(EngineKind::Cloud), Some(cloud)) => {
                Some(cloud.parse(&super::cloud::in_cloud, need_app_secret, &mut errors))
            }
            (Some(EngineKind::Cloud), None) => {
                errors.push(
                    "cloud",
                    "is required for a cloud instance: {accessToken, phoneNumberId, appSecret, …}",
                );
                None
            }
            (_, Some(_)) => {
                errors.push("cloud", "is only for instances with \"engine\": \"cloud\"");
                None
            }
            (_, None) => None,
        };
        let (Some(name), Some(engine)) = (name, engine) else {
            return Err(errors.into());
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let sealed = match cloud {
            Some(mut clear) => {
                self.settle_endpoint(principal, None, &mut clear, &super::cloud::in_cloud)
                    .await?;
                Some(self.cloud_settings()?.seal(clear))
            }
            None => None,
        };
        let (key_id, api_key, hash) = match request.api_key {
            Some(chosen) => {
                let hash = super::hash_key(&chosen);
                (wagate_core::ApiKeyId::generate(), chosen, hash)
            }
            None => generate_key(KeyKind::Instance),
        };
        let instance = self
            .store
            .create_instance(
                wagate_store::NewInstance {
                    account_id: &account,
                    name: &name,
                    engine,
                    settings: &settings,
                    cloud: sealed.as_ref(),
                },
                &key_id,
                &hash,
                |record| vec![event_payloads::instance_created(record)],
            )
            .await?;
        let webhook = match request.webhook {
            None => None,
            Some(webhook) => Some(
                self.create_webhook(
                    principal,
                    super::WebhookRequest {
                        url: webhook.url,
                        events: webhook.events,
                        instance_id: Some(instance.id.to_string()),
                        description: Some(format!(
                            "created with the instance {}",
                            instance.name.as_str()
                        )),
                        ..Default::default()
                    },
                )
                .await?,
            ),
        };
        let cloud = match engine {
            EngineKind::Cloud => self.store.cloud_number(&instance.id).await?,
            _ => None,
        };
        Ok(CreatedInstance {
            instance,
            api_key,
            webhook,
            cloud,
        })
    }

    /// The instance a request means when its path names none (seed 001's `X-Instance-Id`,
    /// seed 003's key): the one the request names, else the one an instance key is limited
    /// to. `None` when the caller must name one.
    pub fn implied_instance(principal: &Principal, named: Option<&str>) -> Option<String> {
        named
            .map(str::trim)
            .filter(|named| !named.is_empty())
            .map(str::to_owned)
            .or_else(|| principal.instance_limit().map(ToString::to_string))
    }

    /// Finds an instance the caller may reach, by id or name. Others' instances are "not
    /// found", so their existence does not leak.
    pub async fn resolve_instance(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<InstanceRecord> {
        let account = principal.account()?;
        let asked = id_or_name.trim();
        let instance = match self.lookups.instance(&self.store, account, asked) {
            Some(instance) => instance,
            None => {
                let read_at = self.store.instance_writes();
                let instance = self
                    .store
                    .find_instance(account, asked)
                    .await?
                    .ok_or(ServiceError::NotFound("instance"))?;
                self.lookups
                    .remember_instance(account, asked, read_at, instance.clone());
                instance
            }
        };
        match principal.instance_limit() {
            Some(only) if only != &instance.id => Err(ServiceError::NotFound("instance")),
            _ => Ok(instance),
        }
    }

    pub async fn list_instances(
        &self,
        principal: &Principal,
    ) -> ServiceResult<Vec<InstanceRecord>> {
        let account = principal.account()?;
        let mut instances = self.store.list_instances(account).await?;
        if let Some(only) = principal.instance_limit() {
            instances.retain(|instance| &instance.id == only);
        }
        Ok(instances)
    }

    /// Deletes an instance: its session is closed and its messages and keys go with it.
    pub async fn delete_instance(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<()> {
        principal.account_manager()?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        self.sessions.close(&instance.id).await;
        self.store
            .delete_instance(&instance, vec![event_payloads::instance_deleted(&instance)])
            .await?;
        self.lookups.forget_keys();
        Ok(())
    }

    /// How much an instance the caller reaches holds: its messages, contacts and chats.
    pub async fn instance_counts(
        &self,
        principal: &Principal,
        instance: &InstanceRecord,
    ) -> ServiceResult<InstanceCounts> {
        let reachable = principal.account()? == &instance.account_id
            && principal
                .instance_limit()
                .is_none_or(|only| only == &instance.id);
        if !reachable {
            return Err(ServiceError::NotFound("instance"));
        }
        Ok(self.store.instance_counts(&instance.id).await?)
    }

    pub fn capabilities(&self, engine: EngineKind) -> &'static [Capability] {
        self.sessions.capabilities(engine)
    }
}
