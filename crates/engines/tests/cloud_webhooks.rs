//! Meta's webhooks read as wagate updates, with the examples of Meta's own OpenAPI description
//! (`specs/meta-business-messaging-api_v23.0.yaml`, `paths./whatsapp/webhooks.post`).

use serde_json::{Value, json};
use wagate_core::{MessageContent, MessageStatus};
use wagate_engine::cloud::graph_error::GraphErrorKind;
use wagate_engine::cloud::webhook::{
    InboundContent, Update, handshake, parse, signature_for, signature_matches,
};

/// The examples, read once for all the tests of this file (the description is a megabyte).
fn examples() -> Vec<(String, Value)> {
    static EXAMPLES: std::sync::OnceLock<Vec<(String, Value)>> = std::sync::OnceLock::new();
    EXAMPLES
        .get_or_init(|| {
            wagate_graph_fake::spec::request_body("/whatsapp/webhooks", "post")["examples"]
                .as_object()
                .expect("webhook examples")
                .iter()
                .map(|(name, example)| (name.clone(), example["value"].clone()))
                .collect()
        })
        .clone()
}

fn example(name: &str) -> Vec<Update> {
    let (_, body) = examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no example {name}"));
    parse(body.to_string().as_bytes()).expect("the example parses")
}

fn only_message(updates: Vec<Update>) -> wagate_engine::cloud::webhook::InboundMessage {
    match <[Update; 1]>::try_from(updates) {
        Ok([Update::Message { message, .. }]) => message,
        other => panic!("expected one message, got {other:?}"),
    }
}

