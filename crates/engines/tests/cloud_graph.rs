//! The Graph API client against a local stand-in for Meta: the right paths, the bearer token on
//! every call (downloads included), the answers read, and Meta's errors handed back sorted.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wagate_engine::cloud::graph::{Credentials, GraphClient};
use wagate_engine::cloud::graph_error::GraphErrorKind;

const TOKEN: &str = "EAAG-good-token";
const NUMBER: &str = "106540352242922";

#[derive(Default)]
struct Meta {
    /// (method and path, body) of every authorised call.
    calls: Mutex<Vec<(String, Value)>>,
    base: Mutex<String>,
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "A1"}})),
    )
        .into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn number(
    State(meta): State<Arc<Meta>>,
    headers: HeaderMap,
    Path((version, id)): Path<(String, String)>,
) -> Response {
    if !authorised(&headers) {
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
    if !authorised(&headers) {
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
    if !authorised(&headers) {
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

async fn file(headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&headers) {
        return refused();
    }
    format!("jpg-{id}").into_response()
}

async fn meta() -> (String, Arc<Meta>) {
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

fn credentials(token: &str) -> Credentials {
    Credentials {
        access_token: token.to_owned(),
        phone_number_id: NUMBER.to_owned(),
    }
}

#[tokio::test]
async fn the_number_is_read_with_the_token_and_a_bad_token_is_a_credentials_error() {
    let (base, meta) = meta().await;
    let graph = GraphClient::new(&base, "v23.0", Duration::from_secs(5));
    let info = graph.phone_number(&credentials(TOKEN)).await.unwrap();
    assert_eq!(info.display_phone_number, "+1 555-078-3881");
    assert_eq!(info.verified_name.as_deref(), Some("Jaspers Market"));
    assert_eq!(info.quality_rating.as_deref(), Some("GREEN"));
    assert_eq!(
        meta.calls.lock().unwrap()[0].0,
        format!("GET /v23.0/{NUMBER}")
    );

    let refused = graph
        .phone_number(&credentials("EAAG-expired"))
        .await
        .unwrap_err();
    assert_eq!(refused.code, 190);
    assert_eq!(refused.kind(), GraphErrorKind::Credentials);
    assert!(
        !format!("{:?}", credentials("EAAG-secret")).contains("EAAG-secret"),
        "tokens stay out of logs"
    );
}

#[tokio::test]
async fn messages_are_posted_and_answer_their_wamid_or_metas_refusal() {
    let (base, meta) = meta().await;
    let graph = GraphClient::new(&format!("{base}/"), "v23.0", Duration::from_secs(5));
    let body = json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text", "text": {"body": "Hi"}});
    let wamid = graph.send(&credentials(TOKEN), &body).await.unwrap();
    assert!(wamid.starts_with("wamid."));
    assert_eq!(
        meta.calls.lock().unwrap()[0],
        (format!("POST /v23.0/{NUMBER}/messages"), body)
    );

    let mut undeliverable = json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "15550000000", "type": "text", "text": {"body": "Hi"}});
    let error = graph
        .send(&credentials(TOKEN), &undeliverable)
        .await
        .unwrap_err();
    assert_eq!(error.code, 131026);
    assert_eq!(error.kind(), GraphErrorKind::Rejected);
    assert_eq!(error.details.as_deref(), Some("Message Undeliverable."));

    graph
        .mark_read(&credentials(TOKEN), "wamid.IN", true)
        .await
        .unwrap();
    let (_, read) = meta.calls.lock().unwrap().last().unwrap().clone();
    assert_eq!(read["typing_indicator"]["type"], "text");

    undeliverable["to"] = json!("16505551234");
    let unreachable = GraphClient::new("http://127.0.0.1:9", "v23.0", Duration::from_secs(2));
    let error = unreachable
        .send(&credentials(TOKEN), &undeliverable)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), GraphErrorKind::Unavailable, "{error}");
}

#[tokio::test]
async fn files_are_uploaded_as_meta_expects_and_downloaded_with_the_token() {
    let (base, meta) = meta().await;
    let graph = GraphClient::new(&base, "v23.0", Duration::from_secs(5));
    let id = graph
        .upload_media(
            &credentials(TOKEN),
            b"\x89PNG....".to_vec(),
            "image/png",
            "photo.png",
        )
        .await
        .unwrap();
    assert_eq!(id, "4490709327384033");
    let (call, form) = meta.calls.lock().unwrap()[0].clone();
    assert_eq!(call, format!("POST /v23.0/{NUMBER}/media"));
    assert_eq!(form["messaging_product"], "whatsapp");
    assert_eq!(form["type"], "image/png");
    assert_eq!(
        form["file"],
        json!({"fileName": "photo.png", "type": "image/png", "size": 8})
    );

    let info = graph
        .media_info(&credentials(TOKEN), "1003383421387256")
        .await
        .unwrap();
    assert_eq!(info.mime_type, "image/jpeg");
    let bytes = graph
        .download(&credentials(TOKEN), &info.url)
        .await
        .unwrap();
    assert_eq!(bytes, b"jpg-1003383421387256");
    let refused = graph
        .download(&credentials("EAAG-other"), &info.url)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), GraphErrorKind::Credentials);
}
