//! Statuses (stories) over HTTP on the sandbox: posted through the queue to listed numbers or
//! the address book, seen by a viewer who is linked too, deleted for them; every bad request
//! refused by field; other tenants see nothing.

use crate::files;
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const STATUS: &str = "/api/v1/instances/poster/status";

async fn post_status(server: &TestServer, key: &str, body: Value) -> String {
    let (status, answer) = server.post(STATUS, key, body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}: {answer}");
    assert_eq!(answer["data"]["to"], "status@broadcast");
    answer["data"]["id"].as_str().unwrap().to_owned()
}

async fn poster_and_viewer(server: &TestServer) -> String {
    let key = server.account("Acme").await;
    for (name, phone) in [("poster", "15550001111"), ("viewer", "15550002222")] {
        server.instance(&key, name).await;
        server.link(&key, name, phone).await;
    }
    key
}

#[tokio::test]
async fn a_status_reaches_its_viewers_and_is_deleted_for_them() {
    on_each_backend(|server| async move {
        let key = poster_and_viewer(&server).await;
        let id = post_status(
            &server,
            &key,
            json!({
                "text": "Open until 8pm today",
                "backgroundColor": "#aa3366",
                "font": "calistoga",
                "recipients": ["+1 555 000 2222", "15550003333", "15550002222"],
                "metadata": { "campaign": "late" },
            }),
        )
        .await;
        let sent = server
            .wait_for_message_where(&key, &id, "sent", |m| m["sentAt"].is_string())
            .await;
        assert_eq!(sent["chat"], "status@broadcast");
        assert_eq!(sent["body"], "Open until 8pm today");
        assert_eq!(
            sent["statusPost"],
            json!({ "allContacts": false, "recipients": 2, "backgroundColor": "#FFAA3366", "font": "calistoga" })
        );
        assert_eq!(sent["metadata"]["campaign"], "late");
        let activity = server.sandbox_activity(&key, "poster").await;
        assert!(
            activity
                .iter()
                .any(|a| a["kind"] == "status" && a["messageId"] == id.as_str()),
            "{activity:?}"
        );

        // The viewer sees it in its status@broadcast chat, from the poster.
        let seen = server
            .wait_for_event(&key, "message.received", |e| {
                e["data"]["chat"] == "status@broadcast"
            })
            .await;
        assert_eq!(seen["data"]["from"], "15550001111", "{seen}");
        assert_eq!(seen["data"]["body"], "Open until 8pm today");

        // A status is only ever deleted.
        let (status, body) = server
            .post(
                &format!("/api/v1/messages/{id}/edit"),
                &key,
                json!({ "text": "Open until 9pm" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        let path = format!("{STATUS}/{id}");
        let (status, body) = server.call(Method::DELETE, &path, Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["revokedAt"].is_string(), "{body}");
        server
            .wait_for_event(&key, "message.revoked", |e| {
                e["data"]["chat"] == "status@broadcast" && e["data"]["from"] == "15550001111"
            })
            .await;
        let (status, body) = server.call(Method::DELETE, &path, Some(&key), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // An ordinary message is not a status.
        let message = server
            .send_text(&key, "poster", "15550002222", "hello")
            .await;
        let (status, body) = server
            .call(Method::DELETE, &format!("{STATUS}/{message}"), Some(&key), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_status_for_all_contacts_goes_to_the_address_book_as_it_was() {
    on_each_backend(|server| async move {
        let key = poster_and_viewer(&server).await;
        let image = json!({
            "base64": base64::engine::general_purpose::STANDARD.encode(files::png(8)),
            "caption": "This week only",
        });
        let (status, body) = server
            .post(
                STATUS,
                &key,
                json!({ "image": image.clone(), "allContacts": true }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["allContacts"], "an empty address book");

        let (status, body) = server
            .put(
                "/api/v1/instances/poster/contacts",
                &key,
                json!({ "contacts": [
                    { "phone": "15550002222", "name": "Viewer" },
                    { "phone": "15550004444", "name": "Dana" },
                ] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Someone who only wrote to the number is not in its address book.
        server
            .inbound(
                &key,
                "poster",
                json!({ "from": "15550005555", "text": "hi" }),
            )
            .await;

        let id = post_status(
            &server,
            &key,
            json!({ "image": image, "allContacts": true }),
        )
        .await;
        let sent = server
            .wait_for_message_where(&key, &id, "sent", |m| m["sentAt"].is_string())
            .await;
        assert_eq!(sent["type"], "image");
        assert_eq!(sent["body"], "This week only");
        assert_eq!(
            sent["statusPost"],
            json!({ "allContacts": true, "recipients": 2, "backgroundColor": null, "font": null })
        );
        let seen = server
            .wait_for_event(&key, "message.received", |e| {
                e["data"]["chat"] == "status@broadcast"
            })
            .await;
        assert_eq!(seen["data"]["type"], "image", "{seen}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn bad_statuses_are_refused_field_by_field_and_other_tenants_see_none() {
    on_each_backend(|server| async move {
        let key = poster_and_viewer(&server).await;
        let to = json!(["15550002222"]);
        for (body, expected) in [
            (json!({ "recipients": to }), vec!["text"]),
            (
                json!({ "text": "a", "image": { "url": "https://example.com/a.jpg" }, "recipients": to }),
                vec!["image"],
            ),
            (
                json!({ "text": "a".repeat(701), "recipients": to }),
                vec!["text"],
            ),
            (
                json!({ "image": { "url": "https://example.com/a.jpg" }, "backgroundColor": "#1E6E4F", "font": "system", "recipients": to }),
                vec!["backgroundColor", "font"],
            ),
            (
                json!({ "text": "a", "backgroundColor": "green", "recipients": to }),
                vec!["backgroundColor"],
            ),
            (
                json!({ "text": "a", "recipients": to, "allContacts": true }),
                vec!["allContacts"],
            ),
            (json!({ "text": "a" }), vec!["recipients"]),
            (json!({ "text": "a", "recipients": [] }), vec!["recipients"]),
            (
                json!({ "text": "a", "recipients": ["15550002222", "12"] }),
                vec!["recipients[1]"],
            ),
        ] {
            let (status, answer) = server.post(STATUS, &key, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(fields(&answer), expected, "{body}");
        }
        let (status, answer) = server
            .post(
                STATUS,
                &key,
                json!({ "text": "a", "font": "comic", "recipients": to }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(fields(&answer), ["font"], "an unknown font names the fonts");

        // A status is not a message to status@broadcast: it needs its audience.
        let (status, answer) = server
            .post(
                "/api/v1/instances/poster/messages",
                &key,
                json!({ "to": "status@broadcast", "text": "a" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(fields(&answer), ["to"]);

        let id = post_status(&server, &key, json!({ "text": "mine", "recipients": to })).await;
        let other = server.account("Other").await;
        let (status, _) = server
            .post(STATUS, &other, json!({ "text": "a", "recipients": to }))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server
            .call(Method::DELETE, &format!("{STATUS}/{id}"), Some(&other), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    })
    .await;
}
