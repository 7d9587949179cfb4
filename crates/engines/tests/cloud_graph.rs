//! The Graph API client against the fake Graph API: the right paths (on the number's own
//! endpoint and version when it has them), the bearer token on every call (downloads
//! included), bodies Meta's description allows, the answers read, and Meta's errors handed
//! back sorted.

use serde_json::json;
use std::time::Duration;
use wagate_engine::NewTemplate;
use wagate_engine::cloud::graph::{Credentials, GraphClient};
use wagate_engine::cloud::graph_error::GraphErrorKind;
use wagate_graph_fake::{FakeNumber, GraphFake};

fn credentials(token: &str) -> Credentials {
    let number = FakeNumber::example();
    Credentials {
        access_token: token.to_owned(),
        phone_number_id: number.phone_number_id,
        business_account_id: Some(number.business_account_id),
        base_url: None,
        graph_version: None,
        base_url_by_operator: false,
    }
}

fn token() -> String {
    FakeNumber::example().access_token
}

fn number_id() -> String {
    FakeNumber::example().phone_number_id
}

async fn fake() -> (GraphFake, GraphClient) {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    let graph = GraphClient::new(fake.base_url(), "v23.0", Duration::from_secs(5));
    (fake, graph)
}

#[tokio::test]
async fn the_number_is_read_with_the_token_and_a_bad_token_is_a_credentials_error() {
    let (fake, graph) = fake().await;
    let info = graph.phone_number(&credentials(&token())).await.unwrap();
    assert_eq!(info.display_phone_number, "+1 555-078-3881");
    assert_eq!(info.verified_name.as_deref(), Some("Jaspers Market"));
    assert_eq!(info.quality_rating.as_deref(), Some("GREEN"));
    let call = &fake.calls()[0];
    assert_eq!(
        (call.method.as_str(), call.path.clone()),
        ("GET", format!("/v23.0/{}", number_id()))
    );
    assert!(call.query.contains("fields="), "{}", call.query);

    let refused = graph
        .phone_number(&credentials("EAAG-expired"))
        .await
        .unwrap_err();
    assert_eq!(refused.code, 190);
    assert_eq!(refused.kind(), GraphErrorKind::Credentials);
    assert!(
        !format!("{:?}", credentials("EAAG-secret")).contains("EAAG-secret"),
        "tokens stay out of logs"
    );
}

#[tokio::test]
async fn a_number_with_its_own_endpoint_and_version_is_reached_there() {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    // The client's own endpoint is unreachable: only the number's can answer.
    let graph = GraphClient::new("http://127.0.0.1:9", "v1.0", Duration::from_secs(2));
    let own = Credentials {
        base_url: Some(format!("{}/", fake.base_url())),
        graph_version: Some("v24.0".to_owned()),
        base_url_by_operator: true,
        ..credentials(&token())
    };
    graph.phone_number(&own).await.unwrap();
    assert_eq!(fake.calls()[0].path, format!("/v24.0/{}", number_id()));
    let elsewhere = graph
        .phone_number(&credentials(&token()))
        .await
        .unwrap_err();
    assert_eq!(elsewhere.kind(), GraphErrorKind::Unavailable, "{elsewhere}");
}

#[tokio::test]
async fn messages_are_posted_and_answer_their_wamid_or_metas_refusal() {
    let (fake, _) = fake().await;
    let graph = GraphClient::new(
        &format!("{}/", fake.base_url()),
        "v23.0",
        Duration::from_secs(5),
    );
    let body = json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text", "text": {"body": "Hi"}});
    let wamid = graph.send(&credentials(&token()), &body).await.unwrap();
    let again = graph.send(&credentials(&token()), &body).await.unwrap();
    assert!(wamid.starts_with("wamid."), "{wamid}");
    assert_ne!(wamid, again, "every message has its own id");
    let sent = fake.sent_messages();
    assert_eq!(sent[0].wamid, wamid);
    assert_eq!(sent[0].phone_number_id, number_id());
    assert_eq!(sent[0].body, body);
    assert_eq!(
        fake.calls()[0].path,
        format!("/v23.0/{}/messages", number_id())
    );

    fake.fail_recipient(
        "15550000000",
        131026,
        400,
        "Message undeliverable",
        "Message Undeliverable.",
    );
    let mut undeliverable = body.clone();
    undeliverable["to"] = json!("15550000000");
    let error = graph
        .send(&credentials(&token()), &undeliverable)
        .await
        .unwrap_err();
    assert_eq!(error.code, 131026);
    assert_eq!(error.kind(), GraphErrorKind::Rejected);
    assert_eq!(error.details.as_deref(), Some("Message Undeliverable."));

    graph
        .mark_read(&credentials(&token()), "wamid.IN", true)
        .await
        .unwrap();
    let read = fake.calls().last().unwrap().body.clone();
    assert_eq!(read["typing_indicator"]["type"], "text");
    assert_eq!(fake.sent_count(), 2, "a read receipt is not a message");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());

    let unreachable = GraphClient::new("http://127.0.0.1:9", "v23.0", Duration::from_secs(2));
    let error = unreachable
        .send(&credentials(&token()), &body)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), GraphErrorKind::Unavailable, "{error}");
}

