//! Groups of web numbers against the scripted WhatsApp Web server, over HTTP: the web engine's
//! group calls go over the wire as WhatsApp's group queries, their answers (the group, a code
//! per participant, 403 and 404) come back as the sandbox's do, and a change one number makes
//! reaches the other number's instance as an event through WhatsApp's notification.

use crate::support::{TestServer, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use wagate_web_fake::{FakePhone, WebFake};

/// Creates a web instance and links it by scanning its QR code with `phone`.
async fn link_web(
    server: &TestServer,
    whatsapp: &WebFake,
    key: &str,
    name: &str,
    phone: &FakePhone,
) {
    let (status, body) = server
        .post(
            "/api/v1/instances",
            key,
            json!({ "name": name, "engine": "web" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = server
        .post(&format!("/api/v1/instances/{name}/connect"), key, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
    whatsapp.scan(&code, phone).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = server.get(&format!("/api/v1/instances/{name}"), key).await;
        if body["data"]["status"] == "open" {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} never opened: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn statuses(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn web_numbers_create_and_change_groups_on_whatsapp_and_hear_each_others_changes() {
    for backend in backends().await {
        let whatsapp = WebFake::start().await;
        let server = TestServer::start(backend, |config| {
            config.web.url = whatsapp.url();
            config.web.version = "2.3000.1".to_owned();
            config.web.start_spacing_ms = 10;
        })
        .await;
        let key = server.account("Acme").await;
        let owner = FakePhone::new("15550001111", "100000000000001", "Owner");
        let other = FakePhone::new("15550002222", "100000000000002", "Other");
        tokio::join!(
            link_web(&server, &whatsapp, &key, "owner", &owner),
            link_web(&server, &whatsapp, &key, "other", &other),
        );

        let (status, body) = server
            .post(
                "/api/v1/instances/owner/groups",
                &key,
                json!({ "subject": "Launch team", "participants": ["15550002222", "15550000000"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let group = body["data"].clone();
        let jid = group["jid"].as_str().unwrap().to_owned();
        assert!(
            jid.starts_with("120363") && jid.ends_with("@g.us"),
            "{group}"
        );
        assert_eq!(group["subject"], "Launch team");
        assert_eq!(group["owner"], "15550001111@s.whatsapp.net");
        assert_eq!(
            group["size"], 2,
            "the number without WhatsApp is not in: {group}"
        );

        // The other number reads it from WhatsApp, and lists it.
        let (status, body) = server
            .get(&format!("/api/v1/instances/other/groups/{jid}"), &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let roles: Vec<(&str, &str)> = body["data"]["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["phone"].as_str().unwrap(), p["role"].as_str().unwrap()))
            .collect();
        assert_eq!(
            roles,
            [("15550001111", "super_admin"), ("15550002222", "member")]
        );
        let (_, body) = server.get("/api/v1/instances/other/groups", &key).await;
        assert_eq!(body["data"][0]["jid"], jid.as_str(), "{body}");

        // A member is not an admin: WhatsApp's 403 is the API's.
        let (status, body) = server
            .put(
                &format!("/api/v1/instances/other/groups/{jid}/settings"),
                &key,
                json!({ "locked": true }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

        // The owner renames it and adds members: a result per participant.
        let (status, body) = server
            .put(
                &format!("/api/v1/instances/owner/groups/{jid}/subject"),
                &key,
                json!({ "subject": "Launch (Q3)" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["subject"], "Launch (Q3)");
        let (status, body) = server
            .post(
                &format!("/api/v1/instances/owner/groups/{jid}/participants/add"),
                &key,
                json!({ "participants": ["15550003333", "15550002222", "15550000000"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            statuses(&body),
            ["done", "already_member", "not_on_whatsapp"]
        );

        // The other number's instance heard of both changes through WhatsApp's notifications;
        // the owner's reported its own, once.
        for (instance, by) in [("other", "15550001111"), ("owner", "15550001111")] {
            let subject = server
                .wait_for_event(&key, "group.updated", |e| {
                    e["instance"] == instance && e["data"]["change"] == "subject"
                })
                .await;
            assert_eq!(subject["data"]["subject"], "Launch (Q3)");
            assert_eq!(subject["data"]["groupJid"], jid.as_str());
            assert_eq!(subject["data"]["by"]["phone"], by, "{subject}");
            let added = server
                .wait_for_event(&key, "group.participants_updated", |e| {
                    e["instance"] == instance && e["data"]["action"] == "add"
                })
                .await;
            assert_eq!(
                added["data"]["participants"][0]["phone"], "15550003333",
                "{added}"
            );
        }
        let owner_subjects = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["instance"] == "owner" && e["data"]["change"] == "subject")
            .count();
        assert_eq!(owner_subjects, 1, "the owner's own change is reported once");

        // A group the number is not in is not found.
        let (status, body) = server
            .get(
                "/api/v1/instances/owner/groups/120363999999999999@g.us",
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        server.stop().await;
    }
}
