//! Evolution API's `/message/send*` routes on the sandbox, called as Evolution's clients call
//! them: 201 with Evolution's message object, the message then sent like a native one (seen
//! through the native API and the sandbox's wire), and refusals in Evolution's error shape.

use crate::evolution_chat::{evo, evo_error, evo_post};
use crate::files;
use crate::support::*;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// An account with `sales` linked to 15550001111; answers the account key and `sales`'s
/// own key (Evolution's instance token).
async fn linked(server: &TestServer) -> (String, String) {
    let key = server.account("Acme").await;
    let (_, token) = server.instance(&key, "sales").await;
    server.link(&key, "sales", "15550001111").await;
    (key, token)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Asserts Evolution's send answer: 201, the message object's fields and their types, to
/// `remote_jid`, of `message_type`; answers it.
fn sent_answer(status: StatusCode, body: &Value, remote_jid: &str, message_type: &str) -> Value {
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["key"]["remoteJid"], remote_jid, "{body}");
    assert_eq!(body["key"]["fromMe"], true, "{body}");
    assert!(
        body["key"]["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    assert!(body["pushName"].is_string(), "{body}");
    assert_eq!(body["status"], "PENDING", "{body}");
    assert_eq!(body["messageType"], message_type, "{body}");
    assert!(
        body["message"][message_type].is_object() || body["message"][message_type].is_string(),
        "{body}"
    );
    assert!(body["messageTimestamp"].is_i64(), "{body}");
    assert!(body["instanceId"].is_string(), "{body}");
    body.clone()
}

/// The sandbox sends a message under wagate's id, so Evolution's `key.id` names it in the
/// native API too; waits until WhatsApp took it.
async fn reaches_whatsapp(server: &TestServer, key: &str, key_id: &str) -> Value {
    server
        .wait_for_message_where(key, key_id, "sent", |message| {
            ["sent", "delivered", "read"].contains(&message["status"].as_str().unwrap_or_default())
        })
        .await
}

/// Posts a multipart form to an Evolution route with `apikey`.
async fn evo_form(server: &TestServer, path: &str, key: &str, form: Form) -> (StatusCode, Value) {
    let response = server
        .raw(Method::POST, path)
        .await
        .header("apikey", key)
        .multipart(form)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("a JSON answer"))
}

async fn native_messages(server: &TestServer, key: &str) -> Vec<Value> {
    let (status, body) = server
        .get("/api/v1/messages?instance=sales&limit=200", key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn evolution_messages_send_the_seeds_text_and_it_reaches_whatsapp() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let (status, answer) = evo_post(
            &server,
            "/message/sendText/sales",
            &key,
            json!({ "number": "15550002222", "text": "Thanks for your message! We'll get back to you soon." }),
        )
        .await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "conversation");
        assert_eq!(
            answer["message"]["conversation"],
            "Thanks for your message! We'll get back to you soon."
        );
        assert_eq!(answer["source"], "web");

        let id = answer["key"]["id"].as_str().unwrap();
        let sent = reaches_whatsapp(&server, &key, id).await;
        assert_eq!(sent["id"], id, "the sandbox's key.id is wagate's id");
        assert_eq!(sent["to"], "15550002222");
        assert_eq!(sent["body"], "Thanks for your message! We'll get back to you soon.");
        assert_eq!(sent["providerMessageId"], id);

        // A group JID, and digits with the punctuation people type, are numbers too.
        let (status, answer) = evo_post(
            &server,
            "/message/sendText/sales",
            &key,
            json!({ "number": "+1 (555) 000-3333", "text": "Hi" }),
        )
        .await;
        sent_answer(status, &answer, "15550003333@s.whatsapp.net", "conversation");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_need_a_key_that_reaches_the_instance_and_a_good_body() {
    on_each_backend(|server| async move {
        let (key, token) = linked(&server).await;
        let (_, other_token) = server.instance(&key, "support").await;
        let path = "/message/sendText/sales";
        let body = json!({ "number": "15550002222", "text": "Hi" });

        let (status, answer) = evo(&server, Method::POST, path, None, Some(body.clone())).await;
        evo_error(status, &answer, StatusCode::UNAUTHORIZED);
        let (status, answer) =
            evo_post(&server, "/message/sendText/nobody", &key, body.clone()).await;
        let messages = evo_error(status, &answer, StatusCode::NOT_FOUND);
        assert!(messages[0].contains("\"nobody\""), "{messages:?}");
        // An instance's key reaches its own instance only.
        let (status, answer) = evo_post(&server, path, &other_token, body.clone()).await;
        evo_error(status, &answer, StatusCode::NOT_FOUND);
        let (status, answer) = evo_post(&server, path, &token, body.clone()).await;
        sent_answer(
            status,
            &answer,
            "15550002222@s.whatsapp.net",
            "conversation",
        );
        // An instance not linked yet cannot send.
        let (status, answer) =
            evo_post(&server, "/message/sendText/support", &key, body.clone()).await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);

        let (status, answer) = evo_post(&server, path, &key, json!({ "text": "Hi" })).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("\"number\""), "{messages:?}");
        let (status, answer) =
            evo_post(&server, path, &key, json!({ "number": "15550002222" })).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("\"text\""), "{messages:?}");
        let (status, answer) = evo_post(
            &server,
            path,
            &key,
            json!({ "number": "call me", "text": "Hi" }),
        )
        .await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("number:"), "{messages:?}");
        for delay in [json!(-5), json!(120_001)] {
            let (status, answer) = evo_post(
                &server,
                path,
                &key,
                json!({ "number": "15550002222", "text": "Hi", "delay": delay }),
            )
            .await;
            let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
            assert!(messages[0].starts_with("delay"), "{messages:?}");
        }
        let (status, answer) = evo(&server, Method::POST, path, Some(&key), None).await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_delay_shows_typing_first_without_holding_the_request() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let started = Instant::now();
        let (status, answer) = evo_post(
            &server,
            "/message/sendText/sales",
            &key,
            json!({ "number": "15550004444", "text": "One moment", "delay": 600 }),
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "the request did not wait"
        );
        let answer = sent_answer(
            status,
            &answer,
            "15550004444@s.whatsapp.net",
            "conversation",
        );
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;

        let seen = server.sandbox_activity(&key, "sales").await;
        let kinds: Vec<_> = seen.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["typing", "paused", "message"], "{seen:?}");
        let at = |i: usize| {
            seen[i]["at"]
                .as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
        };
        assert!((at(2) - at(0)).num_milliseconds() >= 590, "{seen:?}");
        assert_eq!(seen[0]["chat"], "15550004444@s.whatsapp.net");

        // Before a voice note the chat shows "recording…".
        let (status, answer) = evo_post(
            &server,
            "/message/sendWhatsAppAudio/sales",
            &key,
            json!({ "number": "15550005555", "audio": b64(&files::ogg()), "delay": 100 }),
        )
        .await;
        let answer = sent_answer(
            status,
            &answer,
            "15550005555@s.whatsapp.net",
            "audioMessage",
        );
        assert_eq!(answer["message"]["audioMessage"]["ptt"], true, "{answer}");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let seen = server.sandbox_activity(&key, "sales").await;
        assert!(
            seen.iter()
                .any(|a| a["kind"] == "recording" && a["chat"] == "15550005555@s.whatsapp.net"),
            "{seen:?}"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_quote_and_mention() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let ann = server
            .inbound(&key, "sales", json!({ "from": "15550002222", "pushName": "Ann", "text": "Friday?" }))
            .await
            .expect("an id");
        server
            .wait_for_event(&key, "message.received", |e| e["data"]["providerMessageId"] == ann.as_str())
            .await;

        let (status, answer) = evo_post(
            &server,
            "/message/sendText/sales",
            &key,
            json!({
                "number": "15550002222",
                "text": "Friday works, @15550003333 joins",
                "quoted": { "key": { "id": ann, "remoteJid": "15550002222@s.whatsapp.net", "fromMe": false }, "message": { "conversation": "Friday?" } },
                "mentioned": ["15550003333"]
            }),
        )
        .await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "conversation");
        let sent = reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        assert_eq!(sent["replyTo"], ann.as_str(), "{sent}");
        assert!(sent["mentions"].to_string().contains("15550003333"), "{sent}");

        // Quoting a message the instance never saw is refused in Evolution's words.
        let (status, answer) = evo_post(
            &server,
            "/message/sendText/sales",
            &key,
            json!({ "number": "15550002222", "text": "?", "quoted": { "key": { "id": "3EB0NOSUCHMESSAGE" } } }),
        )
        .await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("quoted.key.id"), "{messages:?}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_send_media_inline_or_as_a_form() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let png = files::png(16);
        let (status, answer) = evo_post(
            &server,
            "/message/sendMedia/sales",
            &key,
            json!({ "number": "15550002222", "mediatype": "image", "mimetype": "image/png", "caption": "Our store", "fileName": "store.png", "media": b64(&png) }),
        )
        .await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "imageMessage");
        assert_eq!(answer["message"]["imageMessage"]["mimetype"], "image/png");
        assert_eq!(answer["message"]["imageMessage"]["caption"], "Our store");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;

        // A base64 document needs its name; media neither a URL nor base64 is refused.
        let document = json!({ "number": "15550002222", "mediatype": "document", "media": b64(&files::pdf()) });
        let (status, answer) = evo_post(&server, "/message/sendMedia/sales", &key, document.clone()).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("file name"), "{messages:?}");
        let mut named = document;
        named["fileName"] = json!("invoice.pdf");
        let (status, answer) = evo_post(&server, "/message/sendMedia/sales", &key, named).await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "documentMessage");
        assert_eq!(answer["message"]["documentMessage"]["fileName"], "invoice.pdf");
        for media in ["not a file", "ftp://example.com/a.png"] {
            let (status, answer) = evo_post(
                &server,
                "/message/sendMedia/sales",
                &key,
                json!({ "number": "15550002222", "mediatype": "image", "media": media }),
            )
            .await;
            let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
            assert!(messages[0].contains("url or base64"), "{messages:?}");
        }
        let (status, answer) = evo_post(
            &server,
            "/message/sendMedia/sales",
            &key,
            json!({ "number": "15550002222", "mediatype": "image" }),
        )
        .await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);
        // This server does not fetch from private addresses.
        let (status, answer) = evo_post(
            &server,
            "/message/sendMedia/sales",
            &key,
            json!({ "number": "15550002222", "mediatype": "image", "media": "http://127.0.0.1:9/a.png" }),
        )
        .await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("media.url"), "{messages:?}");

        // A form: the file in `file`, the rest as fields.
        let form = Form::new()
            .text("number", "15550002222")
            .text("mediatype", "image")
            .text("caption", "From a form")
            .text("delay", "50")
            .part("file", Part::bytes(png.clone()).file_name("photo.png").mime_str("image/png").unwrap());
        let (status, answer) = evo_form(&server, "/message/sendMedia/sales", &key, form).await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "imageMessage");
        assert_eq!(answer["message"]["imageMessage"]["caption"], "From a form");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let form = Form::new()
            .text("number", "15550002222")
            .text("mediatype", "document")
            .part("file", Part::bytes(files::pdf()).file_name("terms.pdf").mime_str("application/pdf").unwrap());
        let (status, answer) = evo_form(&server, "/message/sendMedia/sales", &key, form).await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "documentMessage");
        assert_eq!(answer["message"]["documentMessage"]["fileName"], "terms.pdf");

        // A refused form sends nothing (and its upload is removed again).
        let form = Form::new()
            .text("mediatype", "image")
            .part("file", Part::bytes(png.clone()).file_name("photo.png").mime_str("image/png").unwrap());
        let (status, answer) = evo_form(&server, "/message/sendMedia/sales", &key, form).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("\"number\""), "{messages:?}");

        // Voice notes, round videos and stickers, inline and as forms.
        let form = Form::new()
            .text("number", "15550002222")
            .part("file", Part::bytes(files::ogg()).file_name("note.ogg").mime_str("audio/ogg").unwrap());
        let (status, answer) = evo_form(&server, "/message/sendWhatsAppAudio/sales", &key, form).await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "audioMessage");
        assert_eq!(answer["message"]["audioMessage"]["ptt"], true);
        let (status, answer) = evo_post(
            &server,
            "/message/sendPtv/sales",
            &key,
            json!({ "number": "15550002222", "video": b64(&files::mp4()) }),
        )
        .await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "videoMessage");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let (status, answer) = evo_post(
            &server,
            "/message/sendSticker/sales",
            &key,
            json!({ "number": "15550002222", "sticker": b64(&files::webp(256, false)) }),
        )
        .await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "stickerMessage");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let form = Form::new()
            .text("number", "15550002222")
            .part("file", Part::bytes(files::webp(256, false)).file_name("s.webp").mime_str("image/webp").unwrap());
        let (status, answer) = evo_form(&server, "/message/sendSticker/sales", &key, form).await;
        sent_answer(status, &answer, "15550002222@s.whatsapp.net", "stickerMessage");
        let (status, answer) = evo_post(
            &server,
            "/message/sendWhatsAppAudio/sales",
            &key,
            json!({ "number": "15550002222" }),
        )
        .await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("\"audio\""), "{messages:?}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_fetch_media_from_a_url() {
    on_each_backend_with(
        |config| config.media.allow_private_urls = true,
        |server| async move {
            let (key, _) = linked(&server).await;
            let base = crate::media::file_server(files::png(16), "image/png").await;
            let (status, answer) = evo_post(
                &server,
                "/message/sendMedia/sales",
                &key,
                json!({ "number": "15550002222", "mediatype": "image", "caption": "From the web", "media": format!("{base}/file") }),
            )
            .await;
            let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "imageMessage");
            assert_eq!(answer["message"]["imageMessage"]["mimetype"], "image/png");
            reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn evolution_messages_send_locations_contacts_polls_lists_buttons_and_templates() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let to = "15550002222@s.whatsapp.net";
        let send = |op: &'static str, body: Value| {
            let server = &server;
            let key = key.clone();
            async move { evo_post(server, &format!("/message/{op}/sales"), &key, body).await }
        };

        let (status, answer) = send("sendLocation", json!({ "number": "15550002222", "latitude": 37.7749, "longitude": -122.4194, "name": "Acme HQ", "address": "1 Market St" })).await;
        let answer = sent_answer(status, &answer, to, "locationMessage");
        assert_eq!(answer["message"]["locationMessage"]["degreesLatitude"], 37.7749);
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let (status, answer) = send("sendLocation", json!({ "number": "15550002222", "latitude": 37.7, "longitude": -122.4, "name": "Acme HQ" })).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("\"address\""), "{messages:?}");

        let (status, answer) = send("sendContact", json!({ "number": "15550002222", "contact": [{ "fullName": "John Doe", "wuid": "15550003333", "phoneNumber": "+1 555 000 3333", "organization": "Acme" }] })).await;
        let answer = sent_answer(status, &answer, to, "contactMessage");
        assert_eq!(answer["message"]["contactMessage"]["displayName"], "John Doe");
        assert!(answer["message"]["contactMessage"]["vcard"].as_str().unwrap().contains("15550003333"));
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let (status, answer) = send("sendContact", json!({ "number": "15550002222", "contact": [{ "fullName": "John Doe" }] })).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("contact[0].phoneNumber"), "{messages:?}");

        let (status, answer) = send("sendPoll", json!({ "number": "15550002222", "name": "Lunch?", "selectableCount": 1, "values": ["Pizza", "Sushi"] })).await;
        let answer = sent_answer(status, &answer, to, "pollCreationMessage");
        assert_eq!(answer["message"]["pollCreationMessage"]["options"][1]["optionName"], "Sushi");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let (status, answer) = send("sendPoll", json!({ "number": "15550002222", "name": "Lunch?", "selectableCount": 1, "values": ["Pizza"] })).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("values"), "{messages:?}");

        let (status, answer) = send("sendList", json!({
            "number": "15550002222", "title": "Menu", "description": "What would you like?", "footerText": "Open until 10pm",
            "buttonText": "See the menu", "sections": [{ "title": "Food", "rows": [{ "title": "Pizza", "description": "Margherita", "rowId": "pizza" }] }]
        })).await;
        let answer = sent_answer(status, &answer, to, "listMessage");
        assert_eq!(answer["message"]["listMessage"]["buttonText"], "See the menu");
        assert_eq!(answer["message"]["listMessage"]["sections"][0]["rows"][0]["rowId"], "pizza");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;

        let (status, answer) = send("sendButtons", json!({
            "number": "15550002222", "title": "Your order is ready", "description": "Pick it up today?", "footer": "Acme",
            "buttons": [{ "type": "reply", "displayText": "Yes", "id": "yes" }, { "type": "reply", "displayText": "Tomorrow", "id": "tomorrow" }]
        })).await;
        let answer = sent_answer(status, &answer, to, "buttonsMessage");
        assert_eq!(answer["message"]["buttonsMessage"]["buttons"][1]["buttonId"], "tomorrow");
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        let (status, answer) = send("sendButtons", json!({
            "number": "15550002222", "title": "Your order", "description": "Follow it",
            "buttons": [{ "type": "url", "displayText": "Track", "url": "https://example.com/t/1" }]
        })).await;
        sent_answer(status, &answer, to, "interactiveMessage");
        let (status, answer) = send("sendButtons", json!({
            "number": "15550002222", "title": "Pay",
            "buttons": [{ "type": "pix", "currency": "BRL", "name": "Acme", "keyType": "random", "key": "0ea59ac5" }]
        })).await;
        let messages = evo_error(status, &answer, StatusCode::NOT_IMPLEMENTED);
        assert!(messages[0].contains("pix"), "{messages:?}");
        let (status, answer) = send("sendButtons", json!({
            "number": "15550002222", "title": "Mixed",
            "buttons": [{ "type": "reply", "displayText": "Yes", "id": "yes" }, { "type": "url", "displayText": "Go", "url": "https://example.com" }]
        })).await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);

        let (status, answer) = send("sendTemplate", json!({
            "number": "15550002222", "name": "order_ready", "language": "en_US",
            "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }] }]
        })).await;
        let answer = sent_answer(status, &answer, to, "templateMessage");
        assert_eq!(answer["message"]["templateMessage"]["name"], "order_ready");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_react_to_a_message_by_its_key() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let (status, answer) = evo_post(
            &server,
            "/message/sendText/sales",
            &key,
            json!({ "number": "15550002222", "text": "Order shipped" }),
        )
        .await;
        let target = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "conversation");
        let id = target["key"]["id"].as_str().unwrap().to_owned();
        reaches_whatsapp(&server, &key, &id).await;

        let react = |reaction: &'static str, remote_jid: &'static str| {
            json!({ "key": { "id": id, "remoteJid": remote_jid, "fromMe": true }, "reaction": reaction })
        };
        let (status, answer) = evo_post(&server, "/message/sendReaction/sales", &key, react("👍", "15550002222@s.whatsapp.net")).await;
        let answer = sent_answer(status, &answer, "15550002222@s.whatsapp.net", "reactionMessage");
        assert_eq!(answer["message"]["reactionMessage"]["text"], "👍");
        assert_eq!(answer["message"]["reactionMessage"]["key"]["id"], id.as_str());
        reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        // An empty reaction removes it.
        let (status, answer) = evo_post(&server, "/message/sendReaction/sales", &key, react("", "15550002222")).await;
        sent_answer(status, &answer, "15550002222@s.whatsapp.net", "reactionMessage");

        let (status, answer) = evo_post(&server, "/message/sendReaction/sales", &key, react("👍", "15550009999@s.whatsapp.net")).await;
        evo_error(status, &answer, StatusCode::NOT_FOUND);
        let (status, answer) = evo_post(&server, "/message/sendReaction/sales", &key, react("ok", "15550002222@s.whatsapp.net")).await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("reaction"), "{messages:?}");
        let (status, answer) = evo_post(&server, "/message/sendReaction/sales", &key, json!({ "reaction": "👍" })).await;
        evo_error(status, &answer, StatusCode::BAD_REQUEST);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_post_a_status_for_the_listed_numbers() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let (status, answer) = evo_post(
            &server,
            "/message/sendStatus/sales",
            &key,
            json!({ "type": "text", "content": "Open until 8pm today", "backgroundColor": "#1E6E4F", "font": 1, "statusJidList": ["15550002222@s.whatsapp.net", "15550003333"] }),
        )
        .await;
        let answer = sent_answer(status, &answer, "status@broadcast", "conversation");
        assert_eq!(answer["message"]["conversation"], "Open until 8pm today");
        let sent = reaches_whatsapp(&server, &key, answer["key"]["id"].as_str().unwrap()).await;
        assert_eq!(sent["chat"], "status@broadcast");
        assert_eq!(sent["statusPost"]["recipients"], 2, "{sent}");
        assert_eq!(sent["statusPost"]["font"], "systemText", "{sent}");

        let form = Form::new()
            .text("type", "image")
            .text("caption", "Sale")
            .text("statusJidList", r#"["15550002222"]"#)
            .part("file", Part::bytes(files::png(16)).file_name("sale.png").mime_str("image/png").unwrap());
        let (status, answer) = evo_form(&server, "/message/sendStatus/sales", &key, form).await;
        let answer = sent_answer(status, &answer, "status@broadcast", "imageMessage");
        assert_eq!(answer["message"]["imageMessage"]["caption"], "Sale");

        let (status, answer) = evo_post(
            &server,
            "/message/sendStatus/sales",
            &key,
            json!({ "type": "text", "content": "For nobody" }),
        )
        .await;
        let messages = evo_error(status, &answer, StatusCode::BAD_REQUEST);
        assert!(messages[0].starts_with("statusJidList"), "{messages:?}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_messages_replay_a_send_under_the_same_idempotency_key() {
    on_each_backend(|server| async move {
        let (key, _) = linked(&server).await;
        let body = json!({ "number": "15550002222", "text": "Exactly once" });
        let mut answers = Vec::new();
        for _ in 0..2 {
            let response = server
                .raw(Method::POST, "/message/sendText/sales")
                .await
                .header("apikey", &key)
                .header("Idempotency-Key", "order-1234-shipped")
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = response.headers().get("idempotency-replayed").is_some();
            let status = response.status();
            answers.push((status, replayed, response.json::<Value>().await.unwrap()));
        }
        let first = sent_answer(
            answers[0].0,
            &answers[0].2,
            "15550002222@s.whatsapp.net",
            "conversation",
        );
        assert!(!answers[0].1);
        assert_eq!(answers[1].0, StatusCode::CREATED);
        assert!(answers[1].1, "the second answer is a replay");
        assert_eq!(answers[1].2["key"]["id"], first["key"]["id"]);
        let messages = native_messages(&server, &key).await;
        assert_eq!(
            messages
                .iter()
                .filter(|m| m["body"] == "Exactly once")
                .count(),
            1,
            "{messages:?}"
        );
        server.stop().await;
    })
    .await;
}
