//! Messages that arrive: stored with their sender and chat, emitted as `message.received`,
//! and the reactions, edits, revokes and poll votes that follow them.

use crate::files;
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_inbound_message_is_stored_and_emitted_with_its_sender() {
    on_each_backend(|server| async move {
        let (key, instance) = server.linked_instance("sales").await;
        let provider_id = server
            .inbound(
                &key,
                "sales",
                json!({ "from": "+1 555 000 2222", "pushName": "Ann", "text": "Hi there" }),
            )
            .await
            .expect("a new message");
        let event = server
            .wait_for_event(&key, "message.received", |e| {
                e["data"]["providerMessageId"] == provider_id.as_str()
            })
            .await;
        let data = &event["data"];
        assert_eq!(event["instanceId"], instance.as_str());
        assert_eq!(data["from"], "15550002222");
        assert!(data["fromLid"].as_str().unwrap().ends_with("@lid"));
        assert_eq!(data["pushName"], "Ann");
        assert_eq!(data["chat"], "15550002222@s.whatsapp.net");
        assert_eq!(data["body"], "Hi there");
        assert_eq!(data["isGroup"], false);

        let (_, list) = server
            .get("/api/v1/messages?direction=inbound&chat=15550002222", &key)
            .await;
        assert_eq!(list["pagination"]["total"], 1, "{list}");
        let message = &list["data"][0];
        assert_eq!(message["direction"], "inbound");
        assert_eq!(message["from"], "15550002222");
        assert_eq!(message["status"], "delivered");
        let (_, outbound) = server
            .get("/api/v1/messages?direction=outbound", &key)
            .await;
        assert_eq!(outbound["pagination"]["total"], 0);
        let (status, body) = server
            .get("/api/v1/messages?direction=sideways", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["direction"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn every_content_type_arrives_inbound_media_included() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let b64 = base64::engine::general_purpose::STANDARD;
        for content in [
            json!({ "image": { "base64": b64.encode(files::png(16)), "caption": "Photo" } }),
            json!({ "location": { "latitude": 1.5, "longitude": 2.5 } }),
            json!({ "contact": { "fullName": "Zed", "phoneNumber": "15550007777" } }),
            json!({ "poll": { "name": "When?", "values": ["Now", "Later"] } }),
        ] {
            let mut body = content.clone();
            body["from"] = json!("15550002222");
            body["group"] = json!("120363012345678901");
            let id = server.inbound(&key, "sales", body).await.unwrap();
            let event = server
                .wait_for_event(&key, "message.received", |e| {
                    e["data"]["providerMessageId"] == id.as_str()
                })
                .await;
            assert_eq!(
                event["data"]["chat"], "120363012345678901@g.us",
                "{content}"
            );
            assert_eq!(event["data"]["isGroup"], true);
            assert_eq!(event["data"]["from"], "15550002222");
        }
        let (_, images) = server
            .get(
                "/api/v1/messages?direction=inbound&chat=120363012345678901@g.us",
                &key,
            )
            .await;
        let image = images["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["type"] == "image")
            .unwrap()
            .clone();
        let media_id = image["content"]["media"]["mediaId"].as_str().unwrap();
        let download = server
            .raw(Method::GET, &format!("/api/v1/media/{media_id}"))
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(download.headers()["content-type"], "image/png");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn reactions_edits_revokes_and_votes_arrive_linked_to_their_message() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let theirs = server
            .inbound(&key, "sales", json!({ "from": "15550002222", "text": "First version" }))
            .await
            .unwrap();
        let received = server
            .wait_for_event(&key, "message.received", |e| e["data"]["providerMessageId"] == theirs.as_str())
            .await;
        let their_message = received["data"]["messageId"].as_str().unwrap().to_owned();

        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "edit": { "messageId": their_message, "text": "Second version" } }))
            .await;
        let edited = server.wait_for_event(&key, "message.edited", |_| true).await;
        assert_eq!(edited["data"]["messageId"], their_message.as_str());
        assert_eq!(edited["data"]["previousText"], "First version");
        assert_eq!(edited["data"]["text"], "Second version");
        let (_, message) = server.get(&format!("/api/v1/messages/{their_message}"), &key).await;
        assert_eq!(message["data"]["body"], "Second version");
        assert!(message["data"]["editedAt"].is_string());

        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "revoke": { "messageId": theirs } }))
            .await;
        let revoked = server.wait_for_event(&key, "message.revoked", |_| true).await;
        assert_eq!(revoked["data"]["messageId"], their_message.as_str());
        let (_, message) = server.get(&format!("/api/v1/messages/{their_message}"), &key).await;
        assert!(message["data"]["revokedAt"].is_string());

        // Someone else cannot edit that person's message.
        server
            .inbound(&key, "sales", json!({ "from": "15550003333", "edit": { "messageId": their_message, "text": "Forged" } }))
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let (_, message) = server.get(&format!("/api/v1/messages/{their_message}"), &key).await;
        assert_eq!(message["data"]["body"], "Second version");

        let poll_id = server.send_text(&key, "sales", "15550002222", "warm-up").await;
        server.wait_for_message(&key, &poll_id, "read").await;
        let (_, poll) = server
            .post("/api/v1/instances/sales/messages", &key, json!({ "to": "15550002222", "poll": { "name": "Lunch?", "values": ["Yes", "No"] } }))
            .await;
        let poll_id = poll["data"]["id"].as_str().unwrap().to_owned();
        server.wait_for_message(&key, &poll_id, "read").await;
        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "pollVote": { "messageId": poll_id, "values": ["Yes"] } }))
            .await;
        let vote = server.wait_for_event(&key, "message.poll_vote", |_| true).await;
        assert_eq!(vote["data"]["messageId"], poll_id.as_str());
        assert_eq!(vote["data"]["values"], json!(["Yes"]));

        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "reaction": { "messageId": poll_id, "emoji": "🎉" } }))
            .await;
        let reaction = server.wait_for_event(&key, "message.reaction", |_| true).await;
        assert_eq!(reaction["data"]["messageId"], poll_id.as_str());
        assert_eq!(reaction["data"]["emoji"], "🎉");
        assert_eq!(reaction["data"]["from"], "15550002222");
        let (_, message) = server.get(&format!("/api/v1/messages/{poll_id}"), &key).await;
        assert_eq!(message["data"]["reactions"], json!([{ "from": "15550002222", "emoji": "🎉", "at": message["data"]["reactions"][0]["at"] }]));
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn two_sandbox_numbers_of_different_accounts_message_each_other() {
    on_each_backend(|server| async move {
        let (alice, _) = server.linked_instance("alice").await;
        let bob = server.account("Bob Ltd").await;
        server.instance(&bob, "bob").await;
        server.link(&bob, "bob", "15550009999").await;

        let b64 = base64::engine::general_purpose::STANDARD;
        let (status, body) = server
            .post(
                "/api/v1/instances/alice/messages",
                &alice,
                json!({ "to": "15550009999", "image": { "base64": b64.encode(files::png(24)), "caption": "For Bob" } }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let sent = body["data"]["id"].as_str().unwrap().to_owned();
        let event = server.wait_for_event(&bob, "message.received", |_| true).await;
        assert_eq!(event["data"]["from"], "15550001111");
        assert_eq!(event["data"]["pushName"], "Sandbox 1111");
        assert_eq!(event["data"]["body"], "For Bob");
        let media_id = event["data"]["content"]["media"]["mediaId"].as_str().unwrap().to_owned();
        let download = server.raw(Method::GET, &format!("/api/v1/media/{media_id}")).await.bearer_auth(&bob).send().await.unwrap();
        assert_eq!(download.status(), StatusCode::OK, "the image was copied into Bob's account");
        let (status, _) = server.get(&format!("/api/v1/media/{media_id}"), &alice).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "and is Bob's, not Alice's");

        // Bob answers; Alice receives it.
        let reply = server.send_text(&bob, "bob", "15550001111", "Thanks!").await;
        server.wait_for_message(&bob, &reply, "read").await;
        let answer = server.wait_for_event(&alice, "message.received", |_| true).await;
        assert_eq!(answer["data"]["body"], "Thanks!");
        assert_eq!(answer["data"]["from"], "15550009999");
        server.wait_for_message(&alice, &sent, "read").await;
        server.stop().await;
    })
    .await;
}
