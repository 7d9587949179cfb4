//! The services: every rule of the gateway, called alike by HTTP handlers and by workers.
//!
//! [`Gateway`] holds what the rules need (the store, the live sessions, the dispatcher's
//! wake-up) and its methods are split by concern across this module's files. Handlers only
//! translate HTTP to these calls; workers call the same methods.

mod access_tokens;
mod account_sends;
mod accounts;
mod analytics;
mod auth;
mod blocking;
mod breaker;
mod bulk;
mod calls;
pub mod chats;
mod clock;
mod cloud;
mod cloud_account;
mod communities;
mod contacts;
mod engine_calls;
mod error;
mod event_payloads;
mod events;
mod file_sends;
pub mod groups;
mod history;
mod idempotency;
mod instance_keys;
mod instances;
mod intake;
mod labels;
mod linking;
mod lookups;
mod media;
mod message_search;
mod messages;
mod meta_webhooks;
mod newsletters;
mod number_checks;
mod operations;
mod pacing;
mod paging;
pub mod pictures;
mod presence;
mod presence_events;
pub mod profiles;
pub mod qr_image;
mod queue_control;
mod rate_limits;
mod sandbox;
mod sandbox_wire;
mod secrets;
mod send_batcher;
mod send_parse;
mod sent_batcher;
mod sink_status;
mod status;
mod streams;
mod webhook_formats;
mod webhook_secrets;
mod webhooks;

pub use accounts::AccountSettings;
pub use analytics::{AnalyticsQuery, AnalyticsSummary, StatusCounts};
pub use auth::{Caller, KeyFormat, KeyKind, Principal, generate_key, generate_key_as, hash_key};
pub use bulk::{BulkItemError, BulkOutcome, BulkRequest};
pub use clock::{Clock, ShiftedClock, SystemClock};
pub use cloud::{CloudCredentialsRequest, CloudNumberView, CloudSettings, TemplateRequest};
pub use cloud_account::{AccountCredentialsRequest, ByocState};
pub use contacts::{MAX_SAVED_AT_ONCE, SavedContactRequest};
pub use error::{ServiceError, ServiceResult};
pub use event_payloads::{envelope, public_event_id};
pub use events::EventsQuery;
pub use file_sends::{FileSendOptions, UploadedFile, file_field, form_flag, naming_the_file};
pub use idempotency::IdempotentStart;
pub use instances::{CreatedInstance, InstanceUpdateRequest, InstanceWebhook, NewInstanceRequest};
pub use linking::ConnectRequest;
pub use message_search::MessageQuery;
pub use messages::{MessageListQuery, MessageView};
pub use meta_webhooks::{MetaDelivery, MetaHandshake};
pub use number_checks::NumberCheckSettings;
pub use operations::{EditRequest, ForwardRequest, PinRequest, ReactRequest};
pub use presence::MAX_PRESENCE_MS;
pub use rate_limits::{RateDecision, RateLimitSettings, RateLimiter};
pub use sandbox::{
    SandboxCallRequest, SandboxInboundRequest, SandboxLinkRequest, SandboxNetworkChange,
    SandboxPresenceRequest,
};
pub use sandbox_wire::SandboxFaultRequest;
pub use secrets::{SecretBox, SecretError};
pub use send_parse::{
    ButtonInput, ContactInput, CtaInput, InteractiveInput, ListInput, ListRowInput,
    ListSectionInput, LocationInput, MAX_TYPING_MS, MediaInput, PollInput, ReactionInput,
    SendRequest, TemplateInput,
};
pub use sink_status::SinkStatus;
pub use status::StatusRequest;
pub use streams::{StreamQuery, Subscription};
pub use webhook_formats::{NativeEvent, RenderedDelivery, WebhookFormats, WebhookRenderer};
pub use webhooks::{
    CreatedWebhook, DefaultWebhook, DefaultWebhookRequest, DeliveriesQuery, InstanceWebhookRequest,
    ReplayRequest, WebhookRequest,
};

/// How reading an uploaded file's bytes failed, for the routers that stream uploads.
pub use crate::media::MediaError;
/// More of them, for the dialects (which reach neither the store nor the engines).
pub use wagate_engine::{
    GroupChange, GroupInfo, GroupMember, GroupSettingsChange, MemberAction, MemberOutcome,
    MemberResult, MemberRole, NewGroup, NumberCheck, PrivacySetting, PrivacyValue,
};
/// The records services answer with, for the routers (native and dialects) to render.
pub use wagate_store::{AccountKeyRecord, Direction, InstanceRecord, MessageRecord, WebhookRecord};
pub use wagate_store::{
    ChatSummary, ContactRecord, InstanceCounts, LabelRecord, MediaRecord, Page,
};

use crate::config::{PacingConfig, WebhooksConfig};
use crate::media::{MediaLimits, MediaStorage, UrlFetcher};
use crate::sessions::SessionRegistry;
use crate::webhooks::DeliveryClient;
use std::sync::Arc;
use tokio::sync::Notify;
use wagate_store::Store;

