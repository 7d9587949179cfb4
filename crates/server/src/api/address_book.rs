//! The contact list: the names the number saved and the names people show.

use super::AppState;
use super::envelope::{self, Envelope, Pagination};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::{Principal, SavedContactRequest};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wagate_store::ContactRecord;

/// Filters and paging of `GET …/contacts`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// Part of a number, a saved name or a shown name, in any case.
    pub search: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
}

/// `PUT …/contacts`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveContactsRequest {
    /// 1 to 100 contacts.
    pub contacts: Vec<SavedContactRequest>,
}

/// A contact of the number.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactEntryView {
    #[schema(example = "15550002222")]
    pub phone: String,
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    /// The name the number saved for them (through the API or on its phone).
    #[schema(example = "Ann Smith")]
    pub name: Option<String>,
    /// The name they show, as last seen on a message of theirs.
    #[schema(example = "Annie")]
    pub push_name: Option<String>,
    #[schema(example = "100000012345678@lid")]
    pub lid: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<ContactRecord> for ContactEntryView {
    fn from(record: ContactRecord) -> Self {
        Self {
            jid: format!("{}@s.whatsapp.net", record.phone),
            phone: record.phone,
            name: record.name,
            push_name: record.push_name,
            lid: record.lid,
            updated_at: record.updated_at,
        }
    }
}

/// The number's contacts, by name: those it saved (through this API or on its phone) and
/// those who wrote to it, with the name they show.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/contacts", tag = "contacts",
    params(("id" = String, Path, description = "Instance id or name"), ContactListQuery),
    responses(
        (status = 200, body = Envelope<Vec<ContactEntryView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list_contacts(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<ContactListQuery>,
) -> ApiResult<Response> {
    let (contacts, page, limit) = state
        .gateway
        .list_contacts(
            &principal,
            &id,
            query.search.as_deref(),
            query.limit,
            query.page,
        )
        .await?;
    Ok(envelope::page(
        contacts
            .items
            .into_iter()
            .map(ContactEntryView::from)
            .collect::<Vec<_>>(),
        Pagination {
            page,
            limit,
            total: contacts.total,
        },
    ))
}

/// Save contacts' names: in the number's address book on WhatsApp (synced to its phone) and
/// in the contact list. A contact saved again is renamed.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/contacts", tag = "contacts",
    request_body(content = SaveContactsRequest, example = json!({
        "contacts": [{ "phone": "15550002222", "name": "Ann Smith" }]
    })),
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<ContactEntryView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn save_contacts(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SaveContactsRequest>,
) -> ApiResult<Response> {
    let saved = state
        .gateway
        .save_contacts(&principal, &id, &request.contacts)
        .await?;
    Ok(envelope::ok(
        saved
            .into_iter()
            .map(ContactEntryView::from)
            .collect::<Vec<_>>(),
    ))
}
