//! The media store on an S3-compatible server (moto's, started by `.ci/run`; its URL in
//! `WAGATE_TEST_S3_URL`).

use crate::files;
use crate::support::*;
use base64::Engine as _;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn media_lives_in_the_s3_bucket() {
    let Some(endpoint) = wagate_store::testing::service_url("WAGATE_TEST_S3_URL", "S3") else {
        return;
    };
    let bucket = format!("wagate-{}", uuid::Uuid::new_v4().simple());
    let client = reqwest::Client::new();
    let created = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "creating the bucket: {}",
        created.status()
    );

    let s3_endpoint = endpoint.clone();
    let s3_bucket = bucket.clone();
    on_each_backend_with(
        move |config| {
            config.media.backend = wagate_server::config::MediaBackend::S3;
            let s3 = &mut config.media.s3;
            s3.bucket = s3_bucket.clone();
            s3.endpoint = s3_endpoint.clone();
            s3.access_key_id = "test".to_owned();
            s3.secret_access_key = "test".to_owned();
            s3.allow_http = true;
            s3.prefix = "media".to_owned();
        },
        |server| {
            let client = client.clone();
            let endpoint = endpoint.clone();
            let bucket = bucket.clone();
            async move {
                let (key, _) = server.linked_instance("sales").await;
                let png = files::png(40);
                let form = Form::new().part("file", Part::bytes(png.clone()).file_name("s3.png"));
                let response = server
                    .raw(Method::POST, "/api/v1/media")
                    .await
                    .bearer_auth(&key)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                let media: Value = response.json().await.unwrap();
                let id = media["data"]["id"].as_str().unwrap().to_owned();

                // The bytes are in the bucket, under the prefix.
                let (_, me) = server.get("/api/v1/auth/me", &key).await;
                let account = me["data"]["id"].as_str().unwrap();
                let object = client
                    .get(format!("{endpoint}/{bucket}/media/{account}/{id}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(object.status(), StatusCode::OK);
                assert_eq!(object.bytes().await.unwrap().as_ref(), png.as_slice());

                let download = server
                    .raw(Method::GET, &format!("/api/v1/media/{id}"))
                    .await
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(download.bytes().await.unwrap().as_ref(), png.as_slice());

                let b64 = base64::engine::general_purpose::STANDARD;
                let (status, body) = server
                    .post(
                        "/api/v1/instances/sales/messages",
                        &key,
                        json!({ "to": "15550002222", "image": { "base64": b64.encode(&png) } }),
                    )
                    .await;
                assert_eq!(status, StatusCode::ACCEPTED, "{body}");
                server
                    .wait_for_message(&key, body["data"]["id"].as_str().unwrap(), "read")
                    .await;

                let (status, _) = server
                    .call(
                        Method::DELETE,
                        &format!("/api/v1/media/{id}"),
                        Some(&key),
                        None,
                    )
                    .await;
                assert_eq!(status, StatusCode::OK);
                let gone = client
                    .get(format!("{endpoint}/{bucket}/media/{account}/{id}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    gone.status(),
                    StatusCode::NOT_FOUND,
                    "deleting removes the object"
                );
                server.stop().await;
            }
        },
    )
    .await;
}
