//! `/api/v1/accounts` and `/api/v1/auth/me`.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::{AccountView, CreatedAccountView};
use crate::services::Principal;
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

/// The account of the calling key (never the key itself).
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "accounts",
    responses((status = 200, body = Envelope<AccountView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn me(State(state): State<AppState>, principal: Principal) -> ApiResult<Response> {
    let account = state.gateway.current_account(&principal).await?;
    Ok(envelope::ok(AccountView::from(&account)))
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
