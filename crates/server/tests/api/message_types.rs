//! Every kind of content besides media, and replies, mentions, reactions and recipients.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn send(server: &TestServer, key: &str, body: Value) -> Value {
    let (status, answer) = server
        .post("/api/v1/instances/sales/messages", key, body.clone())
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}: {answer}");
    let id = answer["data"]["id"].as_str().unwrap().to_owned();
    server.wait_for_message(key, &id, "read").await
}

#[tokio::test]
async fn every_content_type_is_sent_and_stored_whole() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let location = send(
            &server,
            &key,
            json!({ "to": "15550002222", "location": { "latitude": 37.7749, "longitude": -122.4194, "name": "San Francisco" } }),
        )
        .await;
        assert_eq!(location["type"], "location");
        assert_eq!(location["content"]["latitude"], 37.7749);
        assert_eq!(location["body"], "San Francisco");

        let contact = send(
            &server,
            &key,
            json!({ "to": "15550002222", "contact": { "fullName": "John Doe", "phoneNumber": "+1 555 000 3333", "organization": "Acme" } }),
        )
        .await;
        assert_eq!(contact["type"], "contacts");
        assert_eq!(contact["content"]["contacts"][0]["phoneNumbers"][0], "15550003333");

        let contacts = send(
            &server,
            &key,
            json!({ "to": "15550002222", "contacts": [
                { "fullName": "Ann", "phoneNumbers": ["15550004444", "15550005555"] },
                { "fullName": "Bob", "phoneNumber": "15550006666", "email": "bob@example.com" }
            ] }),
        )
        .await;
        assert_eq!(contacts["body"], "Ann, Bob");

        let poll = send(
            &server,
            &key,
            json!({ "to": "15550002222", "poll": { "name": "Lunch?", "values": ["Pizza", "Sushi", "Salad"], "selectableCount": 2 } }),
        )
        .await;
        assert_eq!(poll["content"]["values"].as_array().unwrap().len(), 3);
        assert_eq!(poll["content"]["selectableCount"], 2);

        let template = send(
            &server,
            &key,
            json!({ "to": "15550002222", "template": { "name": "order_ready", "language": { "code": "en_US" },
                "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }] }] } }),
        )
        .await;
        assert_eq!(template["content"]["language"], "en_US");
        assert_eq!(template["content"]["components"][0]["parameters"][0]["text"], "Sarah");

        for interactive in [
            json!({ "body": "Pick one", "footer": "Thanks", "buttons": [{ "id": "yes", "title": "Yes" }, { "id": "no", "title": "No" }] }),
            json!({ "body": "Menu", "list": { "button": "Open", "sections": [{ "title": "Food", "rows": [{ "id": "p", "title": "Pizza", "description": "Hot" }] }] } }),
            json!({ "body": "Track your order", "cta": { "displayText": "Track", "url": "https://example.com/track/1" } }),
        ] {
            let message = send(&server, &key, json!({ "to": "15550002222", "interactive": interactive })).await;
            assert_eq!(message["type"], "interactive");
            assert!(message["content"]["action"]["kind"].is_string());
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn replies_mentions_and_reactions_point_at_real_messages() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let first = send(&server, &key, json!({ "to": "15550002222", "text": "Original" })).await;
        let first_id = first["id"].as_str().unwrap();

        let reply = send(
            &server,
            &key,
            json!({ "to": "120363012345678901@g.us", "text": "Reply", "replyTo": first_id, "mentions": ["+1 555 000 2222", "all"] }),
        )
        .await;
        assert_eq!(reply["replyTo"], first["providerMessageId"]);
        assert_eq!(reply["mentions"], json!([{ "phone": "15550002222" }, "all"]));
        assert_eq!(reply["to"], "120363012345678901@g.us");

        // A reaction needs no recipient: it goes to the chat of the message it reacts to.
        let reaction = send(&server, &key, json!({ "reaction": { "messageId": first_id, "emoji": "👍" } })).await;
        assert_eq!(reaction["to"], "15550002222");
        assert_eq!(reaction["content"]["targetId"], first["providerMessageId"]);
        let removal = send(&server, &key, json!({ "reaction": { "messageId": first_id, "emoji": "" } })).await;
        assert_eq!(removal["content"]["emoji"], "");

        let path = "/api/v1/instances/sales/messages";
        let (status, body) = server.post(path, &key, json!({ "reaction": { "messageId": "nope", "emoji": "👍" } })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["reaction.messageId"]);
        let (status, body) = server.post(path, &key, json!({ "to": "15550002222", "text": "x", "replyTo": "nope" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["replyTo"]);
        let (status, body) = server.post(path, &key, json!({ "to": "15550002222", "text": "x", "mentions": ["abc"] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["mentions"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn every_kind_of_recipient_is_accepted() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        // A channel the number runs: posting in it is sending to it.
        let (status, channel) = server
            .post(
                "/api/v1/instances/sales/newsletters",
                &key,
                json!({ "name": "News" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        let channel = channel["data"]["jid"].as_str().unwrap().to_owned();
        for (field, to, normalised) in [
            ("to", "15550002222@s.whatsapp.net", "15550002222"),
            ("to", "15550002222@c.us", "15550002222"),
            ("group", "120363012345678901", "120363012345678901@g.us"),
            ("to", "123456789012345@lid", "123456789012345@lid"),
            ("to", channel.as_str(), channel.as_str()),
            ("number", "+44 7911 123456", "447911123456"),
        ] {
            let message = send(&server, &key, json!({ field: to, "text": "hi" })).await;
            assert_eq!(message["to"], normalised, "{field}: {to}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn malformed_content_is_refused_field_by_field() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let path = "/api/v1/instances/sales/messages";
        for (body, expected) in [
            (json!({ "to": "15550002222", "location": { "latitude": 91, "longitude": 0 } }), vec!["location.latitude"]),
            (json!({ "to": "15550002222", "poll": { "name": "Q", "values": ["only"] } }), vec!["poll.values"]),
            (json!({ "to": "15550002222", "contact": { "fullName": "X" } }), vec!["contact.phoneNumber"]),
            (json!({ "to": "15550002222", "template": { "name": "Bad Name" } }), vec!["template.name", "template.language"]),
            (json!({ "to": "15550002222", "interactive": { "body": "x", "buttons": [] } }), vec!["interactive.buttons"]),
            (json!({ "to": "15550002222", "text": "a", "poll": { "name": "Q", "values": ["a", "b"] } }), vec!["poll"]),
            (json!({ "to": "15550002222" }), vec!["text"]),
            (json!({ "to": "15550002222", "location": "here" }), vec!["location"]),
        ] {
            let (status, answer) = server.post(path, &key, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(fields(&answer), expected, "{body}");
        }
        server.stop().await;
    })
    .await;
}
