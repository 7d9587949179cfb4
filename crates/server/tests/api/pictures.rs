//! Profile pictures over HTTP on the sandbox: the number's own set from base64, an upload or
//! a URL and seen by its contacts; a group's set by its admins and heard by its members;
//! refusals for what is not an image and for who may not.

use crate::files;
use crate::media::{file_server, upload};
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn decoded_side(url: &str) -> (u32, u32) {
    let data = url
        .strip_prefix("data:image/jpeg;base64,")
        .unwrap_or_else(|| panic!("a JPEG data URL: {url}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    (image.width(), image.height())
}

fn png_base64(side: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(files::png(side))
}

async fn delete(server: &TestServer, path: &str, key: &str) -> (StatusCode, Value) {
    server.call(Method::DELETE, path, Some(key), None).await
}

#[tokio::test]
async fn the_numbers_picture_is_set_from_any_source_seen_by_contacts_and_removed() {
    on_each_backend_with(
        |config| config.media.allow_private_urls = true,
        |server| async move {
            let key = server.account("Acme").await;
            server.instance(&key, "sales").await;
            server.link(&key, "sales", "15550001111").await;
            server.instance(&key, "customer").await;
            server.link(&key, "customer", "15550002222").await;
            let seen = "/api/v1/instances/customer/contacts/15550001111/picture";
            let (status, body) = server.get(seen, &key).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(
                body["data"],
                json!({ "jid": "15550001111@s.whatsapp.net", "id": null, "url": null })
            );

            // A large PNG becomes a 640 square JPEG.
            let (status, body) = server
                .put(
                    "/api/v1/instances/sales/profile/picture",
                    &key,
                    json!({ "base64": png_base64(900) }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let first = body["data"].clone();
            assert_eq!(decoded_side(first["url"].as_str().unwrap()), (640, 640));
            let (_, body) = server.get(seen, &key).await;
            assert_eq!(body["data"], first, "the contact sees the same picture");
            let (_, profile) = server
                .get("/api/v1/instances/customer/contacts/15550001111", &key)
                .await;
            assert_eq!(profile["data"]["pictureUrl"], first["url"]);

            // From an upload, then from a URL: each a new picture.
            let (status, uploaded) =
                upload(&server, &key, files::png(120), "logo.png", "image/png").await;
            assert_eq!(status, StatusCode::CREATED, "{uploaded}");
            let (status, body) = server
                .put(
                    "/api/v1/instances/sales/profile/picture",
                    &key,
                    json!({ "mediaId": uploaded["data"]["id"] }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_ne!(body["data"]["id"], first["id"]);
            assert_eq!(
                decoded_side(body["data"]["url"].as_str().unwrap()),
                (120, 120)
            );
            let base = file_server(files::png(300), "image/png").await;
            let (status, body) = server
                .put(
                    "/api/v1/instances/sales/profile/picture",
                    &key,
                    json!({ "url": format!("{base}/file") }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(
                decoded_side(body["data"]["url"].as_str().unwrap()),
                (300, 300)
            );

            let (status, body) =
                delete(&server, "/api/v1/instances/sales/profile/picture", &key).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["url"], Value::Null);
            let (_, body) = server.get(seen, &key).await;
            assert_eq!(body["data"]["url"], Value::Null);
        },
    )
    .await;
}

#[tokio::test]
async fn pictures_that_are_not_images_or_not_given_once_are_refused_and_change_nothing() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let path = "/api/v1/instances/sales/profile/picture";
        let (status, body) = server
            .put(path, &key, json!({ "base64": png_base64(64) }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let kept = body["data"].clone();

        let pdf = base64::engine::general_purpose::STANDARD.encode(files::pdf());
        let (status, body) = server.put(path, &key, json!({ "base64": pdf })).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
        for (request, field) in [
            (json!({}), "picture"),
            (
                json!({ "base64": "aGk=", "url": "https://example.com/a.png" }),
                "picture",
            ),
            (json!({ "base64": "%%%" }), "base64"),
            (json!({ "mediaId": "med_missing" }), "mediaId"),
        ] {
            let (status, body) = server.put(path, &key, request.clone()).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{request}: {body}"
            );
            assert_eq!(fields(&body), [field], "{request}");
        }
        let (_, profile) = server.get("/api/v1/instances/sales/profile", &key).await;
        assert_eq!(
            profile["data"]["pictureUrl"], kept["url"],
            "the picture is unchanged"
        );

        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .put(path, &stranger, json!({ "base64": png_base64(64) }))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.instance(&key, "idle").await;
        let (status, _) = server
            .put(
                "/api/v1/instances/idle/profile/picture",
                &key,
                json!({ "base64": png_base64(64) }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, body) = server
            .get("/api/v1/instances/sales/contacts/hello/picture", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    })
    .await;
}

#[tokio::test]
async fn a_groups_picture_is_set_by_those_allowed_and_its_members_hear_of_it() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for (name, phone) in [
            ("owner", "15550001111"),
            ("other", "15550002222"),
            ("outsider", "15550003333"),
        ] {
            server.instance(&key, name).await;
            server.link(&key, name, phone).await;
        }
        let (status, group) = server
            .post(
                "/api/v1/instances/owner/groups",
                &key,
                json!({ "subject": "Launch team", "participants": ["15550002222"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{group}");
        let jid = group["data"]["jid"].as_str().unwrap().to_owned();
        let picture = |instance: &str| format!("/api/v1/instances/{instance}/groups/{jid}/picture");

        let (status, body) = server
            .put(
                &picture("owner"),
                &key,
                json!({ "base64": png_base64(700) }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["jid"], jid.as_str());
        assert_eq!(
            decoded_side(body["data"]["url"].as_str().unwrap()),
            (640, 640)
        );
        let (_, seen) = server.get(&picture("other"), &key).await;
        assert_eq!(seen["data"], body["data"], "a member sees it");
        server
            .wait_for_event(&key, "group.updated", |e| {
                e["instance"] == "other"
                    && e["data"]["change"] == "picture"
                    && e["data"]["picture"] == "set"
            })
            .await;

        // Not a member: 404; locked and not an admin: 403.
        let (status, _) = server.get(&picture("outsider"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .put(
                &format!("/api/v1/instances/owner/groups/{jid}/settings"),
                &key,
                json!({ "locked": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = server
            .put(&picture("other"), &key, json!({ "base64": png_base64(64) }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = delete(&server, &picture("other"), &key).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, body) = delete(&server, &picture("owner"), &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["url"], Value::Null);
        server
            .wait_for_event(&key, "group.updated", |e| {
                e["instance"] == "other" && e["data"]["picture"] == "removed"
            })
            .await;
        let (status, body) = server
            .get("/api/v1/instances/owner/groups/not-a-group/picture", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    })
    .await;
}
