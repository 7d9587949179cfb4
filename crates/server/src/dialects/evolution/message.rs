//! (being written)

use crate::services::Gateway;
use axum::extract::FromRef;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
}
