//! `/api/v1/accounts` and `/api/v1/auth/me`, with seed 004's account-level Cloud API
//! credentials (`/api/v1/auth/me/credentials`).

use super::AppState;
use super::cloud::VerifiedView;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::{AccountView, CreatedAccountView, InstanceView};
use crate::services::{AccountCredentialsRequest, CloudNumberView, Principal};
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

/// `POST /api/v1/accounts`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAccountRequest {
    #[schema(example = "Acme Ltd")]
    pub name: Option<String>,
    /// `free` (20 requests a minute), `basic` (100), `pro` (500), `enterprise` (2000) or
    /// `unlimited`; default `limits.default_plan`.
    pub plan: Option<String>,
}

/// `PATCH /api/v1/accounts/{id}`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AccountUpdateRequest {
    #[schema(example = "pro")]
    pub plan: Option<String>,
}

/// Create an account (admin key). The answer holds the account's API key, shown only once.
#[utoipa::path(
    post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountRequest,
    responses(
        (status = 201, body = Envelope<CreatedAccountView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_account(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<NewAccountRequest>,
) -> ApiResult<Response> {
    let (account, api_key) = state
        .gateway
        .create_account(&principal, request.name.as_deref(), request.plan.as_deref())
        .await?;
    Ok(envelope::created(CreatedAccountView {
        account: AccountView::from(&account),
        api_key,
    }))
}

/// List accounts (admin key).
#[utoipa::path(
    get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = Envelope<Vec<AccountView>>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Response> {
    let accounts = state.gateway.list_accounts(&principal).await?;
    Ok(envelope::ok(
        accounts.iter().map(AccountView::from).collect::<Vec<_>>(),
    ))
}

/// The calling key's account, and whether it brought its own Cloud API number.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeView {
    #[serde(flatten)]
    pub account: AccountView,
    /// The account saved its own Cloud API credentials (`PUT /api/v1/auth/me/credentials`).
    pub byoc_configured: bool,
    /// The instance those credentials belong to.
    pub cloud_instance_id: Option<String>,
}

/// The account of the calling key (never the key itself).
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "accounts",
    responses((status = 200, body = Envelope<MeView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn me(State(state): State<AppState>, principal: Principal) -> ApiResult<Response> {
    let account = state.gateway.current_account(&principal).await?;
    let byoc = state.gateway.byoc_state(&principal).await?;
    Ok(envelope::ok(MeView {
        account: AccountView::from(&account),
        byoc_configured: byoc.configured,
        cloud_instance_id: byoc.instance.map(|instance| instance.id.to_string()),
    }))
}

fn verified_view(
    state: &AppState,
    (instance, number): (wagate_store::InstanceRecord, wagate_store::CloudNumber),
) -> VerifiedView {
    VerifiedView {
        instance: InstanceView::new(
            &instance,
            state.gateway.capabilities(instance.engine),
            state.gateway.now(),
        ),
        cloud: CloudNumberView::new(&number),
    }
}

/// Save the account's own Cloud API credentials (account key). They become the account's
/// cloud instance (`cloud-<phone number id>`), which sends once they are verified.
#[utoipa::path(
    put, path = "/api/v1/auth/me/credentials", tag = "cloud", request_body = AccountCredentialsRequest,
    responses(
        (status = 200, body = Envelope<VerifiedView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Another instance uses this number", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn set_credentials(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<AccountCredentialsRequest>,
) -> ApiResult<Response> {
    let saved = state
        .gateway
        .set_account_credentials(&principal, request)
        .await?;
    Ok(envelope::ok(verified_view(&state, saved)))
}

/// Check the account's credentials with Meta; the number is `open` when Meta accepts them.
#[utoipa::path(
    post, path = "/api/v1/auth/me/credentials/verify", tag = "cloud",
    responses(
        (status = 200, body = Envelope<VerifiedView>),
        (status = 401, body = ErrorBody),
        (status = 409, description = "No credentials saved", body = ErrorBody),
        (status = 422, description = "Meta refused them (CREDENTIALS_INVALID)", body = ErrorBody),
        (status = 503, description = "Meta could not be reached", body = ErrorBody),
    )
)]
pub async fn verify_credentials(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Response> {
    let verified = state.gateway.verify_account_credentials(&principal).await?;
    Ok(envelope::ok(verified_view(&state, verified)))
}

/// Remove the account's credentials. Its cloud instance and history stay; it sends nothing
/// until new credentials are saved and verified.
#[utoipa::path(
    delete, path = "/api/v1/auth/me/credentials", tag = "cloud",
    responses(
        (status = 200, body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "deleted": true } })),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "No credentials saved", body = ErrorBody),
    )
)]
pub async fn delete_credentials(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Response> {
    state.gateway.delete_account_credentials(&principal).await?;
    Ok(envelope::ok(serde_json::json!({ "deleted": true })))
}

/// Change an account's plan, and with it its request limit (admin key).
#[utoipa::path(
    patch, path = "/api/v1/accounts/{id}", tag = "accounts", request_body = AccountUpdateRequest,
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, body = Envelope<AccountView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_account(
    State(state): State<AppState>,
    principal: Principal,
    axum::extract::Path(id): axum::extract::Path<String>,
    ApiJson(request): ApiJson<AccountUpdateRequest>,
) -> ApiResult<Response> {
    let account = state
        .gateway
        .set_account_plan(&principal, &id, request.plan.as_deref())
        .await?;
    Ok(envelope::ok(AccountView::from(&account)))
}
