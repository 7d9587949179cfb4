//! Evolution API's `/chat/*` routes on the sandbox, called as Evolution's clients call them
//! (`apikey` header, the instance's name last): the answers in Evolution's shapes, the effect
//! seen through the native API, and the refusals in Evolution's error shape.

use crate::files;
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Calls an Evolution route with `apikey: key` (no key when `None`); answers the status and
/// the JSON body.
pub async fn evo(
    server: &TestServer,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = server.raw(method, path).await;
    if let Some(key) = key {
        request = request.header("apikey", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body read");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, json)
}

pub async fn evo_post(
    server: &TestServer,
    path: &str,
    key: &str,
    body: Value,
) -> (StatusCode, Value) {
    evo(server, Method::POST, path, Some(key), Some(body)).await
}

/// Asserts an answer is Evolution's error shape with this status; answers its messages.
pub fn evo_error(status: StatusCode, body: &Value, expected: StatusCode) -> Vec<String> {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    assert!(body["error"].is_string(), "{body}");
    body["response"]["message"]
        .as_array()
        .unwrap_or_else(|| panic!("no response.message: {body}"))
        .iter()
        .map(|message| message.as_str().unwrap().to_owned())
        .collect()
}

/// An account with `sales` linked to 15550001111; answers the account key and `sales`'s
/// own key (Evolution's instance token).
async fn linked(server: &TestServer) -> (String, String) {
    let key = server.account("Acme").await;
    let (_, token) = server.instance(&key, "sales").await;
    server.link(&key, "sales", "15550001111").await;
    (key, token)
}

/// Ann (15550002222) writes to `sales`; answers WhatsApp's id of her message.
async fn from_ann(server: &TestServer, key: &str, body: Value) -> String {
    let mut body = body;
    body["from"] = json!("15550002222");
    body["pushName"] = json!("Ann");
    let id = server.inbound(key, "sales", body).await.expect("an id");
    server
        .wait_for_event(key, "message.received", |e| {
            e["data"]["providerMessageId"] == id.as_str()
        })
        .await;
    id
}

/// The native view of `sales`'s message with WhatsApp's id `key_id`.
async fn native_message(server: &TestServer, key: &str, key_id: &str) -> Value {
    let (status, body) = server
        .get("/api/v1/messages?instance=sales&limit=200", key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["providerMessageId"] == key_id)
        .unwrap_or_else(|| panic!("no message {key_id}: {body}"))
        .clone()
}

#[tokio::test]
async fn evolution_chat_routes_need_a_key_that_reaches_the_named_instance() {
    on_each_backend(|server| async move {
        let (key, token) = linked(&server).await;
        let path = "/chat/whatsappNumbers/sales";
        let body = json!({ "numbers": ["15550002222"] });

        let (status, answer) = evo(&server, Method::POST, path, None, Some(body.clone())).await;
        evo_error(status, &answer, StatusCode::UNAUTHORIZED);
        let (status, answer) = evo(
            &server,
            Method::POST,
            path,
            Some("nope"),
            Some(body.clone()),
        )
        .await;
        evo_error(status, &answer, StatusCode::UNAUTHORIZED);

        let (status, answer) =
            evo_post(&server, "/chat/whatsappNumbers/nobody", &key, body.clone()).await;
        let messages = evo_error(status, &answer, StatusCode::NOT_FOUND);
        assert!(messages[0].contains("\"nobody\""), "{messages:?}");

        // The instance's token reaches its instance, and no other.
        let (status, answer) = evo_post(&server, path, &token, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (_, other_token) = server.instance(&key, "other").await;
        let (status, answer) = evo_post(&server, path, &other_token, body.clone()).await;
        evo_error(status, &answer, StatusCode::NOT_FOUND);
        let (status, answer) =
            evo_post(&server, "/chat/whatsappNumbers/other", &token, body.clone()).await;
        evo_error(status, &answer, StatusCode::NOT_FOUND);
        // Another account's key reaches none of this account's instances.
        let stranger = server.account("Other Co").await;
        let (status, answer) = evo_post(&server, path, &stranger, body.clone()).await;
        evo_error(status, &answer, StatusCode::NOT_FOUND);

        // Bodies Evolution would refuse are its 400.
        let response = server
            .raw(Method::POST, path)
            .await
            .header("apikey", &key)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        evo_error(status, &answer, StatusCode::BAD_REQUEST);
        let (status, answer) = evo_post(&server, path, &key, json!({})).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert_eq!(messages, ["instance requires property \"numbers\""]);
        let (status, answer) =
            evo_post(&server, path, &key, json!({ "numbers": "15550002222" })).await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);

        // A number that is not linked cannot be asked.
        let (status, answer) = evo_post(&server, "/chat/whatsappNumbers/other", &key, body).await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn numbers_are_answered_in_order_with_known_names_and_groups() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        from_ann(&server, &key, json!({ "text": "Hi" })).await;
        let (status, body) = evo_post(
            &server,
            "/chat/whatsappNumbers/sales",
            &key,
            json!({ "numbers": ["+55 11 5550-0000", "15550002222", "120363000000000099@g.us", "hello"] }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answers = body.as_array().unwrap();
        assert_eq!(answers.len(), 4, "{body}");
        assert_eq!(
            answers[0],
            json!({ "exists": false, "jid": "551155500000@s.whatsapp.net", "number": "+55 11 5550-0000" })
        );
        assert_eq!(answers[1]["exists"], true);
        assert_eq!(answers[1]["jid"], "15550002222@s.whatsapp.net");
        assert_eq!(answers[1]["number"], "15550002222");
        assert_eq!(answers[1]["name"], "Ann", "the name she shows: {body}");
        assert!(answers[1]["lid"].as_str().unwrap().ends_with("@lid"));
        // A group the number is not in does not exist for it.
        assert_eq!(answers[2]["exists"], false);
        assert_eq!(answers[2]["jid"], "120363000000000099@g.us");
        assert_eq!(answers[3]["exists"], false);
    })
    .await;
}

#[tokio::test]
async fn received_messages_are_marked_read_and_found_as_baileys_records() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let first = from_ann(&server, &key, json!({ "text": "Is this available?" })).await;
        let png = files::png(16);
        let photo = from_ann(
            &server,
            &key,
            json!({ "image": { "base64": base64::engine::general_purpose::STANDARD.encode(&png), "caption": "This one" } }),
        )
        .await;
        let sent = server.send_text(&key, "sales", "15550002222", "Yes it is").await;
        server.wait_for_message(&key, &sent, "read").await;

        let (status, body) = evo_post(
            &server,
            "/chat/markMessageAsRead/sales",
            &key,
            json!({ "readMessages": [
                { "id": first, "fromMe": false, "remoteJid": "15550002222@s.whatsapp.net" },
                { "id": "IGNORED-MINE", "fromMe": true, "remoteJid": "15550002222@s.whatsapp.net" }
            ] }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({ "message": "Read messages", "read": "success" }));
        assert_eq!(native_message(&server, &key, &first).await["status"], "read");
        assert_ne!(native_message(&server, &key, &photo).await["status"], "read");
        // A key of another chat is not found, and nothing is marked.
        let (status, body) = evo_post(
            &server,
            "/chat/markMessageAsRead/sales",
            &key,
            json!({ "readMessages": [{ "id": photo, "fromMe": false, "remoteJid": "15550003333@s.whatsapp.net" }] }),
        )
        .await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = evo_post(
            &server,
            "/chat/markMessageAsRead/sales",
            &key,
            json!({ "readMessages": [{ "id": photo, "remoteJid": "15550002222@s.whatsapp.net" }] }),
        )
        .await;
        assert_eq!(evo_error(status, &body, StatusCode::BAD_REQUEST), ["instance requires property \"fromMe\""]);

        // Every message of the chat, newest first, as Baileys records.
        let find = |filter: Value| {
            let server = &server;
            let key = key.clone();
            async move {
                let (status, body) = evo_post(server, "/chat/findMessages/sales", &key, filter).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                body["messages"].clone()
            }
        };
        let all = find(json!({ "where": { "key": { "remoteJid": "15550002222@s.whatsapp.net" } } })).await;
        assert_eq!(all["total"], 3, "{all}");
        assert_eq!(all["pages"], 1);
        assert_eq!(all["currentPage"], 1);
        let records = all["records"].as_array().unwrap();
        assert_eq!(records[0]["key"]["fromMe"], true);
        assert_eq!(records[0]["message"]["conversation"], "Yes it is");
        assert_eq!(records[0]["status"], "READ");
        assert_eq!(records[1]["key"], json!({ "remoteJid": "15550002222@s.whatsapp.net", "fromMe": false, "id": photo }));
        assert_eq!(records[1]["messageType"], "imageMessage");
        assert_eq!(records[1]["message"]["imageMessage"]["caption"], "This one");
        assert_eq!(records[2]["pushName"], "Ann");
        assert_eq!(records[2]["message"]["conversation"], "Is this available?");
        assert!(records[2]["messageTimestamp"].is_i64());
        assert!(records[2]["id"].is_string() && records[2]["instanceId"].is_string());

        // By key id, direction, type, time; paged with `offset` as the page size.
        let one = find(json!({ "where": { "key": { "id": first } } })).await;
        assert_eq!(one["total"], 1);
        assert_eq!(one["records"][0]["key"]["id"], first.as_str());
        let received = find(json!({ "where": { "key": { "fromMe": false } } })).await;
        assert_eq!(received["total"], 2);
        let texts = find(json!({ "where": { "messageType": "conversation" } })).await;
        assert_eq!(texts["total"], 2);
        let none = find(json!({ "where": { "messageType": "protocolMessage" } })).await;
        assert_eq!(none["total"], 0);
        let later = find(json!({ "where": { "messageTimestamp": { "gte": "2999-01-01" } } })).await;
        assert_eq!(later["total"], 0);
        let window = find(json!({ "where": { "messageTimestamp": { "gte": 0, "lte": "2999-01-01T00:00:00Z" } } })).await;
        assert_eq!(window["total"], 3);
        let second_page = find(json!({ "where": {}, "offset": 2, "page": 2 })).await;
        assert_eq!(second_page["total"], 3);
        assert_eq!(second_page["pages"], 2);
        assert_eq!(second_page["currentPage"], 2);
        assert_eq!(second_page["records"].as_array().unwrap().len(), 1);
        assert_eq!(second_page["records"][0]["key"]["id"], first.as_str());

        let (status, body) = evo_post(&server, "/chat/findMessages/sales", &key, json!({ "offset": 0 })).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
        let (status, body) = evo_post(
            &server,
            "/chat/findMessages/sales",
            &key,
            json!({ "where": { "messageTimestamp": { "gte": "last week" } } }),
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn a_media_message_comes_back_as_base64() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let png = files::png(16);
        let b64 = base64::engine::general_purpose::STANDARD;
        let photo = from_ann(
            &server,
            &key,
            json!({ "image": { "base64": b64.encode(&png), "caption": "This one" } }),
        )
        .await;
        let (status, body) = evo_post(
            &server,
            "/chat/getBase64FromMediaMessage/sales",
            &key,
            json!({ "message": { "key": { "id": photo } } }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["mediaType"], "imageMessage");
        assert_eq!(body["caption"], "This one");
        assert_eq!(body["mimetype"], "image/png");
        assert_eq!(body["size"]["fileLength"], png.len().to_string());
        assert!(
            body["fileName"].as_str().unwrap().starts_with(&photo),
            "{body}"
        );
        assert_eq!(b64.decode(body["base64"].as_str().unwrap()).unwrap(), png);

        let text = from_ann(&server, &key, json!({ "text": "no file" })).await;
        let (status, body) = evo_post(
            &server,
            "/chat/getBase64FromMediaMessage/sales",
            &key,
            json!({ "message": { "key": { "id": text } } }),
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
        let (status, body) = evo_post(
            &server,
            "/chat/getBase64FromMediaMessage/sales",
            &key,
            json!({ "message": { "key": { "id": "3EB0NOSUCHMESSAGE" } } }),
        )
        .await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn own_messages_are_edited_and_deleted_for_everyone() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let sent = server.send_text(&key, "sales", "15550002222", "Helo").await;
        let sent = server.wait_for_message(&key, &sent, "read").await;
        let key_id = sent["providerMessageId"].as_str().unwrap().to_owned();

        let (status, body) = evo_post(
            &server,
            "/chat/updateMessage/sales",
            &key,
            json!({ "number": "15550002222", "key": { "id": key_id, "fromMe": true, "remoteJid": "15550002222@s.whatsapp.net" }, "text": "Hello" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["message"]["protocolMessage"]["type"], "MESSAGE_EDIT");
        assert_eq!(body["message"]["protocolMessage"]["editedMessage"]["conversation"], "Hello");
        assert_eq!(body["key"]["id"], key_id.as_str());
        let native = native_message(&server, &key, &key_id).await;
        assert_eq!(native["body"], "Hello", "{native}");
        // The key must be of the chat named.
        let (status, body) = evo_post(
            &server,
            "/chat/updateMessage/sales",
            &key,
            json!({ "number": "15550003333", "key": { "id": key_id }, "text": "Hi" }),
        )
        .await;
        evo_error(status, &body, StatusCode::NOT_FOUND);

        let (status, body) = evo(
            &server,
            Method::DELETE,
            "/chat/deleteMessageForEveryone/sales",
            Some(&key),
            Some(json!({ "id": key_id, "fromMe": true, "remoteJid": "15550002222@s.whatsapp.net" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["message"]["protocolMessage"]["type"], "REVOKE");
        assert_eq!(body["message"]["protocolMessage"]["key"]["id"], key_id.as_str());
        assert!(native_message(&server, &key, &key_id).await["revokedAt"].is_string());
        // Twice is refused; so is someone else's message.
        let (status, body) = evo(
            &server,
            Method::DELETE,
            "/chat/deleteMessageForEveryone/sales",
            Some(&key),
            Some(json!({ "id": key_id, "fromMe": true, "remoteJid": "15550002222@s.whatsapp.net" })),
        )
        .await;
        evo_error(status, &body, StatusCode::FORBIDDEN);
        let theirs = from_ann(&server, &key, json!({ "text": "mine" })).await;
        let (status, body) = evo(
            &server,
            Method::DELETE,
            "/chat/deleteMessageForEveryone/sales",
            Some(&key),
            Some(json!({ "id": theirs, "fromMe": false, "remoteJid": "15550002222@s.whatsapp.net" })),
        )
        .await;
        evo_error(status, &body, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn chats_are_archived_marked_unread_and_listed_with_their_last_message() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let last = from_ann(&server, &key, json!({ "text": "Are you there?" })).await;
        let sent = server.send_text(&key, "sales", "15550003333", "Your order shipped").await;
        server.wait_for_message(&key, &sent, "read").await;

        let (status, body) = evo_post(
            &server,
            "/chat/archiveChat/sales",
            &key,
            json!({ "lastMessage": { "key": { "id": last, "fromMe": false, "remoteJid": "15550002222@s.whatsapp.net" } }, "archive": true }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({ "chatId": "15550002222@s.whatsapp.net", "archived": true }));
        let (status, body) = evo_post(
            &server,
            "/chat/markChatUnread/sales",
            &key,
            json!({ "chat": "15550003333" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({ "chatId": "15550003333", "markedChatUnread": true }));
        let (_, chats) = server.get("/api/v1/instances/sales/chats", &key).await;
        let chat = |jid: &str| {
            chats["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["jid"] == jid)
                .unwrap()
                .clone()
        };
        assert_eq!(chat("15550002222@s.whatsapp.net")["archived"], true, "{chats}");
        assert_eq!(chat("15550003333@s.whatsapp.net")["markedUnread"], true, "{chats}");
        let (status, body) = evo_post(&server, "/chat/archiveChat/sales", &key, json!({ "chat": "15550002222" })).await;
        assert_eq!(evo_error(status, &body, StatusCode::BAD_REQUEST), ["instance requires property \"archive\""]);
        let (status, body) = evo_post(&server, "/chat/archiveChat/sales", &key, json!({ "archive": false })).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
        let (status, _) = evo_post(&server, "/chat/archiveChat/sales", &key, json!({ "chat": "15550002222", "archive": false })).await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, chats) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(chats["data"][1]["archived"], false, "{chats}");

        // The chats, most recent first, with their last message and unread count.
        let (status, body) = evo_post(&server, "/chat/findChats/sales", &key, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body.as_array().unwrap();
        assert_eq!(list.len(), 2, "{body}");
        assert_eq!(list[0]["remoteJid"], "15550003333@s.whatsapp.net");
        assert_eq!(list[0]["lastMessage"]["message"]["conversation"], "Your order shipped");
        assert_eq!(list[0]["lastMessage"]["key"]["fromMe"], true);
        assert_eq!(list[0]["unreadCount"], 0);
        assert_eq!(list[1]["remoteJid"], "15550002222@s.whatsapp.net");
        assert_eq!(list[1]["pushName"], "Ann");
        assert_eq!(list[1]["unreadCount"], 1);
        assert_eq!(list[1]["isSaved"], true);
        assert_eq!(list[1]["lastMessage"]["key"]["id"], last.as_str());
        assert!(list[1]["updatedAt"].as_str().unwrap().ends_with('Z'));
        let (_, body) = evo_post(&server, "/chat/findChats/sales", &key, json!({ "where": { "remoteJid": "15550002222" } })).await;
        assert_eq!(body.as_array().unwrap().len(), 1);
        assert_eq!(body[0]["remoteJid"], "15550002222@s.whatsapp.net");
        let (_, body) = evo_post(&server, "/chat/findChats/sales", &key, json!({ "take": 1, "skip": 1 })).await;
        assert_eq!(body.as_array().unwrap().len(), 1);
        assert_eq!(body[0]["remoteJid"], "15550002222@s.whatsapp.net");

        let (status, body) = evo(&server, Method::GET, "/chat/findChatByRemoteJid/sales?remoteJid=15550002222@s.whatsapp.net", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["remoteJid"], "15550002222@s.whatsapp.net");
        assert_eq!(body["unreadMessages"], 1);
        assert_eq!(body["name"], "Ann");
        let (status, body) = evo(&server, Method::GET, "/chat/findChatByRemoteJid/sales?remoteJid=15550009999", Some(&key), None).await;
        assert_eq!((status, body), (StatusCode::OK, Value::Null));
        let (status, body) = evo(&server, Method::GET, "/chat/findChatByRemoteJid/sales", Some(&key), None).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn contacts_are_found_by_jid_or_name() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        from_ann(&server, &key, json!({ "text": "Hi" })).await;
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/contacts",
                &key,
                json!({ "contacts": [{ "phone": "15550003333", "name": "Bob Builder" }] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (status, body) = evo_post(&server, "/chat/findContacts/sales", &key, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let all = body.as_array().unwrap();
        assert_eq!(all.len(), 2, "{body}");
        let ann = all
            .iter()
            .find(|c| c["remoteJid"] == "15550002222@s.whatsapp.net")
            .unwrap();
        assert_eq!(ann["pushName"], "Ann");
        assert_eq!(ann["id"], "15550002222@s.whatsapp.net");
        assert_eq!(ann["isSaved"], false);
        assert!(ann["instanceId"].is_string() && ann["updatedAt"].is_string());
        let bob = all
            .iter()
            .find(|c| c["remoteJid"] == "15550003333@s.whatsapp.net")
            .unwrap();
        assert_eq!(bob["pushName"], "Bob Builder");
        assert_eq!(bob["isSaved"], true);

        let (_, body) = evo_post(
            &server,
            "/chat/findContacts/sales",
            &key,
            json!({ "where": { "remoteJid": "15550002222" } }),
        )
        .await;
        assert_eq!(body.as_array().unwrap().len(), 1);
        assert_eq!(body[0]["pushName"], "Ann");
        let (_, body) = evo_post(
            &server,
            "/chat/findContacts/sales",
            &key,
            json!({ "where": { "pushName": "bob" } }),
        )
        .await;
        assert_eq!(body.as_array().unwrap().len(), 1);
        assert_eq!(body[0]["remoteJid"], "15550003333@s.whatsapp.net");
        let (_, body) = evo_post(
            &server,
            "/chat/findContacts/sales",
            &key,
            json!({ "where": { "remoteJid": "15550009999@s.whatsapp.net" } }),
        )
        .await;
        assert_eq!(body, json!([]));
        let (_, body) = evo_post(
            &server,
            "/chat/findContacts/sales",
            &key,
            json!({ "offset": 1, "page": 2 }),
        )
        .await;
        assert_eq!(body.as_array().unwrap().len(), 1);
    })
    .await;
}

/// `(kind, chat)` of the presence `sales` put on the wire.
async fn presence_on_the_wire(server: &TestServer, key: &str) -> Vec<(String, String)> {
    server
        .sandbox_activity(key, "sales")
        .await
        .into_iter()
        .filter(|entry| {
            ["typing", "recording", "paused", "available", "unavailable"]
                .contains(&entry["kind"].as_str().unwrap())
        })
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap().to_owned(),
                entry["chat"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn presence_is_shown_for_its_delay_without_the_request_waiting() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let started = Instant::now();
        let (status, body) = evo_post(
            &server,
            "/chat/sendPresence/sales",
            &key,
            json!({ "number": "15550002222", "presence": "composing", "delay": 1500 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({ "presence": "composing" }));
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "the request waited"
        );
        let chat = "15550002222@s.whatsapp.net".to_owned();
        assert_eq!(
            presence_on_the_wire(&server, &key).await,
            [("typing".to_owned(), chat.clone())]
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while presence_on_the_wire(&server, &key).await.len() < 2 {
            assert!(Instant::now() < deadline, "typing never ended");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            started.elapsed() >= Duration::from_millis(1500),
            "typing ended early"
        );
        assert_eq!(
            presence_on_the_wire(&server, &key).await,
            [
                ("typing".to_owned(), chat.clone()),
                ("paused".to_owned(), chat.clone())
            ]
        );

        // A later call replaces an earlier one's end: recording, then paused at once.
        let (status, _) = evo_post(
            &server,
            "/chat/sendPresence/sales",
            &key,
            json!({ "number": "15550002222", "presence": "recording", "delay": 300 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = evo_post(
            &server,
            "/chat/sendPresence/sales",
            &key,
            json!({ "number": "15550002222", "presence": "paused", "delay": 0 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = evo_post(
            &server,
            "/chat/sendPresence/sales",
            &key,
            json!({ "number": "15550002222", "presence": "available", "delay": 0 }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        tokio::time::sleep(Duration::from_millis(600)).await;
        let wire = presence_on_the_wire(&server, &key).await;
        assert_eq!(
            wire[2..],
            [
                ("recording".to_owned(), chat.clone()),
                ("paused".to_owned(), chat.clone()),
                (
                    "available".to_owned(),
                    "15550001111@s.whatsapp.net".to_owned()
                ),
            ],
            "no second paused from the replaced timer: {wire:?}"
        );

        for body in [
            json!({ "number": "15550002222", "presence": "dancing", "delay": 0 }),
            json!({ "presence": "composing", "delay": 0 }),
            json!({ "number": "15550002222", "presence": "composing", "delay": -5 }),
            json!({ "number": "15550002222", "presence": "composing", "delay": 600000 }),
        ] {
            let (status, answer) =
                evo_post(&server, "/chat/sendPresence/sales", &key, body.clone()).await;
            evo_error(status, &answer, StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

#[tokio::test]
async fn contacts_are_blocked_and_unblocked() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let blocklist = || async {
            let (status, body) = server
                .get("/api/v1/instances/sales/contacts/blocklist", &key)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["jid"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let (status, body) = evo_post(
            &server,
            "/chat/updateBlockStatus/sales",
            &key,
            json!({ "number": "15550002222@s.whatsapp.net", "status": "block" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({ "block": "success" }));
        assert_eq!(blocklist().await, ["15550002222@s.whatsapp.net"]);
        let (status, _) = evo_post(
            &server,
            "/chat/updateBlockStatus/sales",
            &key,
            json!({ "number": "15550002222", "status": "unblock" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(blocklist().await.is_empty());
        let (status, body) = evo_post(
            &server,
            "/chat/updateBlockStatus/sales",
            &key,
            json!({ "number": "15550002222", "status": "mute" }),
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn the_profile_is_read_and_changed() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        server.instance(&key, "customer").await;
        server.link(&key, "customer", "15550002222").await;

        let (status, body) = evo_post(
            &server,
            "/chat/updateProfileName/sales",
            &key,
            json!({ "name": "Acme Support" }),
        )
        .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({ "update": "success" }))
        );
        let (status, body) = evo_post(
            &server,
            "/chat/updateProfileStatus/sales",
            &key,
            json!({ "status": "We answer 9 to 5" }),
        )
        .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({ "update": "success" }))
        );
        let png = files::png(32);
        let (status, body) = evo_post(
            &server,
            "/chat/updateProfilePicture/sales",
            &key,
            json!({ "picture": base64::engine::general_purpose::STANDARD.encode(&png) }),
        )
        .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({ "update": "success" }))
        );
        let (_, profile) = server.get("/api/v1/instances/sales/profile", &key).await;
        assert_eq!(profile["data"]["pushName"], "Acme Support");
        assert_eq!(profile["data"]["about"], "We answer 9 to 5");
        let picture = profile["data"]["pictureUrl"]
            .as_str()
            .expect("a picture")
            .to_owned();

        // Another number sees them.
        let (status, body) = evo_post(
            &server,
            "/chat/fetchProfilePictureUrl/customer",
            &key,
            json!({ "number": "15550001111" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({ "wuid": "15550001111@s.whatsapp.net", "profilePictureUrl": picture })
        );
        let (status, body) = evo_post(
            &server,
            "/chat/fetchProfile/customer",
            &key,
            json!({ "number": "15550001111" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["wuid"], "15550001111@s.whatsapp.net");
        assert_eq!(body["numberExists"], true);
        assert_eq!(body["status"], "We answer 9 to 5");
        assert_eq!(body["picture"], picture.as_str());
        assert_eq!(body["isBusiness"], false);
        let (status, body) = evo_post(&server, "/chat/fetchProfile/sales", &key, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["wuid"], "15550001111@s.whatsapp.net");
        assert_eq!(body["name"], "Acme Support");
        assert_eq!(body["status"], "open");
        let (status, body) = evo_post(
            &server,
            "/chat/fetchProfile/sales",
            &key,
            json!({ "number": "15550000000" }),
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);

        let (status, body) = evo(
            &server,
            Method::DELETE,
            "/chat/removeProfilePicture/sales",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({ "update": "success" }))
        );
        let (_, profile) = server.get("/api/v1/instances/sales/profile", &key).await;
        assert_eq!(profile["data"]["pictureUrl"], Value::Null);
        let (_, body) = evo_post(
            &server,
            "/chat/fetchProfilePictureUrl/customer",
            &key,
            json!({ "number": "15550001111" }),
        )
        .await;
        assert_eq!(body["profilePictureUrl"], Value::Null);

        for (path, body) in [
            ("/chat/updateProfileName/sales", json!({ "name": "" })),
            (
                "/chat/updateProfileName/sales",
                json!({ "name": "x".repeat(26) }),
            ),
            ("/chat/updateProfileStatus/sales", json!({})),
            (
                "/chat/updateProfilePicture/sales",
                json!({ "picture": "bm90IGFuIGltYWdl" }),
            ),
            ("/chat/fetchProfilePictureUrl/sales", json!({})),
        ] {
            let (status, answer) = evo_post(&server, path, &key, body.clone()).await;
            assert!(status.is_client_error(), "{path} {body}: {status} {answer}");
            assert_eq!(answer["status"], status.as_u16(), "{answer}");
        }
    })
    .await;
}

#[tokio::test]
async fn privacy_settings_are_read_and_changed_with_evolutions_names() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let (status, body) = evo(&server, Method::GET, "/chat/fetchPrivacySettings/sales", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({ "readreceipts": "all", "profile": "contacts", "status": "contacts", "online": "all", "last": "contacts", "groupadd": "all" })
        );
        let (status, body) = evo_post(
            &server,
            "/chat/updatePrivacySettings/sales",
            &key,
            json!({ "readreceipts": "none", "profile": "all", "status": "none", "online": "match_last_seen", "last": "none", "groupadd": "contacts" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let after = json!({ "readreceipts": "none", "profile": "all", "status": "none", "online": "match_last_seen", "last": "none", "groupadd": "contacts" });
        assert_eq!(body, json!({ "update": "success", "data": after }));
        let (_, native) = server.get("/api/v1/instances/sales/profile/privacy", &key).await;
        assert_eq!(native["data"]["readReceipts"], "none");
        assert_eq!(native["data"]["lastSeen"], "none");
        assert_eq!(native["data"]["groupAdd"], "contacts");
        let (status, body) = evo_post(&server, "/chat/updatePrivacySettings/sales", &key, json!({ "readreceipts": "contacts" })).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
        let (_, body) = evo(&server, Method::GET, "/chat/fetchPrivacySettings/sales", Some(&key), None).await;
        assert_eq!(body, after, "a refused change changes nothing");
    })
    .await;
}

#[tokio::test]
async fn what_wagate_cannot_do_is_said_with_501() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        for path in [
            "/chat/findStatusMessage/sales",
            "/chat/fetchBusinessProfile/sales",
        ] {
            let (status, body) = evo_post(&server, path, &key, json!({ "where": {} })).await;
            let messages = evo_error(status, &body, StatusCode::NOT_IMPLEMENTED);
            assert!(
                messages[0].contains("not available in wagate"),
                "{messages:?}"
            );
        }
        let (status, body) = evo(
            &server,
            Method::POST,
            "/chat/findStatusMessage/sales",
            None,
            None,
        )
        .await;
        evo_error(status, &body, StatusCode::UNAUTHORIZED);
        // Evolution's integrations and sinks wagate does not serve in the dialect.
        for (method, path) in [
            (Method::POST, "/proxy/set/sales"),
            (Method::GET, "/rabbitmq/find/sales"),
            (Method::POST, "/chatwoot/set/sales"),
            (Method::GET, "/typebot/fetch/abc123/sales"),
            (Method::GET, "/template/find/sales"),
            (Method::POST, "/call/offer/sales"),
        ] {
            let (status, body) =
                evo(&server, method.clone(), path, Some(&key), Some(json!({}))).await;
            let messages = evo_error(status, &body, StatusCode::NOT_IMPLEMENTED);
            assert!(
                messages[0].contains("not available in wagate"),
                "{path}: {messages:?}"
            );
            let (status, body) = evo(&server, method, path, None, None).await;
            evo_error(status, &body, StatusCode::UNAUTHORIZED);
        }
    })
    .await;
}

#[tokio::test]
async fn labels_are_listed_and_put_on_chats() {
    on_each_backend(|server| async move {
        let (key, token) = linked(&server).await;
        let (status, made) = server
            .post(
                "/api/v1/instances/sales/labels",
                &key,
                json!({ "name": "Paid", "color": 3 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let id = made["data"]["id"].as_str().unwrap().to_owned();
        let (status, labels) = evo(
            &server,
            Method::GET,
            "/label/findLabels/sales",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{labels}");
        assert_eq!(
            labels,
            json!([{ "id": id, "name": "Paid", "color": 3, "predefinedId": null }])
        );

        let (status, done) = evo_post(
            &server,
            "/label/handleLabel/sales",
            &token,
            json!({ "number": "15550002222", "labelId": id, "action": "add" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{done}");
        assert_eq!(
            done,
            json!({ "numberJid": "15550002222@s.whatsapp.net", "labelId": id, "add": true })
        );
        let (_, chats) = server
            .get(&format!("/api/v1/instances/sales/labels/{id}/chats"), &key)
            .await;
        assert_eq!(
            chats["data"],
            json!(["15550002222@s.whatsapp.net"]),
            "{chats}"
        );
        let (status, done) = evo_post(
            &server,
            "/label/handleLabel/sales",
            &token,
            json!({ "number": "15550002222", "labelId": id, "action": "remove" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{done}");
        assert_eq!(done["remove"], true);
        let (_, chats) = server
            .get(&format!("/api/v1/instances/sales/labels/{id}/chats"), &key)
            .await;
        assert_eq!(chats["data"], json!([]), "{chats}");

        for bad in [
            json!({ "number": "15550002222", "labelId": id, "action": "toggle" }),
            json!({ "labelId": id, "action": "add" }),
        ] {
            let (status, body) = evo_post(&server, "/label/handleLabel/sales", &token, bad).await;
            evo_error(status, &body, StatusCode::BAD_REQUEST);
        }
        let (status, body) = evo_post(
            &server,
            "/label/handleLabel/sales",
            &token,
            json!({ "number": "15550002222", "labelId": "999", "action": "add" }),
        )
        .await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
    })
    .await;
}
