//! A cloud number's session against a local stand-in for Meta: connecting verifies the
//! credentials, sending uploads wagate's file and posts a body Meta accepts, Meta's refusals
//! become the dispatcher's errors, and a refused token ends the session.

mod support;

use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use support::{NUMBER, TOKEN, meta};
use tokio::sync::mpsc;
use wagate_core::{EngineKind, InstanceId, Jid, MediaRef, MessageContent, MessageId, TextBody};
use wagate_engine::cloud::engine::{CloudEngine, MediaSource};
use wagate_engine::cloud::graph::{Credentials, GraphClient};
use wagate_engine::{
    ConnectMode, ConnectOutcome, Engine, EngineError, EventSink, MessageOperation, OutgoingMessage,
    SendFailure, SessionEvent,
};

/// wagate's media store, as far as the engine sees it.
struct Files;

#[async_trait]
impl MediaSource for Files {
    async fn read(&self, media: &MediaRef) -> Result<Vec<u8>, EngineError> {
        Ok(format!("bytes of {}", media.media_id).into_bytes())
    }
}

fn credentials(token: &str) -> Credentials {
    Credentials {
        access_token: token.to_owned(),
        phone_number_id: NUMBER.to_owned(),
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
    }
}

async fn session() -> (
    Arc<dyn wagate_engine::Session>,
    Arc<support::Meta>,
    mpsc::Receiver<wagate_engine::EngineEvent>,
) {
    let (base, meta) = meta().await;
    let engine = CloudEngine::new(
        GraphClient::new(&base, "v23.0", Duration::from_secs(5)),
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
    let (session, _, _) = session().await;
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
    let calls = meta.calls.lock().unwrap().clone();
    let (upload, form) = &calls[calls.len() - 2];
    assert_eq!(upload, &format!("POST /v23.0/{NUMBER}/media"));
    assert_eq!(
        form["file"]["fileName"],
        "0190d6f0-0000-7000-8000-00000000abcd.png"
    );
    assert_eq!(
        form["file"]["size"],
        "bytes of 0190d6f0-0000-7000-8000-00000000abcd".len()
    );
    let (_, body) = &calls[calls.len() - 1];
    assert_eq!(body["image"]["id"], "4490709327384033");
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
    let (_, reaction) = meta.calls.lock().unwrap().last().unwrap().clone();
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
}

#[tokio::test]
async fn metas_refusals_become_the_dispatchers_errors() {
    let (session, _, mut events) = session().await;
    session
        .connect(ConnectMode::Cloud(credentials(TOKEN)))
        .await
        .unwrap();
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
    meta.revoked
        .store(true, std::sync::atomic::Ordering::SeqCst);
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
    let calls = meta.calls.lock().unwrap().len();
    assert!(matches!(
        session.send(&text("16505551234", "Hi")).await,
        Err(EngineError::NotConnected)
    ));
    assert_eq!(meta.calls.lock().unwrap().len(), calls);
}
