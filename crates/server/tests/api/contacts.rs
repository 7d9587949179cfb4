//! Whether numbers are on WhatsApp: answers per number, checked input, kept answers, spaced
//! batches, and only for the caller's own open numbers.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn check(
    server: &TestServer,
    key: &str,
    instance: &str,
    numbers: Value,
) -> (StatusCode, Value) {
    server
        .post(
            &format!("/api/v1/instances/{instance}/contacts/check"),
            key,
            json!({ "numbers": numbers }),
        )
        .await
}

/// The numbers the sandbox number asked WhatsApp about, in order.
async fn asked(server: &TestServer, key: &str, instance: &str) -> Vec<String> {
    let (status, body) = server
        .get(
            &format!("/api/v1/sandbox/instances/{instance}/activity"),
            key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "check")
        .map(|entry| entry["chat"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn numbers_are_answered_in_order_with_jid_and_lid() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = check(
            &server,
            &key,
            "sales",
            json!(["15550002222", "+1 555 000 0000", "15550002222"]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answers = body["data"].as_array().unwrap();
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0]["number"], "15550002222");
        assert_eq!(answers[0]["exists"], true);
        assert_eq!(answers[0]["jid"], "15550002222@s.whatsapp.net");
        assert!(answers[0]["lid"].as_str().unwrap().ends_with("@lid"));
        assert_eq!(answers[1]["number"], "15550000000");
        assert_eq!(answers[1]["exists"], false);
        assert_eq!(answers[1]["jid"], Value::Null);
        assert_eq!(answers[1]["lid"], Value::Null);
        assert_eq!(
            answers[2], answers[0],
            "a number given twice is answered twice"
        );
        // Asked once each, the repeated number included.
        assert_eq!(
            asked(&server, &key, "sales").await,
            ["15550002222@s.whatsapp.net", "15550000000@s.whatsapp.net"]
        );

        let (status, body) = server
            .get("/api/v1/instances/sales/on-whatsapp/15550003333", &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["exists"], true);
        assert_eq!(body["data"]["jid"], "15550003333@s.whatsapp.net");
    })
    .await;
}

#[tokio::test]
async fn answers_are_kept_and_not_asked_again() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, _) = check(&server, &key, "sales", json!(["15550002222"])).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = check(
            &server,
            &key,
            "sales",
            json!(["15550002222", "15550004444"]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"][0]["exists"], true);
        let (status, _) = server
            .get("/api/v1/instances/sales/on-whatsapp/15550004444", &key)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            asked(&server, &key, "sales").await,
            ["15550002222@s.whatsapp.net", "15550004444@s.whatsapp.net"],
            "a kept answer is not asked about again"
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_numbers_are_asked_in_spaced_batches() {
    on_each_backend_with(
        |config| {
            config.contacts.check_batch = 2;
            config.contacts.check_spacing_ms = 300;
        },
        |server| async move {
            let (key, _) = server.linked_instance("sales").await;
            let numbers: Vec<String> = (0..5).map(|n| format!("1555000200{n}")).collect();
            let started = std::time::Instant::now();
            let (status, body) = check(&server, &key, "sales", json!(numbers)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"].as_array().unwrap().len(), 5);
            // Three batches (2 + 2 + 1), so two gaps of at least 300 ms.
            assert!(
                started.elapsed() >= std::time::Duration::from_millis(600),
                "took {:?}",
                started.elapsed()
            );
            assert_eq!(asked(&server, &key, "sales").await.len(), 5);
        },
    )
    .await;
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_field() {
    on_each_backend_with(
        |config| config.contacts.max_check_numbers = 3,
        |server| async move {
            let (key, _) = server.linked_instance("sales").await;
            let (status, body) = check(&server, &key, "sales", json!([])).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["numbers"]);
            let (status, body) =
                check(&server, &key, "sales", json!(["15550002222", "12", "abc"])).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["numbers[1]", "numbers[2]"]);
            let four = json!(["15550002221", "15550002222", "15550002223", "15550002224"]);
            let (status, body) = check(&server, &key, "sales", four).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["numbers"]);
            let (status, body) = server
                .get("/api/v1/instances/sales/on-whatsapp/not-a-number", &key)
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(
                asked(&server, &key, "sales").await.is_empty(),
                "nothing was asked"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn only_open_numbers_of_the_callers_account_are_asked() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let other = server.account("Other").await;
        let (status, body) = check(&server, &other, "sales", json!(["15550002222"])).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

        server.instance(&key, "idle").await;
        let (status, body) = check(&server, &key, "idle", json!(["15550002222"])).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");

        let (status, body) = server.get("/api/v1/instances/sales", &key).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body["data"]["capabilities"]
                .as_array()
                .unwrap()
                .contains(&json!("check_numbers")),
            "{body}"
        );
    })
    .await;
}

#[tokio::test]
async fn blocked_contacts_are_listed_and_cannot_write() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server.get("/api/v1/instances/sales/contacts/blocklist", &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!([]));

        for phone in ["15550002222", "15550003333"] {
            let (status, body) = server
                .post(&format!("/api/v1/instances/sales/contacts/{phone}/block"), &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["blocked"], true);
            assert_eq!(body["data"]["phone"], phone);
        }
        let (status, body) = server
            .post("/api/v1/instances/sales/contacts/15550003333/unblock", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["blocked"], false);
        let (_, body) = server.get("/api/v1/instances/sales/contacts/blocklist", &key).await;
        assert_eq!(
            body["data"],
            json!([{ "jid": "15550002222@s.whatsapp.net", "phone": "15550002222", "blocked": true }])
        );

        // What the blocked contact writes never arrives; the unblocked one's does.
        let dropped = server
            .inbound(&key, "sales", json!({ "from": "15550002222", "text": "let me in" }))
            .await;
        assert_eq!(dropped, None);
        let arrived = server
            .inbound(&key, "sales", json!({ "from": "15550003333", "text": "hello again" }))
            .await
            .expect("delivered");
        server
            .wait_for_event(&key, "message.received", |e| e["data"]["providerMessageId"] == arrived.as_str())
            .await;
        let from_blocked = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "message.received" && e["data"]["from"] == "15550002222")
            .count();
        assert_eq!(from_blocked, 0);

        let (status, body) = server
            .post("/api/v1/instances/sales/contacts/abc/block", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["phone"]);
        let other = server.account("Other").await;
        let (status, _) = server.get("/api/v1/instances/sales/contacts/blocklist", &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
