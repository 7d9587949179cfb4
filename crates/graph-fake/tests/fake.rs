//! The fake Graph API itself: it refuses what Meta refuses (wrong tokens, invalid bodies) and
//! records it, injects the failures it is told to and then stops, keeps files and templates,
//! and its webhooks are Meta's shape, signed.

use serde_json::{Value, json};
use wagate_graph_fake::{FakeNumber, GraphFake, post_webhook, spec};

const TOKEN: &str = "EAAG-good-token";

fn number() -> String {
    FakeNumber::example().phone_number_id
}

async fn started() -> GraphFake {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    fake
}

async fn call(
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send(fake: &GraphFake, to: &str) -> (u16, Value) {
    let body = json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": {"body": "Hi"}});
    let url = format!("{}/v23.0/{}/messages", fake.base_url(), number());
    call(reqwest::Method::POST, url, Some(TOKEN), Some(&body)).await
}

#[tokio::test]
async fn a_wrong_missing_or_revoked_token_is_refused_with_metas_190() {
    let fake = started().await;
    let other = FakeNumber {
        phone_number_id: "200000000000001".to_owned(),
        access_token: "EAAG-other-token".to_owned(),
        business_account_id: "300000000000001".to_owned(),
        ..FakeNumber::example()
    };
    fake.add_number(other);
    let url = format!("{}/v23.0/{}", fake.base_url(), number());
    let (status, body) = call(reqwest::Method::GET, url.clone(), Some(TOKEN), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["display_phone_number"], "+1 555-078-3881");

    for token in [Some("EAAG-wrong"), None] {
        let (status, body) = call(reqwest::Method::GET, url.clone(), token, None).await;
        assert_eq!((status, body["error"]["code"].as_i64()), (401, Some(190)));
        assert_eq!(body["error"]["type"], "OAuthException");
    }
    // A live token of another number does not reach this one.
    let (status, body) = call(
        reqwest::Method::GET,
        url.clone(),
        Some("EAAG-other-token"),
        None,
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(100)));

    fake.revoke(&number());
    let (status, body) = call(reqwest::Method::GET, url.clone(), Some(TOKEN), None).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (401, Some(190)));
    assert_eq!(send(&fake, "16505551234").await.0, 401);
    assert_eq!(fake.sent_count(), 0);
    fake.add_number(FakeNumber::example());
    assert_eq!(
        send(&fake, "16505551234").await.0,
        200,
        "a new token lifts it"
    );
}

#[tokio::test]
async fn an_invalid_body_is_refused_with_metas_100_and_recorded() {
    let fake = started().await;
    let url = format!("{}/v23.0/{}/messages", fake.base_url(), number());
    let misspelled = json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "text", "text": {"bdy": "Hi"}});
    let (status, body) = call(
        reqwest::Method::POST,
        url.clone(),
        Some(TOKEN),
        Some(&misspelled),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(body["error"]["message"], "(#100) Invalid parameter");
    let violations = fake.violations();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].body, misspelled);
    assert!(!violations[0].errors.is_empty());
    assert_eq!(fake.sent_count(), 0);
    assert!(fake.sent_messages().is_empty());
    let read_without_id = json!({"messaging_product": "whatsapp", "status": "read"});
    let (status, _) = call(
        reqwest::Method::POST,
        url,
        Some(TOKEN),
        Some(&read_without_id),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(fake.violations().len(), 2);

    let (status, first) = send(&fake, "16505551234").await;
    assert_eq!(status, 200);
    let (_, second) = send(&fake, "16505551234").await;
    assert_eq!(first["contacts"][0]["wa_id"], "16505551234");
    let wamid = first["messages"][0]["id"].as_str().unwrap();
    assert!(wamid.starts_with("wamid."));
    assert_ne!(first["messages"][0]["id"], second["messages"][0]["id"]);
    assert_eq!(fake.sent_messages()[0].wamid, wamid);
    assert_eq!(fake.calls().len(), 4, "refused calls are recorded too");
    assert_eq!(fake.calls()[0].status, 400);
}

#[tokio::test]
async fn injected_failures_appear_then_stop() {
    let fake = started().await;
    fake.fail_next_sends(2, 130429, 400);
    for _ in 0..2 {
        let (status, body) = send(&fake, "16505551234").await;
        assert_eq!(
            (status, body["error"]["code"].as_i64()),
            (400, Some(130429))
        );
        assert_eq!(body["error"]["error_data"]["messaging_product"], "whatsapp");
        assert!(body["error"]["fbtrace_id"].is_string());
    }
    assert_eq!(send(&fake, "16505551234").await.0, 200);

    fake.fail_recipient(
        "15550000000",
        131026,
        400,
        "Message undeliverable",
        "Message Undeliverable.",
    );
    for _ in 0..2 {
        let (status, body) = send(&fake, "15550000000").await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["message"], "(#131026) Message undeliverable");
        assert_eq!(
            body["error"]["error_data"]["details"],
            "Message Undeliverable."
        );
    }
    assert_eq!(
        send(&fake, "16505551234").await.0,
        200,
        "others still get through"
    );
    fake.clear_failures();
    assert_eq!(send(&fake, "15550000000").await.0, 200);
    assert_eq!(fake.sent_count(), 3);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn files_are_kept_described_and_served_to_live_tokens() {
    let fake = started().await;
    let form = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", "image/png")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"\x89PNG".to_vec())
                .file_name("a.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/v23.0/{}/media", fake.base_url(), number()))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = answer["id"].as_str().expect("a media id");
    assert_eq!(fake.file(id).unwrap().bytes, b"\x89PNG");

    let (status, info) = call(
        reqwest::Method::GET,
        format!(
            "{}/v23.0/{id}?phone_number_id={}",
            fake.base_url(),
            number()
        ),
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(info["mime_type"], "image/png");
    assert_eq!(info["file_size"], "4");
    let url = info["url"].as_str().unwrap();
    let download = reqwest::Client::new()
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"\x89PNG");
    let anonymous = reqwest::Client::new().get(url).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    let no_file = reqwest::multipart::Form::new().text("messaging_product", "whatsapp");
    let refused = reqwest::Client::new()
        .post(format!("{}/v23.0/{}/media", fake.base_url(), number()))
        .bearer_auth(TOKEN)
        .multipart(no_file)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(fake.violations().len(), 1);
}

