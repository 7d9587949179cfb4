//! The Graph API client against a local stand-in for Meta: the right paths, the bearer token on
//! every call (downloads included), the answers read, and Meta's errors handed back sorted.

mod support;

use serde_json::json;
use std::time::Duration;
use support::{NUMBER, TOKEN, meta};
use wagate_engine::cloud::graph::{Credentials, GraphClient};
use wagate_engine::cloud::graph_error::GraphErrorKind;

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
