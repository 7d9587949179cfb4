//! A cloud number's session against the fake Graph API: connecting verifies the credentials,
//! sending uploads wagate's file and posts a body Meta's description allows, Meta's refusals
//! become the dispatcher's errors, a refused token ends the session, and templates are the
//! business account's.

use async_trait::async_trait;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use wagate_core::{EngineKind, InstanceId, Jid, MediaRef, MessageContent, MessageId, TextBody};
use wagate_engine::cloud::engine::{CloudEngine, MediaSource};
use wagate_engine::cloud::graph::{Credentials, GraphClient};
use wagate_engine::{
    ConnectMode, ConnectOutcome, Engine, EngineError, EventSink, MessageOperation, NewTemplate,
    OutgoingMessage, SendFailure, SessionEvent,
};
use wagate_graph_fake::{FakeNumber, GraphFake};

const TOKEN: &str = "EAAG-good-token";

/// wagate's media store, as far as the engine sees it.
struct Files;

#[async_trait]
impl MediaSource for Files {
    async fn read(&self, media: &MediaRef) -> Result<Vec<u8>, EngineError> {
        Ok(format!("bytes of {}", media.media_id).into_bytes())
    }
}

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

fn text(to: &str, body: &str) -> OutgoingMessage {
    OutgoingMessage {
        id: MessageId::generate(),
        to: Jid::parse(&format!("{to}@s.whatsapp.net")).unwrap(),
        content: MessageContent::Text {
            body: TextBody::parse(body).unwrap(),
            preview_url: false,
        },
        reply_to: None,
        mentions: Vec::new(),
        status_post: None,
    }
}

async fn session() -> (
    Arc<dyn wagate_engine::Session>,
    GraphFake,
    mpsc::Receiver<wagate_engine::EngineEvent>,
) {
    let meta = GraphFake::start().await;
    let number = FakeNumber::example();
    assert_eq!(number.access_token, TOKEN);
    meta.add_number(number);
    let engine = CloudEngine::new(
        GraphClient::new(meta.base_url(), "v23.0", Duration::from_secs(5)),
        Arc::new(Files),
    );
    assert_eq!(engine.kind(), EngineKind::Cloud);
    let (sender, events) = mpsc::channel(16);
    let instance = InstanceId::generate();
    let session = engine.session(instance.clone(), EventSink::new(instance, sender));
    (session, meta, events)
}

