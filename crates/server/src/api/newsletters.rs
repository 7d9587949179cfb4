//! Newsletters (WhatsApp Channels): list, create, read, follow, unfollow, mute, and read
//! posts. Posting is `POST …/messages` to the channel's address.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wagate_engine::{Newsletter, NewsletterPost, NewsletterRole};

/// `POST …/newsletters`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateNewsletterRequest {
    /// 1 to 100 characters.
    #[schema(example = "Acme news")]
    pub name: String,
    /// Up to 2048 characters.
    #[schema(example = "Launches and offers")]
    pub description: Option<String>,
}

/// Paging of `GET …/newsletters/{jid}/posts`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostsQuery {
    /// How many posts, 1 to 100 (default 20).
    pub count: Option<u32>,
    /// Only posts older than this post id (the next page).
    pub before: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewsletterView {
    #[schema(example = "120363500000000001@newsletter")]
    pub jid: String,
    #[schema(example = "Acme news")]
    pub name: String,
    pub description: Option<String>,
    pub followers: u64,
    /// `owner`, `admin`, `follower` or `guest`.
    #[schema(value_type = String, example = "owner")]
    pub role: NewsletterRole,
    /// The channel's link.
    #[schema(example = "https://whatsapp.com/channel/0029VaExample")]
    pub invite_link: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<Newsletter> for NewsletterView {
    fn from(channel: Newsletter) -> Self {
        Self {
            jid: channel.jid.to_string(),
            name: channel.name,
            description: channel.description,
            followers: channel.followers,
            role: channel.role,
            invite_link: channel
                .invite
                .map(|code| format!("https://whatsapp.com/channel/{code}")),
            created_at: channel.created_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReactionCountView {
    #[schema(example = "👍")]
    pub emoji: String,
    pub count: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewsletterPostView {
    /// The channel's number for the post; pass it as `before` for older posts.
    #[schema(example = 142)]
    pub id: u64,
    pub at: DateTime<Utc>,
    #[schema(example = "Our spring sale starts today")]
    pub text: Option<String>,
    pub reactions: Vec<ReactionCountView>,
}

impl From<NewsletterPost> for NewsletterPostView {
    fn from(post: NewsletterPost) -> Self {
        Self {
            id: post.id,
            at: post.at,
            text: post.text,
            reactions: post
                .reactions
                .into_iter()
                .map(|(emoji, count)| ReactionCountView { emoji, count })
                .collect(),
        }
    }
}

/// The channels the number runs or follows.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/newsletters", tag = "newsletters",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<NewsletterView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn list_newsletters(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let channels = state.gateway.list_newsletters(&principal, &id).await?;
    Ok(envelope::ok(
        channels
            .into_iter()
            .map(NewsletterView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Create a channel the number owns. Post in it with `POST …/messages` to its `jid`.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/newsletters", tag = "newsletters",
    request_body = CreateNewsletterRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 201, body = Envelope<NewsletterView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn create_newsletter(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateNewsletterRequest>,
) -> ApiResult<Response> {
    let channel = state
        .gateway
        .create_newsletter(
            &principal,
            &id,
            &request.name,
            request.description.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        envelope::ok(NewsletterView::from(channel)),
    )
        .into_response())
}

/// One channel, whether the number follows it or not.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/newsletters/{jid}", tag = "newsletters",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The channel's address", example = "120363500000000001@newsletter"),
    ),
    responses(
        (status = 200, body = Envelope<NewsletterView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or channel", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn get_newsletter(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let channel = state.gateway.get_newsletter(&principal, &id, &jid).await?;
    Ok(envelope::ok(NewsletterView::from(channel)))
}

/// Follow, unfollow, mute or unmute a channel; answers it after.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/newsletters/{jid}/{action}", tag = "newsletters",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The channel's address", example = "120363500000000001@newsletter"),
        ("action" = String, Path, description = "`follow`, `unfollow`, `mute` or `unmute`", example = "follow"),
    ),
    responses(
        (status = 200, body = Envelope<NewsletterView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance, channel or action", body = ErrorBody),
        (status = 409, description = "The number is not open, or owns the channel", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn newsletter_action(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid, action)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let channel = state
        .gateway
        .newsletter_action(&principal, &id, &jid, &action)
        .await?;
    Ok(envelope::ok(NewsletterView::from(channel)))
}

/// A channel's posts, newest first.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/newsletters/{jid}/posts", tag = "newsletters",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The channel's address", example = "120363500000000001@newsletter"),
        PostsQuery,
    ),
    responses(
        (status = 200, body = Envelope<Vec<NewsletterPostView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn newsletter_posts(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    Query(query): Query<PostsQuery>,
) -> ApiResult<Response> {
    let posts = state
        .gateway
        .newsletter_posts(&principal, &id, &jid, query.count, query.before)
        .await?;
    Ok(envelope::ok(
        posts
            .into_iter()
            .map(NewsletterPostView::from)
            .collect::<Vec<_>>(),
    ))
}
