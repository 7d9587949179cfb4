//! Uploading, downloading and deleting media, and media messages from every source.

use crate::files;
use crate::support::*;
use axum::routing::get;
use base64::Engine as _;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub async fn upload(
    server: &TestServer,
    key: &str,
    bytes: Vec<u8>,
    name: &str,
    declared: &str,
) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(declared)
            .unwrap(),
    );
    let response = server
        .raw(Method::POST, "/api/v1/media")
        .await
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// Serves `bytes` at `http://127.0.0.1:<port>/file` for URL sends.
pub async fn file_server(bytes: Vec<u8>, content_type: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let elsewhere = format!("http://localhost:{}/file", addr.port());
    let app = axum::Router::new()
        .route(
            "/file",
            get(move || async move { ([("content-type", content_type)], bytes.clone()) }),
        )
        .route(
            "/elsewhere",
            get(move || async move { axum::response::Redirect::temporary(&elsewhere) }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://127.0.0.1:{}", addr.port())
}

#[tokio::test]
async fn an_upload_is_stored_identified_by_its_bytes_served_and_deleted() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let png = files::png(64);
        // Declared as a PDF, but the bytes are a PNG: the bytes win.
        let (status, body) =
            upload(&server, &key, png.clone(), "photo.bin", "application/pdf").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let media = &body["data"];
        assert_eq!(media["mimetype"], "image/png");
        assert_eq!(media["size"], png.len());
        assert_eq!(media["sha256"], hex::encode(Sha256::digest(&png)));
        assert_eq!(media["fileName"], "photo.bin");
        let id = media["id"].as_str().unwrap().to_owned();

        let response = server
            .raw(Method::GET, &format!("/api/v1/media/{id}"))
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        assert_eq!(response.bytes().await.unwrap().as_ref(), png.as_slice());

        let stranger = server.account("Stranger").await;
        let (status, _) = server.get(&format!("/api/v1/media/{id}"), &stranger).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another account's media is not found"
        );

        let (status, _) = server
            .call(
                Method::DELETE,
                &format!("/api/v1/media/{id}"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server.get(&format!("/api/v1/media/{id}"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn uploads_larger_than_the_json_limit_stream_and_the_largest_kind_caps_them() {
    on_each_backend_with(
        |config| {
            let limits = &mut config.media.limits;
            limits.document_max_bytes = 3 * 1024 * 1024;
            limits.image_max_bytes = 1024 * 1024;
            limits.video_max_bytes = 1024 * 1024;
            limits.audio_max_bytes = 1024 * 1024;
        },
        |server| async move {
            let key = server.account("Acme").await;
            let mut big = files::pdf();
            big.resize(2 * 1024 * 1024, b' ');
            let (status, body) = upload(&server, &key, big, "big.pdf", "application/pdf").await;
            assert_eq!(
                status,
                StatusCode::CREATED,
                "2 MB is over the 1 MB JSON limit but fine here: {body}"
            );
            let (status, body) = upload(
                &server,
                &key,
                vec![b'x'; 4 * 1024 * 1024],
                "huge.txt",
                "text/plain",
            )
            .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
            assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");
            let form = Form::new().text("note", "no file");
            let response = server
                .raw(Method::POST, "/api/v1/media")
                .await
                .bearer_auth(&key)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn media_messages_take_uploads_base64_and_urls() {
    on_each_backend_with(
        |config| config.media.allow_private_urls = true,
        |server| async move {
            let (key, _) = server.linked_instance("sales").await;
            let png = files::png(32);
            let (_, uploaded) = upload(&server, &key, png.clone(), "a.png", "image/png").await;
            let media_id = uploaded["data"]["id"].as_str().unwrap().to_owned();
            let base = file_server(files::pdf(), "application/pdf").await;
            let b64 = base64::engine::general_purpose::STANDARD;
            let sends = [
                json!({ "to": "15550002222", "image": { "mediaId": media_id, "caption": "Look", "viewOnce": true } }),
                json!({ "to": "15550002222", "image": { "base64": format!("data:image/png;base64,{}", b64.encode(&png)) } }),
                json!({ "to": "15550002222", "document": { "url": format!("{base}/file"), "fileName": "invoice.pdf", "caption": "Invoice" } }),
                json!({ "to": "15550002222", "video": { "base64": b64.encode(files::mp4()), "gif": true } }),
                json!({ "to": "15550002222", "audio": { "base64": b64.encode(files::ogg()), "voice": true } }),
                json!({ "to": "15550002222", "sticker": { "base64": b64.encode(files::webp(500, false)) } }),
            ];
            for send in sends {
                let (status, body) = server.post("/api/v1/instances/sales/messages", &key, send.clone()).await;
                assert_eq!(status, StatusCode::ACCEPTED, "{send}: {body}");
                let id = body["data"]["id"].as_str().unwrap();
                let message = server.wait_for_message(&key, id, "read").await;
                let media = &message["content"]["media"];
                assert!(media["mediaId"].as_str().unwrap().starts_with("med_"), "{message}");
                let download = server
                    .raw(Method::GET, &format!("/api/v1/media/{}", media["mediaId"].as_str().unwrap()))
                    .await
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(download.status(), StatusCode::OK, "the message's media can be downloaded");
                assert_eq!(download.headers()["content-type"], media["mimetype"].as_str().unwrap());
            }
            let (_, list) = server.get("/api/v1/messages?limit=10", &key).await;
            let types: Vec<_> = list["data"].as_array().unwrap().iter().map(|m| m["type"].as_str().unwrap().to_owned()).collect();
            assert_eq!(types, ["sticker", "audio", "video", "document", "image", "image"]);
            let document = &list["data"][3];
            assert_eq!(document["content"]["fileName"], "invoice.pdf");
            assert_eq!(document["content"]["media"]["mimetype"], "application/pdf");
            assert_eq!(document["body"], "Invoice");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn media_that_is_not_what_its_kind_takes_or_too_large_is_refused() {
    on_each_backend_with(
        |config| {
            config.media.limits.image_max_bytes = 2000;
            config.media.limits.sticker_max_bytes = 1000;
        },
        |server| async move {
            let (key, _) = server.linked_instance("sales").await;
            let b64 = base64::engine::general_purpose::STANDARD;
            let path = "/api/v1/instances/sales/messages";
            // A PDF declared as a PNG image: the bytes say otherwise.
            let (status, body) = server
                .post(path, &key, json!({ "to": "15550002222", "image": { "base64": b64.encode(files::pdf()), "mimetype": "image/png" } }))
                .await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
            assert_eq!(body["code"], "UNSUPPORTED_MEDIA_TYPE");
            let (status, body) = server
                .post(path, &key, json!({ "to": "15550002222", "image": { "base64": b64.encode(files::png(200)) } }))
                .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
            // Stickers: static ones up to the static limit, animated ones up to theirs.
            let (status, _) = server
                .post(path, &key, json!({ "to": "15550002222", "sticker": { "base64": b64.encode(files::webp(1500, false)) } }))
                .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
            let (status, body) = server
                .post(path, &key, json!({ "to": "15550002222", "sticker": { "base64": b64.encode(files::webp(1500, true)) } }))
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "animated stickers may be larger: {body}");
            let (status, body) = server
                .post(path, &key, json!({ "to": "15550002222", "image": { "mediaId": "med_nope" } }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(fields(&body), ["image.mediaId"]);
            let (status, body) = server
                .post(path, &key, json!({ "to": "15550002222", "image": { "base64": "not base64!" } }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(fields(&body), ["image.base64"]);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn urls_on_private_addresses_are_refused_unless_allowed() {
    let server = TestServer::start(Backend::Sqlite, |_| {}).await;
    let (key, _) = server.linked_instance("sales").await;
    let base = file_server(files::png(8), "image/png").await;
    let (status, body) = server
        .post(
            "/api/v1/instances/sales/messages",
            &key,
            json!({ "to": "15550002222", "image": { "url": format!("{base}/file") } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["image.url"]);
    assert!(
        body["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("private")
    );
    server.stop().await;
}

/// A redirect to another host is followed, each hop checked by the outbound guard like the
/// first URL (a hop to a private address is refused: the guard's own tests show it, as no
/// public server is reachable from a test).
#[tokio::test]
async fn url_redirects_to_other_hosts_are_followed() {
    let server = TestServer::start(Backend::Sqlite, |config| {
        config.media.allow_private_urls = true
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;
    let base = file_server(files::png(8), "image/png").await;
    let (status, body) = server
        .post(
            "/api/v1/instances/sales/messages",
            &key,
            json!({ "to": "15550002222", "image": { "url": format!("{base}/elsewhere") } }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let message = server
        .wait_for_message(&key, body["data"]["id"].as_str().unwrap(), "read")
        .await;
    assert_eq!(
        message["content"]["media"]["mimetype"], "image/png",
        "{message}"
    );
    // Named after the URL the user gave, not the redirect's.
    assert_eq!(
        message["content"]["media"]["fileName"], "elsewhere",
        "{message}"
    );
    server.stop().await;
}

fn image_part(bytes: Vec<u8>, name: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("image/png")
        .unwrap()
}

#[tokio::test]
async fn a_multipart_send_of_ten_images_queues_one_message_per_image() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let mut form = Form::new()
            .text("number", "+1 555 000 2222")
            .text("caption", "Album")
            .text("viewOnce", "true");
        for i in 0..10 {
            form = form.part(
                "photos",
                image_part(files::png(8 + i), &format!("p{i}.png")),
            );
        }
        let response = server
            .raw(Method::POST, "/api/v1/instances/sales/messages")
            .await
            .bearer_auth(&key)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        let ids: Vec<_> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 10, "{body}");
        for id in &ids {
            let message = server.wait_for_message(&key, id, "read").await;
            assert_eq!(message["type"], "image");
            assert_eq!(message["to"], "15550002222");
            assert_eq!(message["content"]["caption"], "Album");
            assert_eq!(message["content"]["viewOnce"], true);
        }

        // Documents, videos and voice notes, to a group.
        let form = Form::new()
            .part("files", Part::bytes(files::pdf()).file_name("a.pdf"))
            .part("videos", Part::bytes(files::mp4()).file_name("v.mp4"))
            .part("audios", Part::bytes(files::ogg()).file_name("n.ogg"))
            .text("group", "120363012345678901")
            .text("voice", "true")
            .text("gif", "1");
        let response = server
            .raw(Method::POST, "/api/v1/instances/sales/messages")
            .await
            .bearer_auth(&key)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        let mut kinds = Vec::new();
        for accepted in body["data"].as_array().unwrap() {
            let message = server
                .wait_for_message(&key, accepted["id"].as_str().unwrap(), "read")
                .await;
            assert_eq!(message["to"], "120363012345678901@g.us");
            kinds.push(message["type"].as_str().unwrap().to_owned());
            match message["type"].as_str().unwrap() {
                "audio" => assert_eq!(message["content"]["voice"], true),
                "video" => assert_eq!(message["content"]["gif"], true),
                _ => assert_eq!(message["content"]["fileName"], "a.pdf"),
            }
        }
        assert_eq!(kinds, ["document", "video", "audio"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_refused_multipart_send_sends_nothing_and_keeps_no_files() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let send = |form: Form| {
            let key = key.clone();
            let server = &server;
            async move {
                let response = server
                    .raw(Method::POST, "/api/v1/instances/sales/messages")
                    .await
                    .bearer_auth(&key)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        let mut too_many = Form::new().text("number", "15550002222");
        for i in 0..11 {
            too_many = too_many.part("photos", image_part(files::png(8), &format!("{i}.png")));
        }
        let (status, body) = send(too_many).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["photos"]);
        let (status, body) =
            send(Form::new().part("photos", image_part(files::png(8), "a.png"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["number"]);
        // A PDF among the photos: 415, and none of the photos is sent either.
        let (status, body) = send(
            Form::new()
                .text("number", "15550002222")
                .part("photos", image_part(files::png(8), "ok.png"))
                .part(
                    "photos",
                    Part::bytes(files::pdf()).file_name("not-a-photo.png"),
                ),
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
        let (_, list) = server.get("/api/v1/messages", &key).await;
        assert_eq!(list["pagination"]["total"], 0, "nothing was queued");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn base64_media_larger_than_the_json_limit_is_sent() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let png = files::png(700);
        assert!(
            png.len() > 1024 * 1024,
            "over the 1 MB limit of other JSON bodies"
        );
        let b64 = base64::engine::general_purpose::STANDARD;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "15550002222", "image": { "base64": b64.encode(&png) } }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn uploaded_pages_and_images_download_as_sandboxed_attachments() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let page = b"<!doctype html><html><script>alert(document.cookie)</script></html>";
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        for (bytes, name, declared, encoded) in [
            (&page[..], "page.html", "text/html", "page.html"),
            (
                &svg[..],
                "dräw \"it\".svg",
                "image/svg+xml",
                "dr%C3%A4w%20%22it%22.svg",
            ),
        ] {
            let (status, body) = upload(&server, &key, bytes.to_vec(), name, declared).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let id = body["data"]["id"].as_str().unwrap();
            let response = server
                .raw(Method::GET, &format!("/api/v1/media/{id}"))
                .await
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff");
            let disposition = headers["content-disposition"].to_str().unwrap();
            assert!(
                disposition.starts_with("attachment; filename=\""),
                "{disposition}"
            );
            assert!(
                disposition.ends_with(&format!("; filename*=UTF-8''{encoded}")),
                "{disposition}"
            );
            let policy = headers["content-security-policy"].to_str().unwrap();
            assert!(policy.contains("sandbox"), "{policy}");
            assert!(policy.contains("default-src 'none'"), "{policy}");
            assert_eq!(response.bytes().await.unwrap().as_ref(), bytes);
        }
        server.stop().await;
    })
    .await;
}

/// The status of `GET /api/v1/media/{id}` with `key`.
async fn download_status(server: &TestServer, key: &str, id: &str) -> StatusCode {
    server
        .raw(Method::GET, &format!("/api/v1/media/{id}"))
        .await
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn an_instance_key_reaches_only_its_instances_media() {
    on_each_backend(|server| async move {
        let account = server.account("Acme").await;
        let (_, key_a) = server.instance(&account, "a").await;
        let (_, key_b) = server.instance(&account, "b").await;
        server.link(&account, "a", "15550001111").await;
        server.link(&account, "b", "15550003333").await;
        let (status, uploaded) =
            upload(&server, &key_a, files::png(32), "a.png", "image/png").await;
        assert_eq!(status, StatusCode::CREATED, "{uploaded}");
        let of_a = uploaded["data"]["id"].as_str().unwrap().to_owned();
        let (_, uploaded) = upload(&server, &account, files::png(24), "acc.png", "image/png").await;
        let of_account = uploaded["data"]["id"].as_str().unwrap().to_owned();

        // Another instance's key meets A's file as a file that does not exist.
        assert_eq!(
            download_status(&server, &key_b, &of_a).await,
            StatusCode::NOT_FOUND
        );
        let (status, _) = server
            .call(
                Method::DELETE,
                &format!("/api/v1/media/{of_a}"),
                Some(&key_b),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let send_b =
            |media_id: String| json!({ "to": "15550002222", "image": { "mediaId": media_id } });
        let (status, refused) = server
            .post("/api/v1/instances/b/messages", &key_b, send_b(of_a.clone()))
            .await;
        let (missing_status, missing) = server
            .post(
                "/api/v1/instances/b/messages",
                &key_b,
                send_b("med_nope".to_owned()),
            )
            .await;
        assert_eq!(
            (status, &refused),
            (missing_status, &missing),
            "answered as for a missing file"
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&refused), ["image.mediaId"]);
        let (status, body) = server
            .put(
                "/api/v1/instances/b/profile/picture",
                &key_b,
                json!({ "mediaId": of_a }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["mediaId"]);
        // Nor does an instance key reach the account's own uploads.
        assert_eq!(
            download_status(&server, &key_a, &of_account).await,
            StatusCode::NOT_FOUND
        );

        // A reaches its own file, and sends with it.
        assert_eq!(
            download_status(&server, &key_a, &of_a).await,
            StatusCode::OK
        );
        let (status, body) = server
            .post(
                "/api/v1/instances/a/messages",
                &key_a,
                json!({ "to": "15550002222", "image": { "mediaId": of_a } }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        // A file kept for A's send (inline base64) is A's too.
        let b64 = base64::engine::general_purpose::STANDARD;
        let (status, body) = server
            .post(
                "/api/v1/instances/a/messages",
                &key_a,
                json!({ "to": "15550002222", "image": { "base64": b64.encode(files::png(16)) } }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let message_id = body["data"]["id"].as_str().unwrap().to_owned();
        let message = server.wait_for_message(&key_a, &message_id, "read").await;
        let kept = message["content"]["media"]["mediaId"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            download_status(&server, &key_a, &kept).await,
            StatusCode::OK
        );
        assert_eq!(
            download_status(&server, &key_b, &kept).await,
            StatusCode::NOT_FOUND
        );
        // A file B's number receives is B's.
        let id = server
            .inbound(
                &key_b,
                "b",
                json!({ "from": "15550002222", "image": { "base64": b64.encode(files::png(16)) } }),
            )
            .await
            .unwrap();
        let event = server
            .wait_for_event(&key_b, "message.received", |e| {
                e["data"]["providerMessageId"] == id.as_str()
            })
            .await;
        let received = event["data"]["content"]["media"]["mediaId"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            download_status(&server, &key_b, &received).await,
            StatusCode::OK
        );
        assert_eq!(
            download_status(&server, &key_a, &received).await,
            StatusCode::NOT_FOUND
        );

        // The account key reaches every file of the account, and sends any of them.
        for id in [&of_a, &of_account, &kept, &received] {
            assert_eq!(
                download_status(&server, &account, id).await,
                StatusCode::OK,
                "{id}"
            );
        }
        let (status, body) = server
            .post(
                "/api/v1/instances/b/messages",
                &account,
                send_b(of_a.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");

        let (status, _) = server
            .call(
                Method::DELETE,
                &format!("/api/v1/media/{of_a}"),
                Some(&key_a),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server
            .call(
                Method::DELETE,
                &format!("/api/v1/media/{received}"),
                Some(&account),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        server.stop().await;
    })
    .await;
}
