//! Seed 003's API, served as its document writes it: `/api/whatsapp/send-*` with the key of
//! a WhatsApp session in `X-API-Key`, JSON for text, location, poll, reaction and deletion,
//! `multipart/form-data` for photos, videos, audio and files, and `GET /api/whatsapp/groups`.
//! Each send route is also served without `send-` (`/api/whatsapp/text`, `/photo`, …), as
//! clients of that API call it too.
//!
//! Its form of file sends is also the native API's multipart send, so the form is read in
//! one place ([`form`]) for both.

mod bodies;
mod error;
mod files;
mod form;
mod sends;
mod session;
mod shapes;

pub use form::{FormError, media_chunks, read_file_form};

use super::DialectLimits;
use crate::services::Gateway;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::post;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The OpenAPI tag of every route of the dialect.
pub const TAG: &str = "multipart";

/// The dialect's routes.
pub fn routes<S>(limits: DialectLimits) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    // Files stream into the media store, so the form may be as large as the largest file.
    let uploads = OpenApiRouter::new()
        .routes(routes!(files::send_photo))
        .routes(routes!(files::send_video))
        .routes(routes!(files::send_audio))
        .routes(routes!(files::send_file))
        .route("/api/whatsapp/photo", post(files::send_photo))
        .route("/api/whatsapp/video", post(files::send_video))
        .route("/api/whatsapp/audio", post(files::send_audio))
        .route("/api/whatsapp/file", post(files::send_file))
        .layer(DefaultBodyLimit::max(limits.upload));
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(sends::send_text))
        .routes(routes!(sends::send_location))
        .routes(routes!(sends::send_poll))
        .routes(routes!(sends::send_reaction))
        .routes(routes!(sends::delete_message))
        .routes(routes!(sends::groups))
        .route("/api/whatsapp/text", post(sends::send_text))
        .route("/api/whatsapp/location", post(sends::send_location))
        .route("/api/whatsapp/poll", post(sends::send_poll))
        .route("/api/whatsapp/reaction", post(sends::send_reaction))
}