/// The gateway's rules, over its store and its live sessions. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    pub(crate) store: Store,
    pub(crate) sessions: Arc<SessionRegistry>,
    /// Wakes the dispatcher when a message becomes due or an instance comes up.
    pub(crate) dispatcher_wake: Arc<Notify>,
    pub(crate) media: MediaStorage,
    pub(crate) media_limits: MediaLimits,
    pub(crate) fetcher: UrlFetcher,
    pub(crate) webhook_client: DeliveryClient,
    pub(crate) webhook_config: WebhooksConfig,
    /// Most messages one bulk request may carry.
    pub(crate) max_bulk_messages: usize,
    pub(crate) rate_limiter: Arc<RateLimiter>,
    /// The global pacing rules instances start from.
    pub(crate) pacing: Arc<PacingConfig>,
    /// Commits accepted sends in groups.
    pub(crate) sends: send_batcher::SendBatcher,
    /// Records what the dispatcher sent in groups.
    pub(crate) sent: sent_batcher::SentBatcher,
    pub(crate) lookups: Arc<lookups::Lookups>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Seals secrets kept in the database (webhooks'; cloud numbers' through `cloud`).
    pub(crate) secrets: SecretBox,
    /// Cloud numbers' secrets and sending rules; `None` without the cloud engine.
    pub(crate) cloud: Option<Arc<CloudSettings>>,
    pub(crate) number_checks: Arc<number_checks::NumberChecks>,
    pub(crate) push_names: Arc<contacts::KnownPushNames>,
    /// Per instance, held while a label is created, so two never take the same id.
    pub(crate) label_ids: moka::sync::Cache<wagate_core::InstanceId, Arc<tokio::sync::Mutex<()>>>,
    /// The operator's default account, once made (see `dialect_principal`).
    pub(crate) operator_default: Arc<std::sync::OnceLock<wagate_core::AccountId>>,
    /// The renderers of webhook formats other than native (the dialects').
    pub(crate) webhook_formats: WebhookFormats,
    /// The chats showing a presence for a while.
    pub(crate) presence_timers: Arc<presence::PresenceTimers>,
    /// How accounts are made and their keys written.
    pub(crate) accounts: AccountSettings,
    /// The broker sinks this server feeds, by name.
    pub(crate) sinks: Vec<&'static str>,
}

/// Where media lives and how it may be fetched.
pub struct MediaSettings {
    pub storage: MediaStorage,
    pub limits: MediaLimits,
    pub fetcher: UrlFetcher,
}

impl Gateway {
    pub fn new(
        store: Store,
        sessions: Arc<SessionRegistry>,
        media: MediaSettings,
        secrets: SecretBox,
        webhooks: WebhooksConfig,
        pacing: PacingConfig,
    ) -> std::io::Result<Self> {
        let webhook_client = DeliveryClient::new(
            std::time::Duration::from_secs_f64(webhooks.timeout_secs),
            webhooks.allow_private_targets,
            webhooks.response_body_bytes,
        );
        let dispatcher_wake = Arc::new(Notify::new());
        Ok(Self {
            webhook_client,
            webhook_config: webhooks,
            sends: send_batcher::SendBatcher::start(store.clone(), dispatcher_wake.clone())?,
            sent: sent_batcher::SentBatcher::start(store.clone()),
            store,
            sessions,
            secrets,
            dispatcher_wake,
            pacing: Arc::new(pacing),
            media: media.storage,
            media_limits: media.limits,
            fetcher: media.fetcher,
            max_bulk_messages: 1000,
            lookups: Arc::new(lookups::Lookups::new()),
            clock: Arc::new(SystemClock),
            cloud: None,
            number_checks: Arc::new(number_checks::NumberChecks::new(Default::default())),
            push_names: Arc::new(contacts::KnownPushNames::new()),
            operator_default: Arc::default(),
            webhook_formats: WebhookFormats::default(),
            presence_timers: Arc::default(),
            accounts: AccountSettings::default(),
            sinks: Vec::new(),
            label_ids: moka::sync::Cache::builder()
                .time_to_idle(std::time::Duration::from_secs(3600))
                .build(),
            rate_limiter: Arc::new(RateLimiter::new(RateLimitSettings {
                default_plan: wagate_core::Plan::Unlimited,
                free: 20,
                basic: 100,
                pro: 500,
                enterprise: 2000,
                sessions: 100,
                sessions_sends_per_session: 10,
                unauthenticated: 60,
            })),
        })
    }

    /// Runs cloud numbers with these settings.
    pub fn with_cloud(mut self, cloud: CloudSettings) -> Self {
        self.cloud = Some(Arc::new(cloud));
        self
    }

    /// Sets how accounts are made and their keys written.
    pub fn with_account_settings(mut self, settings: AccountSettings) -> Self {
        self.accounts = settings;
        self
    }

    /// Sets the request limits.
    pub fn with_rate_limits(mut self, settings: RateLimitSettings) -> Self {
        self.rate_limiter = Arc::new(RateLimiter::new(settings));
        self
    }

    /// Sets how many messages one bulk request may carry.
    /// Runs the gateway's decisions on `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The time decisions are made at.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Sets how number checks are limited and kept.
    pub fn with_number_checks(mut self, settings: NumberCheckSettings) -> Self {
        self.number_checks = Arc::new(number_checks::NumberChecks::new(settings));
        self
    }

    pub fn with_max_bulk_messages(mut self, max: usize) -> Self {
        self.max_bulk_messages = max;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn webhook_client(&self) -> &DeliveryClient {
        &self.webhook_client
    }

    pub fn dispatcher_wake(&self) -> Arc<Notify> {
        self.dispatcher_wake.clone()
    }
}
