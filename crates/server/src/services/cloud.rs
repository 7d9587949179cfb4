//! Cloud numbers: their credentials (sealed at rest), checking them with Meta, bringing their
//! sessions up, and their message templates.
//!
//! A cloud instance has no QR code: it is `open` once Meta accepted its credentials
//! (`POST /instances/{id}/verify`, or `connect`), `credentials_invalid` when Meta refuses them
//! (error 190), and comes back by itself after a restart with the credentials it keeps.

use super::event_payloads as payloads;
use super::secrets::{SecretBox, SecretError};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use wagate_core::{EngineKind, InstanceId, InstanceStatus, MessageContent, ValidationErrors};
use wagate_engine::cloud::graph::Credentials;
use wagate_engine::cloud::graph_error::{GraphError, GraphErrorKind};
use wagate_engine::{ConnectMode, ConnectOutcome, EngineError, MessageTemplate, NewTemplate};
use wagate_store::{
    CloudCredentials, CloudNumber, CloudVerification, InstanceRecord, InstanceState, MessageRecord,
};

/// How long after a customer's message a business may write to them freely.
const SERVICE_WINDOW_HOURS: i64 = 24;
/// A message's error code when it failed for a closed service window.
pub const SERVICE_WINDOW_CLOSED: &str = "SERVICE_WINDOW_CLOSED";

/// How the gateway runs cloud numbers.
#[derive(Clone, Debug)]
pub struct CloudSettings {
    pub secrets: SecretBox,
    /// Messages per second a cloud number sends unless its settings say otherwise.
    pub messages_per_second: u32,
    /// Free-form messages outside the 24-hour customer service window fail before sending.
    pub enforce_service_window: bool,
    /// Account keys may choose a number's Graph API endpoint (always reached through the
    /// outbound guard); otherwise only the admin key may.
    pub allow_tenant_base_url: bool,
}

/// `cloud` of `POST /api/v1/instances`: the number's credentials from Meta's developer console.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudCredentialsRequest {
    /// A system user's access token with `whatsapp_business_messaging` permission.
    #[schema(example = "EAAG…")]
    pub access_token: Option<String>,
    /// Meta's id of the number (not the phone number).
    #[schema(example = "106540352242922")]
    pub phone_number_id: Option<String>,
    /// The WhatsApp Business Account id; needed for templates.
    #[schema(example = "102290129340398")]
    pub business_account_id: Option<String>,
    /// The Meta app's secret: Meta's webhooks are signed with it.
    pub app_secret: Option<String>,
    /// What Meta must present when it verifies the webhook URL; generated when absent.
    pub verify_token: Option<String>,
    /// Another Graph API version than the server's (`[cloud] graph_version`).
    #[schema(example = "v23.0")]
    pub graph_version: Option<String>,
    /// Another Graph API base URL than the server's (`[cloud] base_url`), e.g. a proxy.
    pub base_url: Option<String>,
}

/// A cloud number as the API shows it: never its secrets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudNumberView {
    pub phone_number_id: String,
    pub business_account_id: Option<String>,
    /// Where Meta must send this number's webhooks (under the gateway's public address).
    #[schema(example = "/webhooks/meta/ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub webhook_path: String,
    /// What to enter as "Verify token" in Meta's webhook settings.
    pub verify_token: String,
    pub graph_version: Option<String>,
    pub base_url: Option<String>,
    /// What Meta said of the number at the last successful verification.
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_rating: Option<String>,
    pub verified_at: Option<String>,
}

impl CloudNumberView {
    pub fn new(number: &CloudNumber) -> Self {
        let verification = number.verification.as_ref();
        Self {
            phone_number_id: number.credentials.phone_number_id.clone(),
            business_account_id: number.credentials.business_account_id.clone(),
            webhook_path: format!("/webhooks/meta/{}", number.instance_id),
            verify_token: number.credentials.verify_token.clone(),
            graph_version: number.credentials.graph_version.clone(),
            base_url: number.credentials.graph_base_url.clone(),
            display_phone_number: verification.map(|v| v.display_phone_number.clone()),
            verified_name: verification.and_then(|v| v.verified_name.clone()),
            quality_rating: verification.and_then(|v| v.quality_rating.clone()),
            verified_at: verification.map(|v| payloads::rfc3339(v.at)),
        }
    }
}