#[tokio::test]
async fn connecting_verifies_the_credentials_and_opens_the_number() {
    let (session, _meta, _) = session().await;
    let refused = session
        .connect(ConnectMode::Cloud(credentials("EAAG-wrong")))
        .await;
    assert!(
        matches!(refused, Err(EngineError::InvalidState(ref m)) if m.contains("refused the credentials")),
        "{refused:?}"
    );
    assert!(matches!(
        session.send(&text("16505551234", "Hi")).await,
        Err(EngineError::NotConnected)
    ));
    assert!(matches!(
        session.connect(ConnectMode::Qr).await,
        Err(EngineError::NotSupported { .. })
    ));

    match session
        .connect(ConnectMode::Cloud(credentials(TOKEN)))
        .await
        .unwrap()
    {
        ConnectOutcome::Open(me) => {
            assert_eq!(me.phone.as_str(), "15550783881");
            assert_eq!(me.push_name.as_deref(), Some("Jaspers Market"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn messages_go_out_with_their_files_uploaded_first() {
    let (session, meta, _) = session().await;
    session
        .connect(ConnectMode::Cloud(credentials(TOKEN)))
        .await
        .unwrap();
    let receipt = session
        .send(&text("16505551234", "Your order shipped"))
        .await
        .unwrap();
    assert!(receipt.provider_message_id.starts_with("wamid."));

    let mut image = text("16505551234", "unused");
    image.content = MessageContent::Image {
        media: MediaRef {
            media_id: "0190d6f0-0000-7000-8000-00000000abcd".to_owned(),
            mimetype: "image/png".to_owned(),
            size: 52,
            sha256: "ab".repeat(32),
            file_name: None,
        },
        caption: Some("The blue one".to_owned()),
        view_once: false,
    };
    image.reply_to = Some("wamid.QUOTED".to_owned());
    session.send(&image).await.unwrap();
    let calls = meta.calls();
    let upload = &calls[calls.len() - 2];
    assert_eq!(
        upload.path,
        format!("/v23.0/{}/media", FakeNumber::example().phone_number_id)
    );
    assert_eq!(
        upload.body["file"]["fileName"],
        "0190d6f0-0000-7000-8000-00000000abcd.png"
    );
    let body = &calls[calls.len() - 1].body;
    let file = meta
        .file(
            body["image"]["id"]
                .as_str()
                .expect("the uploaded file's id"),
        )
        .expect("the upload is kept");
    assert_eq!(file.bytes, b"bytes of 0190d6f0-0000-7000-8000-00000000abcd");
    assert_eq!(body["image"]["caption"], "The blue one");
    assert_eq!(body["context"]["message_id"], "wamid.QUOTED");

    session
        .perform(&MessageOperation::React {
            chat: Jid::parse("16505551234@s.whatsapp.net").unwrap(),
            target: "wamid.THEIRS".to_owned(),
            emoji: "👍".to_owned(),
        })
        .await
        .unwrap();
    let reaction = meta.sent_messages().last().unwrap().body.clone();
    assert_eq!(reaction["reaction"]["message_id"], "wamid.THEIRS");
    let edit = session
        .perform(&MessageOperation::Edit {
            chat: Jid::parse("16505551234@s.whatsapp.net").unwrap(),
            target: "wamid.MINE".to_owned(),
            text: "fixed".to_owned(),
        })
        .await;
    assert!(
        matches!(edit, Err(EngineError::NotSupported { .. })),
        "{edit:?}"
    );
    assert_eq!(meta.sent_count(), 3);
    assert!(meta.violations().is_empty(), "{:#?}", meta.violations());
}

#[tokio::test]
async fn metas_refusals_become_the_dispatchers_errors() {
    let (session, meta, mut events) = session().await;
    session
        .connect(ConnectMode::Cloud(credentials(TOKEN)))
        .await
        .unwrap();
    meta.fail_recipient(
        "15550000000",
        131026,
        400,
        "Message undeliverable",
        "Message Undeliverable.",
    );
    let undeliverable = session.send(&text("15550000000", "Hi")).await.unwrap_err();
    assert!(
        matches!(
            undeliverable,
            EngineError::Permanent {
                failure: SendFailure::NotOnWhatsApp,
                ..
            }
        ),
        "{undeliverable:?}"
    );
    assert!(
        events.try_recv().is_err(),
        "a refused message does not end the session"
    );

    meta.fail_next_sends(2, 130429, 400);
    for _ in 0..2 {
        let throttled = session.send(&text("16505551234", "Hi")).await.unwrap_err();
        assert!(
            matches!(throttled, EngineError::Transient(ref m) if m.contains("130429")),
            "{throttled:?}"
        );
    }
    session.send(&text("16505551234", "Hi")).await.unwrap();
    assert_eq!(meta.sent_count(), 1);
}

#[tokio::test]
async fn a_refused_token_ends_the_session_and_says_why() {
    let (session, meta, mut events) = session().await;
    session
        .connect(ConnectMode::Cloud(credentials(TOKEN)))
        .await
        .unwrap();
    session.send(&text("16505551234", "Hi")).await.unwrap();
    // The user revokes the token at Meta while the number is connected.
    meta.revoke(&FakeNumber::example().phone_number_id);
    let error = session
        .send(&text("16505551234", "Hi again"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, EngineError::NotConnected),
        "the message waits: {error:?}"
    );
    match events.try_recv().expect("the session says it ended").event {
        SessionEvent::LoggedOut { reason } => assert!(reason.contains("190"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Nothing more is sent with the refused token.
    let calls = meta.calls().len();
    assert!(matches!(
        session.send(&text("16505551234", "Hi")).await,
        Err(EngineError::NotConnected)
    ));
    assert!(matches!(
        session.templates().await,
        Err(EngineError::NotConnected)
    ));
    assert_eq!(meta.calls().len(), calls);
}

#[tokio::test]
async fn templates_are_the_business_accounts() {
    let (session, meta, mut events) = session().await;
    session
        .connect(ConnectMode::Cloud(Credentials {
            business_account_id: None,
            ..credentials(TOKEN)
        }))
        .await
        .unwrap();
    let anonymous = session.templates().await;
    assert!(
        matches!(anonymous, Err(EngineError::InvalidState(ref m)) if m.contains("business account id")),
        "{anonymous:?}"
    );

    session
        .connect(ConnectMode::Cloud(credentials(TOKEN)))
        .await
        .unwrap();
    let new = NewTemplate {
        name: "order_shipped".to_owned(),
        language: "en_US".to_owned(),
        category: "UTILITY".to_owned(),
        components: json!([{"type": "BODY", "text": "Your order has shipped."}]),
    };
    let filed = session.create_template(&new).await.unwrap();
    assert_eq!(
        (filed.name.as_str(), filed.status.as_str()),
        ("order_shipped", "PENDING")
    );
    let names: Vec<String> = session
        .templates()
        .await
        .unwrap()
        .into_iter()
        .map(|template| template.name)
        .collect();
    assert_eq!(names, ["hello_world", "order_shipped"]);

    let duplicate = session.create_template(&new).await.unwrap_err();
    assert!(
        matches!(duplicate, EngineError::Refused { ref code, .. } if code == "META_100"),
        "{duplicate:?}"
    );
    assert!(meta.violations().is_empty(), "{:#?}", meta.violations());

    meta.revoke(&FakeNumber::example().phone_number_id);
    assert!(matches!(
        session.templates().await,
        Err(EngineError::NotConnected)
    ));
    assert!(matches!(
        events.try_recv().map(|event| event.event),
        Ok(SessionEvent::LoggedOut { .. })
    ));
}
