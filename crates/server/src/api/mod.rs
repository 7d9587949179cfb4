//! The HTTP API: native `/api/v1`, health probes, the OpenAPI document and the docs page.
//!
//! Handlers translate HTTP into service calls and service results into the envelope; they hold
//! no rules. Routes are registered through utoipa-axum, so the OpenAPI document is generated
//! from the same registrations that serve the requests.

mod accounts;
mod address_book;
mod analytics;
mod auth;
mod calls;
mod chats;
mod cloud;
mod communities;
mod contacts;
mod dashboard;
mod docs;
mod envelope;
mod error;
mod error_envelope;
mod event_docs;
mod groups;
use event_docs::EventDocs;
mod events;
mod health;
mod idempotency;
mod implied_instance;
mod instance_keys;
mod instances;
mod json;
mod labels;
mod linking;
mod media;
mod messages;
mod meta_webhooks;
mod newsletters;
mod operations;
mod pictures;
mod presence;
mod privacy;
mod profiles;

mod rate_limit;
mod request_head;
mod sandbox;
mod settings;
mod sinks;
mod status;
mod streams;
mod views;
mod webhooks;

pub use error::{ApiError, ApiResult};
pub use request_head::HeadLimits;

use crate::services::Gateway;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub gateway: std::sync::Arc<Gateway>,
    pub limits: BodyLimits,
    pub head: HeadLimits,
    /// How often an idle live stream sends a heartbeat.
    pub stream_heartbeat: std::time::Duration,
    /// What the compatibility dialects are set to.
    pub dialects: crate::dialects::DialectSettings,
    /// Cancelled when the server stops: live streams end then, so shutdown does not wait on
    /// clients that never hang up.
    pub shutdown: tokio_util::sync::CancellationToken,
}

impl axum::extract::FromRef<AppState> for std::sync::Arc<Gateway> {
    fn from_ref(state: &AppState) -> Self {
        state.gateway.clone()
    }
}