/// `POST /api/v1/instances/{id}/templates`: a template to submit for Meta's review.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateRequest {
    #[schema(example = "order_shipped")]
    pub name: Option<String>,
    #[schema(example = "en_US")]
    pub language: Option<String>,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    #[schema(example = "UTILITY")]
    pub category: Option<String>,
    /// Meta's components (HEADER, BODY, FOOTER, BUTTONS) as Meta describes them.
    #[schema(value_type = Vec<Object>)]
    pub components: Option<serde_json::Value>,
}

fn required(errors: &mut ValidationErrors, field: &str, value: Option<String>) -> String {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        Some(value) => value,
        None => {
            errors.push(field, "is required");
            String::new()
        }
    }
}

fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl CloudCredentialsRequest {
    /// The credentials in clear, or what is wrong with them (`field` names each field as the
    /// caller's request does).
    pub(crate) fn parse(
        self,
        field: &dyn Fn(&str) -> String,
        need_app_secret: bool,
        errors: &mut ValidationErrors,
    ) -> CloudCredentials {
        let access_token = required(errors, &field("accessToken"), self.access_token);
        let phone_number_id = required(errors, &field("phoneNumberId"), self.phone_number_id);
        if !phone_number_id.is_empty() && !phone_number_id.chars().all(|c| c.is_ascii_digit()) {
            errors.push(
                field("phoneNumberId"),
                "must be Meta's numeric id of the number (not the phone number itself)",
            );
        }
        let business_account_id = optional(self.business_account_id);
        if business_account_id
            .as_deref()
            .is_some_and(|id| !id.chars().all(|c| c.is_ascii_digit()))
        {
            errors.push(field("businessAccountId"), "must be Meta's numeric id");
        }
        let app_secret = if need_app_secret {
            required(errors, &field("appSecret"), self.app_secret)
        } else {
            optional(self.app_secret).unwrap_or_default()
        };
        let graph_version = optional(self.graph_version);
        if graph_version.as_deref().is_some_and(|version| {
            !(version.starts_with('v')
                && version[1..].split('.').count() == 2
                && version[1..]
                    .split('.')
                    .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit())))
        }) {
            errors.push(field("graphVersion"), "must look like v23.0");
        }
        let base_url = optional(self.base_url);
        if base_url.as_deref().is_some_and(|url| {
            !url::Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
        }) {
            errors.push(field("baseUrl"), "must be an http(s) URL");
        }
        // Who set them is decided by `Gateway::authorize_endpoint`, which knows the caller.
        CloudCredentials {
            phone_number_id,
            business_account_id,
            access_token,
            app_secret,
            verify_token: optional(self.verify_token).unwrap_or_else(|| {
                use rand::Rng;
                hex::encode(rand::rng().random::<[u8; 16]>())
            }),
            graph_base_url: base_url,
            graph_version,
            graph_endpoint_by_operator: false,
        }
    }
}

/// Field names of the `cloud` object of instance requests.
pub(crate) fn in_cloud(name: &str) -> String {
    format!("cloud.{name}")
}

fn context(phone_number_id: &str, field: &str) -> String {
    format!("cloud/{phone_number_id}/{field}")
}

impl CloudSettings {
    /// The credentials as stored: the access token and the app secret sealed.
    pub(crate) fn seal(&self, clear: CloudCredentials) -> CloudCredentials {
        let id = clear.phone_number_id.clone();
        CloudCredentials {
            access_token: self
                .secrets
                .seal(&context(&id, "access_token"), &clear.access_token),
            app_secret: self
                .secrets
                .seal(&context(&id, "app_secret"), &clear.app_secret),
            ..clear
        }
    }

    /// The credentials in clear.
    pub(crate) fn open(&self, stored: &CloudCredentials) -> Result<CloudCredentials, SecretError> {
        let id = &stored.phone_number_id;
        Ok(CloudCredentials {
            access_token: self
                .secrets
                .open(&context(id, "access_token"), &stored.access_token)?,
            app_secret: self
                .secrets
                .open(&context(id, "app_secret"), &stored.app_secret)?,
            ..stored.clone()
        })
    }
}

/// What the engine authenticates with.
pub(crate) fn engine_credentials(clear: &CloudCredentials) -> Credentials {
    Credentials {
        access_token: clear.access_token.clone(),
        phone_number_id: clear.phone_number_id.clone(),
        business_account_id: clear.business_account_id.clone(),
        base_url: clear.graph_base_url.clone(),
        graph_version: clear.graph_version.clone(),
        base_url_by_operator: clear.graph_endpoint_by_operator,
    }
}

/// Whether the credentials point the number at another Graph API than the server's.
fn overrides_endpoint(clear: &CloudCredentials) -> bool {
    clear.graph_base_url.is_some() || clear.graph_version.is_some()
}

