//! Channels over HTTP on the sandbox: created, looked up, followed, muted; posted in by
//! sending a message to the channel (its owner only) and the posts read back by a follower.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

async fn post(server: &TestServer, key: &str, instance: &str, channel: &str, text: &str) -> String {
    let (status, body) = server
        .post(
            &format!("/api/v1/instances/{instance}/messages"),
            key,
            json!({ "to": channel, "text": text }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body["data"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_channel_is_created_followed_and_its_owners_posts_read_by_followers() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for (name, phone) in [("owner", "15550001111"), ("fan", "15550002222")] {
            server.instance(&key, name).await;
            server.link(&key, name, phone).await;
        }
        let (status, body) = server
            .post(
                "/api/v1/instances/owner/newsletters",
                &key,
                json!({ "name": "Acme news", "description": "Launches" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["data"]["role"], "owner");
        assert_eq!(body["data"]["followers"], 0);
        assert!(
            body["data"]["inviteLink"]
                .as_str()
                .unwrap()
                .starts_with("https://whatsapp.com/channel/")
        );
        let channel = body["data"]["jid"].as_str().unwrap().to_owned();
        assert!(channel.ends_with("@newsletter"), "{channel}");
        let (_, list) = server.get("/api/v1/instances/fan/newsletters", &key).await;
        assert_eq!(list["data"], json!([]));

        let at = |instance: &str, rest: &str| {
            format!("/api/v1/instances/{instance}/newsletters/{channel}{rest}")
        };
        let (_, seen) = server.get(&at("fan", ""), &key).await;
        assert_eq!(seen["data"]["role"], "guest", "{seen}");
        let (status, body) = server.post(&at("fan", "/follow"), &key, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (
                body["data"]["role"].clone(),
                body["data"]["followers"].clone()
            ),
            (json!("follower"), json!(1))
        );
        let (_, list) = server.get("/api/v1/instances/fan/newsletters", &key).await;
        assert_eq!(list["data"][0]["jid"], channel.as_str());
        for action in ["mute", "unmute"] {
            let (status, body) = server
                .post(&at("fan", &format!("/{action}")), &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{action}: {body}");
        }

        // The owner posts through the queue; the follower reads the posts, newest first.
        for text in ["Spring sale starts", "Spring sale ends"] {
            let id = post(&server, &key, "owner", &channel, text).await;
            server
                .wait_for_message_where(&key, &id, "sent", |m| m["sentAt"].is_string())
                .await;
        }
        let (status, posts) = server.get(&at("fan", "/posts"), &key).await;
        assert_eq!(status, StatusCode::OK, "{posts}");
        let texts: Vec<&str> = posts["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["Spring sale ends", "Spring sale starts"]);
        let newest = posts["data"][0]["id"].as_u64().unwrap();
        let (_, older) = server
            .get(&at("fan", &format!("/posts?count=1&before={newest}")), &key)
            .await;
        assert_eq!(older["data"].as_array().unwrap().len(), 1);
        assert_eq!(older["data"][0]["text"], "Spring sale starts");

        // A follower's post is refused by WhatsApp: the message fails with the reason.
        let id = post(&server, &key, "fan", &channel, "Me too").await;
        let failed = server.wait_for_message(&key, &id, "failed").await;
        assert!(
            failed["errorMessage"]
                .as_str()
                .unwrap_or_default()
                .contains("owner"),
            "{failed}"
        );
        let (_, posts) = server.get(&at("fan", "/posts"), &key).await;
        assert_eq!(posts["data"].as_array().unwrap().len(), 2);

        let (status, body) = server.post(&at("fan", "/unfollow"), &key, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["role"], "guest");
        let (status, body) = server
            .post(&at("owner", "/unfollow"), &key, json!({}))
            .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "the owner cannot unfollow: {body}"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_channel_requests_are_refused() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/newsletters",
                &key,
                json!({ "name": "" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["name"]);
        let (_, body) = server
            .post(
                "/api/v1/instances/sales/newsletters",
                &key,
                json!({ "name": "News" }),
            )
            .await;
        let channel = body["data"]["jid"].as_str().unwrap().to_owned();
        let (status, body) = server
            .get(
                "/api/v1/instances/sales/newsletters/120363000000000001@g.us",
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["newsletterJid"]);
        let (status, _) = server
            .get(
                "/api/v1/instances/sales/newsletters/120363999999999999@newsletter",
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server
            .post(
                &format!("/api/v1/instances/sales/newsletters/{channel}/share"),
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .get(
                &format!("/api/v1/instances/sales/newsletters/{channel}/posts?count=0"),
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["count"]);
        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .get("/api/v1/instances/sales/newsletters", &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.instance(&key, "idle").await;
        let (status, _) = server.get("/api/v1/instances/idle/newsletters", &key).await;
        assert_eq!(status, StatusCode::CONFLICT);
    })
    .await;
}
