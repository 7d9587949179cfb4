//! Seed 003's API (`/api/whatsapp/send-*` with `X-API-Key`), driven as its document writes
//! it: every route with its documented parameters, the answers a client reads, and its error
//! table (400, 401, 404, 413, 415).

use crate::files;
use crate::support::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An account with the linked sandbox instance `sales`; answers the account key and the
/// instance's own key (the seed's "API key associated with an active WhatsApp session").
async fn session(server: &TestServer) -> (String, String) {
    let account = server.account("Acme").await;
    let (_, key) = server.instance(&account, "sales").await;
    server.link(&account, "sales", "15550001111").await;
    (account, key)
}

async fn post_json(
    server: &TestServer,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = server.raw(Method::POST, path).await.json(&body);
    if let Some(key) = key {
        request = request.header("X-API-Key", key);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn post_form(server: &TestServer, path: &str, key: &str, form: Form) -> (StatusCode, Value) {
    let response = server
        .raw(Method::POST, path)
        .await
        .header("X-API-Key", key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

fn part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap()
}

/// The `messageId`s of a file send's answer, after checking its shape.
fn file_ids(body: &Value, count: usize) -> Vec<String> {
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["data"]["count"], count, "{body}");
    body["data"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert!(m["messageKey"].is_string(), "{m}");
            m["messageId"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn seed_003_every_route_sends_what_its_document_describes() {
    on_each_backend(|server| async move {
        let (account, key) = session(&server).await;

        // Send Text: to a number, and to a group by its id (with or without `@g.us`).
        let (status, body) = post_json(
            &server,
            "/api/whatsapp/send-text",
            Some(&key),
            json!({ "number": "15550002222", "message": "Hello from the API" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["status"], "queued");
        assert_eq!(body["data"]["to"], "15550002222");
        let text_id = body["data"]["messageId"].as_str().unwrap().to_owned();
        let text_key = body["data"]["messageKey"].as_str().unwrap().to_owned();
        let sent = server.wait_for_message(&account, &text_id, "read").await;
        assert_eq!(sent["content"]["body"], "Hello from the API");
        assert_eq!(sent["providerMessageId"], text_key.as_str(), "messageKey is WhatsApp's id");
        let (status, body) = post_json(
            &server,
            "/api/whatsapp/send-text",
            Some(&key),
            json!({ "group": "120363012345678901", "message": "Hello, group" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["to"], "120363012345678901@g.us");
        // The same route without `send-`.
        let (status, body) = post_json(
            &server,
            "/api/whatsapp/text",
            Some(&key),
            json!({ "number": 15550002222u64, "message": "Short path" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Send Photo: several images, a caption, view once.
        let form = Form::new()
            .text("number", "15550002222")
            .text("caption", "Our menu")
            .text("viewOnce", "true")
            .part("photos", part(files::png(8), "a.png", "image/png"))
            .part("photos", part(files::png(9), "b.png", "image/png"));
        let (status, body) = post_form(&server, "/api/whatsapp/send-photo", &key, form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["messages"][1]["fileName"], "b.png");
        for id in file_ids(&body, 2) {
            let photo = server.wait_for_message(&account, &id, "read").await;
            assert_eq!(photo["type"], "image");
            assert_eq!(photo["content"]["caption"], "Our menu");
            assert_eq!(photo["content"]["viewOnce"], true);
        }

        // Send Video as a GIF, Send Audio as a voice note, Send File with its caption, each
        // to a group; and the short path of one of them.
        let form = Form::new()
            .text("group", "120363012345678901")
            .text("gif", "true")
            .part("videos", part(files::mp4(), "clip.mp4", "video/mp4"));
        let (status, body) = post_form(&server, "/api/whatsapp/send-video", &key, form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let video = server
            .wait_for_message(&account, &file_ids(&body, 1)[0], "read")
            .await;
        assert_eq!((video["type"].clone(), video["content"]["gif"].clone()), (json!("video"), json!(true)));
        let form = Form::new()
            .text("number", "15550002222")
            .text("voice", "true")
            .part("audios", part(files::ogg(), "note.ogg", "audio/ogg"));
        let (status, body) = post_form(&server, "/api/whatsapp/audio", &key, form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let audio = server
            .wait_for_message(&account, &file_ids(&body, 1)[0], "read")
            .await;
        assert_eq!(audio["content"]["voice"], true, "{audio}");
        let form = Form::new()
            .text("number", "15550002222")
            .text("caption", "Your invoice")
            .part("files", part(files::pdf(), "invoice.pdf", "application/pdf"));
        let (status, body) = post_form(&server, "/api/whatsapp/send-file", &key, form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let document = server
            .wait_for_message(&account, &file_ids(&body, 1)[0], "read")
            .await;
        assert_eq!(document["type"], "document");
        assert_eq!(document["content"]["fileName"], "invoice.pdf");
        assert_eq!(document["content"]["caption"], "Your invoice");

        // Send Location and Send Poll.
        let (status, body) = post_json(
            &server,
            "/api/whatsapp/send-location",
            Some(&key),
            json!({ "number": "15550002222", "location": { "degreesLatitude": 40.7128, "degreesLongitude": -74.0060 } }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let pin = server
            .wait_for_message(&account, body["data"]["messageId"].as_str().unwrap(), "read")
            .await;
        assert_eq!(pin["content"]["latitude"], 40.7128);
        assert_eq!(pin["content"]["longitude"], -74.006);
        let (status, body) = post_json(
            &server,
            "/api/whatsapp/send-poll",
            Some(&key),
            json!({ "group": "120363012345678901", "name": "Lunch?", "values": ["Pizza", "Sushi", "Salad"], "selectableCount": 2, "toAnnouncementGroup": false }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let poll = server
            .wait_for_message(&account, body["data"]["messageId"].as_str().unwrap(), "read")
            .await;
        assert_eq!(poll["type"], "poll");
        assert_eq!(poll["content"]["selectableCount"], 2);

        // Add Reaction by the key the send answered (WhatsApp's id), then remove it; and by
        // wagate's id.
        for (message_key, emoji) in [(&text_key, "👍"), (&text_key, ""), (&text_id, "🎉")] {
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-reaction",
                Some(&key),
                json!({ "number": "15550002222", "messageKey": message_key, "emoji": emoji }),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let reaction = server
                .wait_for_message(&account, body["data"]["messageId"].as_str().unwrap(), "read")
                .await;
            assert_eq!(reaction["content"]["targetId"], text_key.as_str());
            assert_eq!(reaction["content"]["emoji"], emoji);
        }

        // Delete Message for everyone.
        let (status, body) = post_json(
            &server,
            "/api/whatsapp/delete-message",
            Some(&key),
            json!({ "number": "15550002222", "messageKey": text_key }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["messageId"], text_id.as_str());
        let (_, message) = server.get(&format!("/api/v1/messages/{text_id}"), &account).await;
        assert!(message["data"]["revokedAt"].is_string(), "{message}");

        // Get Groups: the session's groups.
        let (status, created) = server
            .post(
                "/api/v1/instances/sales/groups",
                &account,
                json!({ "subject": "Launch team", "participants": ["15550002222"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let response = server
            .raw(Method::GET, "/api/whatsapp/groups")
            .await
            .header("X-API-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        let groups = body["data"]["groups"].as_array().unwrap();
        let group = groups
            .iter()
            .find(|g| g["id"] == created["data"]["jid"])
            .unwrap_or_else(|| panic!("the new group is listed: {body}"));
        assert_eq!(group["subject"], "Launch team");
        assert!(group["participants"].as_array().unwrap().iter().any(|p| p["phone"] == "15550002222"));
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn seed_003_refuses_as_its_error_table_says_and_sends_nothing_then() {
    on_each_backend_with(
        |config| {
            // Images up to 64 KiB; nothing over 128 KiB is taken at all.
            let limits = &mut config.media.limits;
            limits.image_max_bytes = 64 * 1024;
            limits.video_max_bytes = 128 * 1024;
            limits.audio_max_bytes = 128 * 1024;
            limits.document_max_bytes = 128 * 1024;
            limits.sticker_max_bytes = 64 * 1024;
            limits.animated_sticker_max_bytes = 64 * 1024;
        },
        |server| async move {
            let (account, key) = session(&server).await;
            let text = json!({ "number": "15550002222", "message": "Hi" });

            // 401: no key, or a key that is not valid.
            for bad in [None, Some("wgi_not-a-key")] {
                let (status, body) =
                    post_json(&server, "/api/whatsapp/send-text", bad, text.clone()).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
                assert_eq!(body["success"], false);
                assert!(
                    body["error"].as_str().unwrap().contains("API key"),
                    "{body}"
                );
            }
            // 404: a key with no session (an account key naming none); naming it works.
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-text",
                Some(&account),
                text.clone(),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            assert!(
                body["error"].as_str().unwrap().contains("session"),
                "{body}"
            );
            let response = server
                .raw(Method::POST, "/api/whatsapp/send-text")
                .await
                .header("X-API-Key", &account)
                .header("X-Instance-Id", "sales")
                .json(&text)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);

            // 400: a missing parameter names it.
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-text",
                Some(&key),
                json!({ "number": "15550002222" }),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(fields(&body), ["message"]);
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-text",
                Some(&key),
                json!({ "message": "Hi" }),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(fields(&body), ["number"]);
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-text",
                Some(&key),
                json!({ "number": "not a phone", "message": "Hi" }),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(fields(&body), ["number"]);
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-poll",
                Some(&key),
                json!({ "number": "15550002222", "name": "One?", "values": ["Only"] }),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(fields(&body), ["values"]);
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-reaction",
                Some(&key),
                json!({ "number": "15550002222", "messageKey": "3EB0NOSUCHMESSAGE" }),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

            // The file routes: 11 photos, a file in another route's field, a JSON body.
            let mut eleven = Form::new().text("number", "15550002222");
            for i in 0..11 {
                eleven = eleven.part(
                    "photos",
                    part(files::png(8), &format!("{i}.png"), "image/png"),
                );
            }
            let (status, body) = post_form(&server, "/api/whatsapp/send-photo", &key, eleven).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(fields(&body), ["photos"]);
            let misplaced = Form::new()
                .text("number", "15550002222")
                .part("videos", part(files::mp4(), "clip.mp4", "video/mp4"));
            let (status, body) =
                post_form(&server, "/api/whatsapp/send-photo", &key, misplaced).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(body["error"].as_str().unwrap().contains("photos"), "{body}");
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-photo",
                Some(&key),
                text.clone(),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(
                body["error"]
                    .as_str()
                    .unwrap()
                    .contains("multipart/form-data"),
                "{body}"
            );

            // 415: a PDF among the photos, named in the answer; 413: a photo over the limit.
            let wrong_type = Form::new()
                .text("number", "15550002222")
                .part("photos", part(files::png(8), "ok.png", "image/png"))
                .part("photos", part(files::pdf(), "menu.pdf", "application/pdf"));
            let (status, body) =
                post_form(&server, "/api/whatsapp/send-photo", &key, wrong_type).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
            assert!(
                body["error"].as_str().unwrap().contains("menu.pdf"),
                "{body}"
            );
            // 413, both for a photo over the image limit (about 67 KB) and for one over
            // anything the server takes (about 270 KB), refused while it is still arriving.
            for (side, name) in [(150, "large.png"), (300, "huge.png")] {
                let too_large = Form::new()
                    .text("number", "15550002222")
                    .part("photos", part(files::png(side), name, "image/png"));
                let (status, body) =
                    post_form(&server, "/api/whatsapp/send-photo", &key, too_large).await;
                assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
                assert!(body["error"].as_str().unwrap().contains(name), "{body}");
            }

            // 400: a session that is not connected yet.
            let (_, fresh) = server.instance(&account, "fresh").await;
            let (status, body) = post_json(
                &server,
                "/api/whatsapp/send-text",
                Some(&fresh),
                text.clone(),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(
                body["error"].as_str().unwrap().contains("connect"),
                "{body}"
            );

            // Only the one text sent by name was queued; nothing refused was.
            let (_, list) = server.get("/api/v1/messages", &account).await;
            assert_eq!(list["pagination"]["total"], 1, "{list}");
            server.stop().await;
        },
    )
    .await;
}