fn unreadable(error: SecretError) -> ServiceError {
    tracing::error!(%error, "stored cloud credentials cannot be opened");
    ServiceError::Conflict(format!(
        "the number's stored credentials cannot be read ({error}); set them again"
    ))
}

fn with_status(
    current: &InstanceRecord,
    status: InstanceStatus,
    reason: Option<String>,
) -> Option<(InstanceState, Vec<wagate_store::NewEvent>)> {
    if current.status == status && current.status_reason == reason {
        return None;
    }
    let mut state = InstanceState::of(current);
    let events = vec![payloads::session_status(current, status, reason.as_deref())];
    state.status = status;
    state.status_reason = reason;
    if status != InstanceStatus::Open {
        state.linked = false;
    }
    Some((state, events))
}

impl Gateway {
    pub(crate) fn cloud_settings(&self) -> ServiceResult<&CloudSettings> {
        self.cloud
            .as_deref()
            .ok_or_else(|| ServiceError::NotSupported("the cloud engine is not configured".into()))
    }

    /// The instance's number, credentials in clear.
    async fn cloud_number_in_clear(
        &self,
        instance: &InstanceRecord,
    ) -> ServiceResult<(CloudNumber, CloudCredentials)> {
        if instance.engine != EngineKind::Cloud {
            return Err(ServiceError::NotSupported(format!(
                "the instance uses the {} engine; only cloud instances have Cloud API credentials",
                instance.engine.as_str()
            )));
        }
        let number = self
            .store
            .cloud_number(&instance.id)
            .await?
            .ok_or_else(|| {
                ServiceError::Conflict(
                    "the instance has no Cloud API credentials; set them first".to_owned(),
                )
            })?;
        let clear = self
            .cloud_settings()?
            .open(&number.credentials)
            .map_err(unreadable)?;
        Ok((number, clear))
    }

    /// The cloud number of an instance the caller may reach.
    pub async fn cloud_number(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<CloudNumber> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        Ok(self.cloud_number_in_clear(&instance).await?.0)
    }

    /// Checks the credentials with Meta and, when Meta accepts them, opens the number for
    /// sending. Meta's refusal marks the instance `credentials_invalid`.
    pub async fn verify_cloud(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<(InstanceRecord, CloudNumber)> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        self.open_cloud_number(&instance).await?;
        let number = self.cloud_number_in_clear(&instance).await?.0;
        let instance = self
            .store
            .get_instance(&instance.id)
            .await?
            .ok_or(ServiceError::NotFound("instance"))?;
        Ok((instance, number))
    }

    /// Verifies the number with Meta, records what Meta said and brings its session up.
    pub(crate) async fn open_cloud_number(&self, instance: &InstanceRecord) -> ServiceResult<()> {
        let (_, clear) = self.cloud_number_in_clear(instance).await?;
        let credentials = engine_credentials(&clear);
        let info = match self.sessions.cloud()?.describe(&credentials).await {
            Ok(info) => info,
            Err(error) => return Err(self.cloud_refused(&instance.id, error).await),
        };
        self.store
            .record_cloud_verification(
                &instance.id,
                &CloudVerification {
                    display_phone_number: info.display_phone_number.clone(),
                    verified_name: info.verified_name.clone(),
                    quality_rating: info.quality_rating.clone(),
                    at: Utc::now(),
                },
            )
            .await?;
        let session = self.sessions.session_for(instance)?;
        match session.connect(ConnectMode::Cloud(credentials)).await? {
            ConnectOutcome::Open(me) => self.on_connected(&instance.id, &me).await,
            other => Err(ServiceError::EngineUnavailable(format!(
                "the cloud engine answered {other:?} to a connect"
            ))),
        }
    }

