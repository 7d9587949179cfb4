//! Cloud instances: their number and credentials, verification with Meta, message templates.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::InstanceView;
use crate::services::{CloudCredentialsRequest, CloudNumberView, Principal, TemplateRequest};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;
use wagate_engine::MessageTemplate;

/// A cloud instance after verification.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedView {
    pub instance: InstanceView,
    pub cloud: CloudNumberView,
}

/// A message template of the business account.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    #[schema(example = "594425479261596")]
    pub id: String,
    #[schema(example = "order_ready")]
    pub name: String,
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, …
    pub status: String,
    pub category: String,
    #[schema(value_type = Vec<Object>)]
    pub components: serde_json::Value,
}

impl From<MessageTemplate> for TemplateView {
    fn from(template: MessageTemplate) -> Self {
        Self {
            id: template.id,
            name: template.name,
            language: template.language,
            status: template.status,
            category: template.category,
            components: template.components,
        }
    }
}

fn instance_view(state: &AppState, instance: &wagate_store::InstanceRecord) -> InstanceView {
    InstanceView::new(
        instance,
        state.gateway.capabilities(instance.engine),
        state.gateway.now(),
    )
}

/// Check a cloud number's credentials with Meta (`GET /{phone-number-id}`). Accepted: the
/// instance is `open` and shows what Meta said of the number. Refused (error 190 and the
/// like): the instance is `credentials_invalid` and the answer is 422 `CREDENTIALS_INVALID`.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/verify", tag = "cloud",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<VerifiedView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance has no credentials", body = ErrorBody),
        (status = 422, description = "Meta refused the credentials (CREDENTIALS_INVALID)", body = ErrorBody),
        (status = 501, description = "Not a cloud instance", body = ErrorBody),
        (status = 503, description = "Meta could not be reached", body = ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (instance, number) = state.gateway.verify_cloud(&principal, &id).await?;
    Ok(envelope::ok(VerifiedView {
        instance: instance_view(&state, &instance),
        cloud: CloudNumberView::new(&number),
    }))
}

/// A cloud instance's number: Meta's ids, the webhook path and verify token to enter at Meta,
/// and the last verification. Secrets are never shown.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/cloud", tag = "cloud",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<CloudNumberView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn get_cloud(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let number = state.gateway.cloud_number(&principal, &id).await?;
    Ok(envelope::ok(CloudNumberView::new(&number)))
}

/// Replace a cloud instance's credentials (account key). The number stops sending until the
/// new ones are verified.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/cloud", tag = "cloud", request_body = CloudCredentialsRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<CloudNumberView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Another instance uses this number", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn put_cloud(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CloudCredentialsRequest>,
) -> ApiResult<Response> {
    let number = state
        .gateway
        .set_cloud_credentials(&principal, &id, request)
        .await?;
    Ok(envelope::ok(CloudNumberView::new(&number)))
}

/// The business account's message templates, as Meta lists them.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/templates", tag = "cloud",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<TemplateView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open, or has no business account id", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn list_templates(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let templates = state.gateway.cloud_templates(&principal, &id).await?;
    Ok(envelope::ok(
        templates
            .into_iter()
            .map(TemplateView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Submit a message template for Meta's review; it is `PENDING` until Meta decides.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/templates", tag = "cloud", request_body = TemplateRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 201, body = Envelope<TemplateView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn create_template(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TemplateRequest>,
) -> ApiResult<Response> {
    let template = state
        .gateway
        .create_cloud_template(&principal, &id, request)
        .await?;
    Ok(envelope::created(TemplateView::from(template)))
}