#[test]
fn every_example_of_metas_description_is_read_without_error() {
    let examples = examples();
    assert!(examples.len() >= 13, "{}", examples.len());
    for (name, body) in examples {
        let updates = parse(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let is_message = body["entry"][0]["changes"][0]["field"] == "messages";
        assert_eq!(
            updates.len(),
            usize::from(is_message),
            "{name}: {updates:?}"
        );
    }
}

#[test]
fn inbound_messages_keep_sender_time_and_content() {
    let text = only_message(example("Text Message"));
    assert!(text.id.starts_with("wamid."), "{}", text.id);
    assert_eq!(text.from.as_str(), "16505551234");
    assert_eq!(text.push_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(text.at.timestamp(), 1749416383);
    assert!(
        matches!(
            &text.content,
            InboundContent::Ready(MessageContent::Text { body, .. }) if body.as_str() == "Does it come in another color?"
        ),
        "{:?}",
        text.content
    );

    let image = only_message(example("Image Message"));
    match image.content {
        InboundContent::Media {
            kind,
            file,
            caption,
            ..
        } => {
            assert_eq!(kind, "image");
            assert_eq!(file.mime_type, "image/jpeg");
            assert!(!file.id.is_empty());
            assert!(file.sha256.is_some());
            assert!(caption.is_some());
        }
        other => panic!("{other:?}"),
    }

    let location = only_message(example("Location Message"));
    assert!(matches!(
        location.content,
        InboundContent::Ready(MessageContent::Location { .. })
    ));
    let contacts = only_message(example("Contact Sharing Message"));
    match contacts.content {
        InboundContent::Ready(MessageContent::Contacts { contacts }) => {
            assert!(!contacts.is_empty());
            assert!(!contacts[0].full_name.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let reaction = only_message(example("Reaction Message"));
    assert!(
        matches!(reaction.content, InboundContent::Reaction { ref target, .. } if target.starts_with("wamid."))
    );
    let list_reply = only_message(example("Interactive List Reply Message"));
    assert!(
        matches!(
            list_reply.content,
            InboundContent::Ready(MessageContent::Text { .. })
        ),
        "{:?}",
        list_reply.content
    );
    let button = only_message(example("Button Message"));
    assert!(
        matches!(
            button.content,
            InboundContent::Ready(MessageContent::Text { .. })
        ),
        "{:?}",
        button.content
    );
    let unsupported = only_message(example("Unsupported Message"));
    assert_eq!(
        unsupported.content,
        InboundContent::Other {
            kind: "unsupported".to_owned()
        }
    );
    let reply = only_message(example("Text Message with Context (Product Inquiry)"));
    assert!(reply.reply_to.is_some());
}

#[test]
fn statuses_carry_the_message_id_tracking_and_failure() {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
    "messaging_product": "whatsapp",
    "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
    "statuses": [
        {"id": "wamid.SENT", "status": "sent", "timestamp": "1698266945", "recipient_id": "16505551234",
         "biz_opaque_callback_data": "0190d6f0-aaaa-7000-8000-000000000002",
         "pricing": {"billable": true, "pricing_model": "PMP", "category": "utility"}},
        {"id": "wamid.READ", "status": "read", "timestamp": "1698266950", "recipient_id": "16505551234"},
        {"id": "wamid.FAILED", "status": "failed", "timestamp": "1698266960", "recipient_id": "16505551234",
         "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                     "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}]},
        {"id": "wamid.NEW", "status": "some_status_meta_adds_later", "timestamp": "1698266970"}
    ]}}]}]});
    let updates = parse(body.to_string().as_bytes()).unwrap();
    let statuses: Vec<_> = updates
        .into_iter()
        .map(|update| match update {
            Update::Status {
                phone_number_id,
                status,
            } => {
                assert_eq!(phone_number_id, "106540352242922");
                status
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        statuses.len(),
        3,
        "an unknown status is skipped, not an error"
    );
    assert_eq!(statuses[0].status, MessageStatus::Sent);
    assert_eq!(
        statuses[0].tracking.as_deref(),
        Some("0190d6f0-aaaa-7000-8000-000000000002")
    );
    assert_eq!(statuses[0].at.timestamp(), 1698266945);
    assert_eq!(statuses[1].status, MessageStatus::Read);
    let failure = statuses[2].error.as_ref().expect("the failure");
    assert_eq!(failure.code, 131047);
    assert_eq!(failure.kind(), GraphErrorKind::Rejected);
}

#[test]
fn bodies_that_are_not_webhooks_are_refused_with_a_reason() {
    assert!(parse(b"not json").unwrap_err().contains("JSON"));
    assert!(parse(b"{}").unwrap_err().contains("entry"));
}

#[test]
fn only_bodies_signed_with_the_app_secret_are_accepted() {
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let signature = signature_for("app-secret", body);
    assert!(signature.starts_with("sha256="));
    assert!(signature_matches("app-secret", body, Some(&signature)));
    assert!(!signature_matches("another-secret", body, Some(&signature)));
    assert!(!signature_matches(
        "app-secret",
        b"{\"tampered\":true}",
        Some(&signature)
    ));
    assert!(!signature_matches("app-secret", body, None));
    assert!(!signature_matches("app-secret", body, Some("sha256=zz")));
    assert!(!signature_matches(
        "app-secret",
        body,
        Some(signature.trim_start_matches("sha256="))
    ));
}

#[test]
fn the_handshake_echoes_the_challenge_only_for_the_right_token() {
    assert_eq!(
        handshake(Some("subscribe"), Some("tok"), Some("1158201444"), "tok"),
        Some("1158201444")
    );
    assert_eq!(
        handshake(Some("subscribe"), Some("nope"), Some("1158201444"), "tok"),
        None
    );
    assert_eq!(
        handshake(Some("unsubscribe"), Some("tok"), Some("1158201444"), "tok"),
        None
    );
    assert_eq!(
        handshake(Some("subscribe"), None, Some("1158201444"), "tok"),
        None
    );
    assert_eq!(handshake(Some("subscribe"), Some(""), Some("1"), ""), None);
}

#[test]
fn the_fake_graph_apis_webhooks_are_read_like_metas() {
    use wagate_graph_fake::webhooks::{message_body, signature, status_body};
    let failed = status_body(
        "102290129340398",
        "106540352242922",
        "15550783881",
        "wamid.SENT",
        "16505551234",
        "failed",
        Some((
            131047,
            "Re-engagement message",
            "More than 24 hours have passed.",
        )),
    );
    assert!(signature_matches(
        "app-secret",
        &failed,
        Some(&signature("app-secret", &failed))
    ));
    match <[Update; 1]>::try_from(parse(&failed).unwrap()) {
        Ok(
            [
                Update::Status {
                    phone_number_id,
                    status,
                },
            ],
        ) => {
            assert_eq!(phone_number_id, "106540352242922");
            assert_eq!(status.id, "wamid.SENT");
            assert_eq!(status.status, MessageStatus::Failed);
            assert_eq!(status.error.expect("the failure").code, 131047);
        }
        other => panic!("{other:?}"),
    }
    let inbound = message_body(
        "102290129340398",
        "106540352242922",
        "15550783881",
        "16505551234",
        "Sheena Nelson",
        json!({"text": {"body": "Does it come in blue?"}}),
    );
    let message = only_message(parse(&inbound).unwrap());
    assert_eq!(message.from.as_str(), "16505551234");
    assert_eq!(message.push_name.as_deref(), Some("Sheena Nelson"));
    assert!(message.id.starts_with("wamid."), "{}", message.id);
    assert!(
        matches!(&message.content, InboundContent::Ready(MessageContent::Text { body, .. }) if body.as_str() == "Does it come in blue?"),
        "{:?}",
        message.content
    );
}