#[tokio::test]
async fn templates_are_filed_per_business_account_and_listed_by_pages() {
    let fake = started().await;
    let waba = FakeNumber::example().business_account_id;
    let url = format!("{}/v23.0/{waba}/message_templates", fake.base_url());
    for name in ["first", "second"] {
        let body = json!({"name": name, "language": "en_US", "category": "MARKETING", "components": [{"type": "BODY", "text": "Hi"}]});
        let (status, answer) =
            call(reqwest::Method::POST, url.clone(), Some(TOKEN), Some(&body)).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["status"], "PENDING");
    }
    let no_category = json!({"name": "third", "language": "en_US", "components": []});
    let (status, _) = call(
        reqwest::Method::POST,
        url.clone(),
        Some(TOKEN),
        Some(&no_category),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(fake.violations().len(), 1);
    assert_eq!(fake.templates(&waba).len(), 3, "hello_world and two");

    let mut names = Vec::new();
    let mut next = Some(format!("{url}?limit=2"));
    while let Some(page) = next {
        let (status, answer) = call(reqwest::Method::GET, page, Some(TOKEN), None).await;
        assert_eq!(status, 200);
        names.extend(
            answer["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].clone()),
        );
        next = answer["paging"]["next"].as_str().map(str::to_owned);
    }
    assert_eq!(
        names,
        [json!("hello_world"), json!("first"), json!("second")]
    );
    let other = format!("{}/v23.0/999/message_templates", fake.base_url());
    assert_eq!(
        call(reqwest::Method::GET, other, Some(TOKEN), None).await.0,
        400
    );
}

/// The shape of a JSON value: its keys all the way down, leaves as their types, a list as its
/// first item's shape.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(object) => object
            .iter()
            .map(|(key, value)| (key.clone(), shape(value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Value::Array(items) => json!([items.first().map(shape)]),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => Value::Null,
    }
}

#[test]
fn metas_documented_template_requests_are_valid_and_webhooks_are_metas_shape() {
    let examples = spec::request_body("/{Version}/{WABA-ID}/message_templates", "post")["examples"]
        .as_object()
        .expect("template examples");
    assert!(examples.len() >= 5);
    for (name, example) in examples {
        let errors = spec::violations(spec::NEW_TEMPLATE, &example["value"]);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }

    use wagate_graph_fake::webhooks::{message_body, status_body};
    let waba = FakeNumber::example().business_account_id;
    let delivered = status_body(
        &waba,
        &number(),
        "15550783881",
        "wamid.X",
        "16505551234",
        "delivered",
        None,
    );
    let failed = status_body(
        &waba,
        &number(),
        "15550783881",
        "wamid.X",
        "16505551234",
        "failed",
        Some((131026, "Message undeliverable", "Message Undeliverable.")),
    );
    for body in [delivered, failed] {
        let body: Value = serde_json::from_slice(&body).unwrap();
        let errors = spec::violations(spec::WEBHOOK, &body);
        assert!(errors.is_empty(), "{errors:#?}\n{body:#}");
    }
    // The description's inbound message schemas are unusable (see `spec`): an inbound message
    // is compared with Meta's own example instead, key for key.
    let inbound = message_body(
        &waba,
        &number(),
        "15550783881",
        "16505551234",
        "Sheena Nelson",
        json!({"text": {"body": "Does it come in another color?"}}),
    );
    let inbound: Value = serde_json::from_slice(&inbound).unwrap();
    let example =
        &spec::request_body("/whatsapp/webhooks", "post")["examples"]["Text Message"]["value"];
    assert_eq!(shape(&inbound), shape(example));
}

#[tokio::test]
async fn webhooks_are_posted_signed_with_the_app_secret() {
    use axum::http::HeaderMap;
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(|headers: HeaderMap, body: axum::body::Bytes| async move {
            let signature = headers["x-hub-signature-256"].to_str().unwrap().to_owned();
            let expected = wagate_graph_fake::webhooks::signature("app-secret", &body);
            if signature == expected {
                "signed"
            } else {
                "forged"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    let fake = started().await;
    let body = fake.status_webhook_body(
        &number(),
        "15550783881",
        "wamid.X",
        "16505551234",
        "read",
        None,
    );
    let parsed: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        parsed["entry"][0]["id"],
        FakeNumber::example().business_account_id
    );
    assert_eq!(
        post_webhook(&url, "app-secret", &body).await,
        (200, "signed".to_owned())
    );
    let (status, error) = post_webhook("http://127.0.0.1:9/hook", "app-secret", &body).await;
    assert_eq!(status, 0, "{error}");
}

#[tokio::test]
async fn the_fake_stops_when_shut_down() {
    let fake = started().await;
    let url = format!("{}/v23.0/{}", fake.base_url(), number());
    fake.shutdown().await;
    let refused = reqwest::Client::new()
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await;
    assert!(refused.is_err(), "{refused:?}");
}