#[tokio::test]
async fn files_are_uploaded_as_meta_expects_and_downloaded_with_the_token() {
    let (fake, graph) = fake().await;
    let id = graph
        .upload_media(
            &credentials(&token()),
            b"\x89PNG....".to_vec(),
            "image/png",
            "photo.png",
        )
        .await
        .unwrap();
    let stored = fake.file(&id).expect("the upload is kept");
    assert_eq!(stored.bytes, b"\x89PNG....");
    assert_eq!(stored.mime_type, "image/png");
    assert_eq!(stored.phone_number_id, Some(number_id()));
    let call = &fake.calls()[0];
    assert_eq!(call.path, format!("/v23.0/{}/media", number_id()));
    assert_eq!(call.body["messaging_product"], "whatsapp");
    assert_eq!(call.body["type"], "image/png");
    assert_eq!(
        call.body["file"],
        json!({"fileName": "photo.png", "type": "image/png", "size": 8})
    );

    // A file a customer sent.
    fake.add_file("1003383421387256", b"jpg-bytes".to_vec(), "image/jpeg");
    let info = graph
        .media_info(&credentials(&token()), "1003383421387256")
        .await
        .unwrap();
    assert_eq!(info.mime_type, "image/jpeg");
    assert_eq!(info.sha256.as_deref().map(str::len), Some(64));
    let bytes = graph
        .download(&credentials(&token()), &info.url)
        .await
        .unwrap();
    assert_eq!(bytes, b"jpg-bytes");
    let refused = graph
        .download(&credentials("EAAG-other"), &info.url)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), GraphErrorKind::Credentials);
}

fn new_template(name: &str) -> NewTemplate {
    NewTemplate {
        name: name.to_owned(),
        language: "en_US".to_owned(),
        category: "UTILITY".to_owned(),
        components: json!([
            {"type": "BODY", "text": "Your order {{1}} has shipped.", "example": {"body_text": [["1234"]]}}
        ]),
    }
}

#[tokio::test]
async fn templates_are_submitted_and_listed_across_pages() {
    let (fake, graph) = fake().await;
    let filed = graph
        .create_template(&credentials(&token()), &new_template("order_shipped"))
        .await
        .unwrap();
    assert_eq!(filed.status, "PENDING");
    assert_eq!(filed.category, "UTILITY");
    assert_eq!(filed.name, "order_shipped");
    assert_eq!(filed.components, new_template("order_shipped").components);
    let waba = FakeNumber::example().business_account_id;
    fake.set_template_status(&waba, "order_shipped", "APPROVED");

    // More than one page of 100.
    for n in 0..120 {
        graph
            .create_template(&credentials(&token()), &new_template(&format!("bulk_{n}")))
            .await
            .unwrap();
    }
    let templates = graph.templates(&credentials(&token())).await.unwrap();
    assert_eq!(
        templates.len(),
        122,
        "hello_world, order_shipped and 120 more"
    );
    assert_eq!(templates[0].name, "hello_world");
    assert_eq!(templates[0].status, "APPROVED");
    let shipped = &templates[1];
    assert_eq!(
        (shipped.id.as_str(), shipped.status.as_str()),
        (filed.id.as_str(), "APPROVED")
    );
    assert_eq!(templates[121].name, "bulk_119");
    let lists = fake
        .calls()
        .into_iter()
        .filter(|call| call.method == "GET")
        .count();
    assert_eq!(lists, 2, "two pages");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn templates_need_the_business_account_and_a_body_meta_allows() {
    let (fake, graph) = fake().await;
    let anonymous = Credentials {
        business_account_id: None,
        ..credentials(&token())
    };
    let error = graph.templates(&anonymous).await.unwrap_err();
    assert!(error.message.contains("business account"), "{error}");
    assert!(
        fake.calls().is_empty(),
        "nothing is asked without the account"
    );

    let mut bad = new_template("promo");
    bad.category = "PROMOTION".to_owned();
    let refused = graph
        .create_template(&credentials(&token()), &bad)
        .await
        .unwrap_err();
    assert_eq!(refused.code, 100);
    assert_eq!(refused.kind(), GraphErrorKind::Rejected);
    assert_eq!(fake.violations().len(), 1);

    let other_account = Credentials {
        business_account_id: Some("999999999".to_owned()),
        ..credentials(&token())
    };
    let hidden = graph.templates(&other_account).await.unwrap_err();
    assert_eq!(hidden.code, 100, "{hidden}");
}

#[tokio::test]
async fn an_endpoint_the_account_chose_never_reaches_a_private_address() {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    let graph = GraphClient::new("http://127.0.0.1:9", "v1.0", Duration::from_secs(2));
    let port = fake.base_url().rsplit(':').next().unwrap().to_owned();
    for base in [
        fake.base_url().to_owned(),
        format!("http://localhost:{port}"),
        format!("http://0x7f000001:{port}"),
        format!("http://[::ffff:127.0.0.1]:{port}"),
    ] {
        let chosen = Credentials {
            base_url: Some(base.clone()),
            ..credentials(&token())
        };
        let refused = graph.phone_number(&chosen).await.expect_err(&base);
        assert_eq!(
            refused.kind(),
            GraphErrorKind::Rejected,
            "{base}: {refused}"
        );
        assert!(refused.message.contains("Graph API endpoint"), "{refused}");
    }
    assert!(fake.calls().is_empty(), "the token went nowhere");
}

#[tokio::test]
async fn a_media_id_is_one_path_segment() {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    let graph = GraphClient::new(fake.base_url(), "v23.0", Duration::from_secs(2));
    for id in ["../../me", "1?fields=access_token", "a/b", "%2e%2e", ""] {
        let refused = graph
            .media_info(&credentials(&token()), id)
            .await
            .expect_err(id);
        assert_eq!(refused.kind(), GraphErrorKind::Rejected, "{id}: {refused}");
    }
    assert!(fake.calls().is_empty());
}