/// How large request bodies may be.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    /// Ordinary JSON bodies.
    pub json: usize,
    /// A JSON send, which may carry media as base64.
    pub send_json: usize,
    /// Streamed uploads: the largest media file plus the form around it.
    pub upload: usize,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "wagate",
        description = "Self-hosted WhatsApp API gateway. Every response is an envelope: `{\"success\": true, \"data\": …}` or `{\"success\": false, \"error\", \"code\", \"details\"}`. Authenticate with `Authorization: Bearer <key>` (or `X-API-Key`, `apikey`, `X-API-Token`); the admin key acts for one account with `X-Account-Id: <account id>` (needed to set a cloud number's own `baseUrl`/`graphVersion`, an operator's setting). Every URL given (webhook targets, media URLs, a Graph API endpoint) must lead to a public address, at every redirect.",
    ),
    modifiers(&SecuritySchemes, &EventDocs),
    security(("bearer" = []), ("apiKey" = [])),
    tags(
        (name = "accounts", description = "Tenants and their keys (admin key)"),
        (name = "instances", description = "WhatsApp numbers: create, link, follow their connection"),
        (name = "messages", description = "Sending and tracking messages"),
        (name = "media", description = "Files for media messages"),
        (name = "webhooks", description = "Signed event deliveries to your endpoints"),
        (name = "events", description = "Everything that happened, in order"),
        (name = "analytics", description = "Delivery statistics of what was sent"),
        (name = "cloud", description = "Numbers of Meta's Cloud API: credentials, verification, templates, Meta's webhooks"),
        (name = "contacts", description = "The contact list and saved names; whether numbers are on WhatsApp; contacts' profiles; blocking contacts"),
        (name = "chats", description = "Chats: their last message and unread count, their messages, marking them read or unread, archiving, pinning, muting, deleting, presence in a chat"),
        (name = "calls", description = "Incoming calls: rejecting them"),
        (name = "labels", description = "WhatsApp Business labels: create, rename, delete, put on chats"),
        (name = "communities", description = "Communities: create, list, their groups, link and unlink groups"),
        (name = "newsletters", description = "WhatsApp Channels: create, follow, unfollow, mute, read posts (post with `POST …/messages` to the channel)"),
        (name = "status", description = "Statuses (stories): post to chosen contacts or the address book, delete"),
        (name = "profile", description = "The number itself: its name, about, picture, privacy, online or offline"),
        (name = "groups", description = "Groups: create, read, subject, description, picture, settings, participants, invite links, join, leave"),
        (name = "sandbox", description = "The simulated phone of the sandbox engine"),
        (name = "health", description = "Probes"),
        (name = "evolution", description = "Evolution API v2, served as Evolution serves it (seed 000): the `apikey` header (an account key is the global key, an instance key the instance token, the admin key acts on the `default` account), routes ending in the instance name, Evolution's bodies, answers and errors (`{status, error, response: {message}}`)"),
        (name = "multipart", description = "Seed 003's API, served as its document writes it: `/api/whatsapp/send-text`, `send-photo`, `send-video`, `send-audio`, `send-file` (multipart/form-data), `send-location`, `send-poll`, `send-reaction`, `delete-message` and `GET /api/whatsapp/groups` (each send also without `send-`), with a session's instance key in `X-API-Key` (an account key names the session in `X-Instance-Id`); answers `{success, message, data}`, refusals `{success: false, error, details}` with 400, 401, 404, 413, 415 and 429"),
        (name = "sessions", description = "Seed 002's sessions API under `/api/v1`: `/whatsapp-sessions` (list, create, show, delete, connect, disconnect, QR code while `CONNECTING`) with a personal access token in `X-API-Token` (an account key) or a session key in `Authorization: Bearer` (an instance key), `POST /send-message` with the type read from the payload and `messageId` at the top of the answer, sessions in the seed's states (`CONNECTING`, `CONNECTED`, `DISCONNECTED`, `LOGGED_OUT`, `FAILED`) and errors with its codes (`SESSION_NOT_FOUND` 404, `SESSION_DISCONNECTED` 409, `VALIDATION_ERROR` 422). Its contacts and groups routes are the native instance routes without the instance (`/api/v1/contacts`, `/api/v1/groups/{jid}/participants`, …)"),
        (name = "whatsapi", description = "whatsapi.cc (seed 004), served at the root as its docs write it: `Authorization: Bearer <key>`, `POST /send-message` from the account's number (`instance` picks one of several), messages, analytics, the account's Meta credentials and webhook (delivering whatsapi.cc's `message.status_updated` body), `{success, data}` answers and `{success: false, error, details}` errors with whatsapi.cc's statuses (400 for validation)"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

/// The whole API and its OpenAPI document.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    // Uploads stream to the media store, so their limit is the largest file plus the form;
    // sends check their own JSON limit.
    let uploads = OpenApiRouter::new()
        .routes(routes!(media::upload))
        .routes(routes!(messages::send_message))
        .routes(routes!(messages::send_bulk))
        .layer(DefaultBodyLimit::max(limits.upload.max(limits.send_json)));
    // A picture or a status may come inline as base64, like a send's media.
    let inline_media = OpenApiRouter::new()
        .routes(routes!(status::post_status))
        .routes(routes!(status::delete_status))
        .routes(routes!(
            pictures::set_profile_picture,
            pictures::delete_profile_picture
        ))
        .routes(routes!(
            pictures::group_picture,
            pictures::set_group_picture,
            pictures::delete_group_picture
        ))
        .layer(DefaultBodyLimit::max(limits.send_json));
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(uploads)
        .merge(inline_media)
        .merge(crate::dialects::routes(
            crate::dialects::DialectLimits {
                send_json: limits.send_json,
                upload: limits.upload,
            },
            state.dialects.clone(),
        ))
        .routes(routes!(media::download, media::delete))
        .routes(routes!(accounts::create_account, accounts::list_accounts))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::update_account))
        .routes(routes!(
            instances::create_instance,
            instances::list_instances
        ))
        .routes(routes!(
            instances::get_instance,
            instances::update_instance,
            instances::delete_instance
        ))
        .routes(routes!(instance_keys::create_key, instance_keys::list_keys))
        .routes(routes!(instance_keys::revoke_key))
        .routes(routes!(linking::connect))
        .routes(routes!(linking::qr_code))
        .routes(routes!(linking::status))
        .routes(routes!(linking::logout))
        .routes(routes!(linking::restart))
        .routes(routes!(messages::list_messages))
        .routes(routes!(messages::get_message))
        .routes(routes!(operations::react))
        .routes(routes!(operations::edit))
        .routes(routes!(operations::revoke))
        .routes(routes!(operations::read))
        .routes(routes!(operations::forward))
        .routes(routes!(operations::pin))
        .routes(routes!(operations::unpin))
        .routes(routes!(operations::cancel))
        .routes(routes!(operations::retry))
        .routes(routes!(events::list_events))
        .routes(routes!(analytics::summary))
        .routes(routes!(streams::sse))
        .routes(routes!(streams::ws))
        .routes(routes!(cloud::verify))
        .routes(routes!(cloud::get_cloud, cloud::put_cloud))
        .routes(routes!(cloud::list_templates, cloud::create_template))
        .routes(routes!(
            address_book::list_contacts,
            address_book::save_contacts
        ))
        .routes(routes!(contacts::check_numbers))
        .routes(routes!(contacts::on_whatsapp))
        .routes(routes!(contacts::block))
        .routes(routes!(contacts::unblock))
        .routes(routes!(contacts::blocklist))
        .routes(routes!(settings::get_settings, settings::put_settings))
        .routes(routes!(presence::chat_presence))
        .routes(routes!(chats::list_chats))
        .routes(routes!(chats::chat_messages))
        .routes(routes!(chats::mark_read))
        .routes(routes!(chats::chat_action))
        .routes(routes!(chats::delete_chat))
        .routes(routes!(labels::list_labels, labels::create_label))
        .routes(routes!(labels::update_label, labels::delete_label))
        .routes(routes!(labels::labeled_chats))
        .routes(routes!(labels::add_chat_label, labels::remove_chat_label))
        .routes(routes!(presence::presence))
        .routes(routes!(calls::reject))
        .routes(routes!(profiles::contact))
        .routes(routes!(profiles::profile))
        .routes(routes!(profiles::set_name))
        .routes(routes!(profiles::set_about))
        .routes(routes!(privacy::get_privacy, privacy::put_privacy))
        .routes(routes!(pictures::contact_picture))
        .routes(routes!(groups::list_groups, groups::create_group))
        .routes(routes!(groups::join_group))
        .routes(routes!(groups::get_group))
        .routes(routes!(groups::group_participants))
        .routes(routes!(groups::set_subject))
        .routes(routes!(groups::set_description))
        .routes(routes!(groups::set_settings))
        .routes(routes!(groups::change_participants))
        .routes(routes!(groups::invite_link))
        .routes(routes!(groups::revoke_invite_link))
        .routes(routes!(groups::leave_group))
        .routes(routes!(groups::invite_info))
        .routes(routes!(groups::join_requests))
        .routes(routes!(groups::answer_join_requests))
        .routes(routes!(
            communities::list_communities,
            communities::create_community
        ))
        .routes(routes!(communities::community_groups))
        .routes(routes!(communities::link_groups))
        .routes(routes!(communities::unlink_groups))
        .routes(routes!(
            newsletters::list_newsletters,
            newsletters::create_newsletter
        ))
        .routes(routes!(newsletters::get_newsletter))
        .routes(routes!(newsletters::newsletter_posts))
        .routes(routes!(newsletters::newsletter_action))
        .routes(routes!(
            accounts::set_credentials,
            accounts::delete_credentials
        ))
        .routes(routes!(accounts::verify_credentials))
        .routes(routes!(meta_webhooks::handshake, meta_webhooks::receive))
        .routes(routes!(sandbox::link))
        .routes(routes!(sandbox::faults))
        .routes(routes!(sandbox::activity))
        .routes(routes!(sandbox::disconnect))
        .routes(routes!(sandbox::reconnect))
        .routes(routes!(sandbox::inbound))
        .routes(routes!(sandbox::call))
        .routes(routes!(sandbox::presence))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::test))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::retry))
        .routes(routes!(webhooks::replay))
        .routes(routes!(webhooks::set_default, webhooks::delete_default))
        .routes(routes!(sinks::list))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts();
    let openapi_json = std::sync::Arc::new(
        openapi
            .to_pretty_json()
            .expect("the OpenAPI document serialises"),
    );
    let routed = router
        .merge(docs::router(openapi_json))
        .merge(dashboard::router())
        .fallback(|| async { ApiError::not_found_route() })
        .layer(DefaultBodyLimit::max(limits.json))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.head,
            request_head::layer,
        ))
        .layer(axum::middleware::from_fn(error_envelope::layer))
        .layer(axum::middleware::from_fn(dashboard::send_browsers_here))
        .with_state(state.clone());
    // Seed 001's routes without the instance in the path are rewritten before routing, so
    // this wraps the routed API rather than being one of its layers.
    let rewrite = axum::middleware::from_fn_with_state(state, implied_instance::layer);
    Router::new().fallback_service(tower::Layer::layer(&rewrite, routed))
}