    /// At start-up: opens a cloud number that was open before. When Meta cannot be reached,
    /// the number shows `connecting` and is tried again in the background, waiting longer
    /// each time (up to five minutes), until Meta answers either way.
    pub(crate) async fn restore_cloud_number(&self, instance: InstanceRecord) -> ServiceResult<()> {
        match self.open_cloud_number(&instance).await {
            Ok(()) => return Ok(()),
            Err(ServiceError::EngineUnavailable(reason)) => {
                self.store
                    .update_instance(&instance.id, |current| {
                        let mut state = InstanceState::of(current);
                        let status = InstanceStatus::Connecting;
                        let reason = Some(reason.clone());
                        let events =
                            vec![payloads::session_status(current, status, reason.as_deref())];
                        state.status = status;
                        state.status_reason = reason;
                        Some((state, events))
                    })
                    .await?;
            }
            Err(error) => {
                tracing::warn!(instance = %instance.id, %error, "a cloud number could not be opened after restart");
                return Ok(());
            }
        }
        let gateway = self.clone();
        tokio::spawn(async move {
            let mut wait = std::time::Duration::from_secs(1);
            loop {
                tokio::time::sleep(wait).await;
                let Ok(Some(current)) = gateway.store.get_instance(&instance.id).await else {
                    return;
                };
                if current.status != InstanceStatus::Connecting {
                    return;
                }
                match gateway.open_cloud_number(&current).await {
                    Err(ServiceError::EngineUnavailable(_)) => {
                        wait = (wait * 2).min(std::time::Duration::from_secs(300));
                    }
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(instance = %instance.id, %error, "a cloud number could not be opened");
                        return;
                    }
                }
            }
        });
        Ok(())
    }

    /// Meta refused to describe the number: bad credentials mark the instance; anything else
    /// (Meta unreachable, throttled) leaves it as it is.
    async fn cloud_refused(&self, instance: &InstanceId, error: GraphError) -> ServiceError {
        match error.kind() {
            GraphErrorKind::Credentials | GraphErrorKind::Rejected => {
                let reason = format!("Meta refused the credentials: {error}");
                self.sessions.close(instance).await;
                if let Err(store_error) = self
                    .store
                    .update_instance(instance, |current| {
                        with_status(
                            current,
                            InstanceStatus::CredentialsInvalid,
                            Some(reason.clone()),
                        )
                    })
                    .await
                {
                    return store_error.into();
                }
                ServiceError::CredentialsInvalid(reason)
            }
            GraphErrorKind::Throttled | GraphErrorKind::Unavailable => {
                ServiceError::EngineUnavailable(format!("Meta could not be asked: {error}"))
            }
        }
    }

    /// The endpoint of new credentials for `instance` (`None`: a new one). New credentials
    /// from the account that name no endpoint keep the one the operator chose; otherwise see
    /// [`Self::authorize_endpoint`].
    pub(crate) async fn settle_endpoint(
        &self,
        principal: &Principal,
        instance: Option<&InstanceId>,
        clear: &mut CloudCredentials,
        field: &(dyn Fn(&str) -> String + Sync),
    ) -> ServiceResult<()> {
        if let Some(instance) = instance
            && !overrides_endpoint(clear)
            && !principal.is_operator()
            && let Some(current) = self.store.cloud_number(instance).await?
            && current.credentials.graph_endpoint_by_operator
        {
            clear.graph_base_url = current.credentials.graph_base_url;
            clear.graph_version = current.credentials.graph_version;
            clear.graph_endpoint_by_operator = true;
            return Ok(());
        }
        self.authorize_endpoint(principal, clear, field)
    }

    /// A number's own Graph API endpoint and version are the operator's setting: the admin key
    /// may set them (trusted: a proxy on the operator's network); account keys only when
    /// `[cloud] allow_tenant_base_url`, and then the endpoint must be public and every call
    /// to it goes through the outbound guard. Marks who set them on `clear`.
    fn authorize_endpoint(
        &self,
        principal: &Principal,
        clear: &mut CloudCredentials,
        field: &(dyn Fn(&str) -> String + Sync),
    ) -> ServiceResult<()> {
        clear.graph_endpoint_by_operator = principal.is_operator();
        if !overrides_endpoint(clear) || principal.is_operator() {
            return Ok(());
        }
        if !self.cloud_settings()?.allow_tenant_base_url {
            return Err(ServiceError::Forbidden(format!(
                "{} and {} are the operator's settings: set them with the admin key (with \
                 X-Account-Id naming the account), or let accounts set them with \
                 [cloud] allow_tenant_base_url = true",
                field("baseUrl"),
                field("graphVersion")
            )));
        }
        if let Some(url) = &clear.graph_base_url {
            wagate_net::check_url(url, wagate_net::Policy::PUBLIC_ONLY)
                .map_err(|refused| ServiceError::field(&field("baseUrl"), refused.to_string()))?;
        }
        Ok(())
    }

    /// `PUT /instances/{id}/cloud`: new credentials for a cloud instance (account keys only).
    pub async fn set_cloud_credentials(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: CloudCredentialsRequest,
    ) -> ServiceResult<CloudNumber> {
        principal.account_manager()?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        if instance.engine != EngineKind::Cloud {
            return Err(ServiceError::NotSupported(format!(
                "the instance uses the {} engine; only cloud instances take Cloud API credentials",
                instance.engine.as_str()
            )));
        }
        let mut errors = ValidationErrors::default();
        let mut clear = request.parse(&in_cloud, true, &mut errors);
        errors.finish(())?;
        self.settle_endpoint(principal, Some(&instance.id), &mut clear, &in_cloud)
            .await?;
        self.replace_cloud_credentials(&instance, clear).await?;
        Ok(self.cloud_number_in_clear(&instance).await?.0)
    }

    /// Replaces an instance's credentials; the number is closed until they are verified.
    pub(crate) async fn replace_cloud_credentials(
        &self,
        instance: &InstanceRecord,
        clear: CloudCredentials,
    ) -> ServiceResult<()> {
        let sealed = self.cloud_settings()?.seal(clear);
        self.sessions.close(&instance.id).await;
        self.store.set_cloud_number(&instance.id, &sealed).await?;
        self.store
            .update_instance(&instance.id, |current| {
                with_status(
                    current,
                    InstanceStatus::Disconnected,
                    Some("new credentials; verify them to send".to_owned()),
                )
            })
            .await?;
        Ok(())
    }

    /// The business account's message templates.
    pub async fn cloud_templates(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<MessageTemplate>> {
        let session = self.open_cloud_session(principal, id_or_name).await?;
        Ok(session.templates().await?)
    }

    /// Submits a template for Meta's review.
    pub async fn create_cloud_template(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: TemplateRequest,
    ) -> ServiceResult<MessageTemplate> {
        let mut errors = ValidationErrors::default();
        let name = required(&mut errors, "name", request.name);
        if !name.is_empty()
            && !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            errors.push("name", "may contain only lowercase letters, digits and '_'");
        }
        let language = required(&mut errors, "language", request.language);
        let category = required(&mut errors, "category", request.category).to_uppercase();
        if !category.is_empty()
            && !matches!(
                category.as_str(),
                "MARKETING" | "UTILITY" | "AUTHENTICATION"
            )
        {
            errors.push("category", "must be MARKETING, UTILITY or AUTHENTICATION");
        }
        let components = match request.components {
            Some(serde_json::Value::Array(components)) if !components.is_empty() => {
                serde_json::Value::Array(components)
            }
            _ => {
                errors.push(
                    "components",
                    "must be a non-empty list of Meta's components",
                );
                serde_json::Value::Null
            }
        };
        errors.finish(())?;
        let session = self.open_cloud_session(principal, id_or_name).await?;
        Ok(session
            .create_template(&NewTemplate {
                name,
                language,
                category,
                components,
            })
            .await?)
    }

    async fn open_cloud_session(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<std::sync::Arc<dyn wagate_engine::Session>> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        if instance.engine != EngineKind::Cloud {
            return Err(ServiceError::NotSupported(format!(
                "message templates are a Cloud API feature; the instance uses the {} engine",
                instance.engine.as_str()
            )));
        }
        match self.sessions.live(&instance.id) {
            Some(session) if instance.status == InstanceStatus::Open => Ok(session),
            _ => Err(ServiceError::InstanceNotConnected(format!(
                "the number is not open (status: {}); verify its credentials first",
                instance.status.as_str()
            ))),
        }
    }

    /// Meta takes free-form messages only within 24 hours of the customer's last message
    /// (the customer service window); outside it only templates. With
    /// `[cloud] enforce_service_window` such a message fails here, before it is sent.
    pub(crate) async fn check_service_window(
        &self,
        message: &MessageRecord,
    ) -> Result<(), EngineError> {
        let enforced = self
            .cloud
            .as_ref()
            .is_some_and(|cloud| cloud.enforce_service_window);
        if !enforced || matches!(message.content, MessageContent::Template { .. }) {
            return Ok(());
        }
        let last = self
            .store
            .last_inbound_at(&message.instance_id, &message.chat_jid)
            .await
            .map_err(|e| {
                EngineError::Transient(format!("the service window could not be read: {e}"))
            })?;
        if last
            .is_some_and(|last| self.now() - last < chrono::Duration::hours(SERVICE_WINDOW_HOURS))
        {
            return Ok(());
        }
        let since = match last {
            Some(last) => format!("last wrote at {}", payloads::rfc3339(last)),
            None => "has never written to this number".to_owned(),
        };
        Err(EngineError::Refused {
            code: SERVICE_WINDOW_CLOSED.to_owned(),
            message: format!(
                "the customer's 24-hour service window is closed (the customer {since}); outside it \
                 WhatsApp accepts only template messages: send a template instead"
            ),
        })
    }
}
