//! A local stand-in for Meta's Graph API, for the cloud engine's tests: it checks the bearer
//! token on every call, records what it was asked, answers as Meta does, and refuses the
//! number `15550000000` as undeliverable (131026).

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const TOKEN: &str = "EAAG-good-token";
pub const NUMBER: &str = "106540352242922";

#[derive(Default)]
pub struct Meta {
    /// (method and path, body) of every authorised call.
    pub calls: Mutex<Vec<(String, Value)>>,
    /// Set to refuse the token from then on, as Meta does once a user revokes it.
    pub revoked: std::sync::atomic::AtomicBool,
    base: Mutex<String>,
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "A1"}})),
    )
        .into_response()
}

impl Meta {
    fn authorised(&self, headers: &HeaderMap) -> bool {
        !self.revoked.load(std::sync::atomic::Ordering::SeqCst)
            && headers.get("authorization").and_then(|v| v.to_str().ok())
                == Some(&format!("Bearer {TOKEN}"))
    }
}

async fn number(
    State(meta): State<Arc<Meta>>,
    headers: HeaderMap,
    Path((version, id)): Path<(String, String)>,
) -> Response {
    if !meta.authorised(&headers) {
        return refused();
    }
    meta.calls
        .lock()
        .unwrap()
        .push((format!("GET /{version}/{id}"), Value::Null));
    if id != NUMBER {
        // A media id read as a file (GET /{media-id}).
        let base = meta.base.lock().unwrap().clone();
        return Json(json!({"messaging_product": "whatsapp", "url": format!("{base}/files/{id}"), "mime_type": "image/jpeg", "sha256": "abc", "file_size": "3", "id": id})).into_response();
    }
    Json(json!({"id": NUMBER, "display_phone_number": "+1 555-078-3881", "verified_name": "Jaspers Market", "quality_rating": "GREEN"})).into_response()
}

async fn messages(
    State(meta): State<Arc<Meta>>,
    headers: HeaderMap,
    Path((version, id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if !meta.authorised(&headers) {
        return refused();
    }
    meta.calls
        .lock()
        .unwrap()
        .push((format!("POST /{version}/{id}/messages"), body.clone()));
    if body["to"] == "15550000000" {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": {"message": "(#131026) Message undeliverable", "type": "OAuthException", "code": 131026, "error_data": {"messaging_product": "whatsapp", "details": "Message Undeliverable."}, "fbtrace_id": "A2"}}))).into_response();
    }
    if body["status"] == "read" {
        return Json(json!({"success": true})).into_response();
    }
    Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}], "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3"}]})).into_response()
}

async fn media(
    State(meta): State<Arc<Meta>>,
    headers: HeaderMap,
    Path((version, id)): Path<(String, String)>,
    mut form: Multipart,
) -> Response {
    if !meta.authorised(&headers) {
        return refused();
    }
    let mut fields = serde_json::Map::new();
    while let Some(field) = form.next_field().await.unwrap() {
        let name = field.name().unwrap().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.unwrap();
        let value = match file_name {
            Some(file_name) => {
                json!({"fileName": file_name, "type": content_type, "size": bytes.len()})
            }
            None => json!(String::from_utf8_lossy(&bytes)),
        };
        fields.insert(name, value);
    }
    meta.calls
        .lock()
        .unwrap()
        .push((format!("POST /{version}/{id}/media"), Value::Object(fields)));
    Json(json!({"id": "4490709327384033"})).into_response()
}

async fn file(
    State(meta): State<Arc<Meta>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !meta.authorised(&headers) {
        return refused();
    }
    format!("jpg-{id}").into_response()
}

pub async fn meta() -> (String, Arc<Meta>) {
    let meta = Arc::new(Meta::default());
    let app = Router::new()
        .route("/{version}/{id}", get(number))
        .route("/{version}/{id}/messages", post(messages))
        .route("/{version}/{id}/media", post(media))
        .route("/files/{id}", get(file))
        .with_state(meta.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *meta.base.lock().unwrap() = base.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, meta)
}
