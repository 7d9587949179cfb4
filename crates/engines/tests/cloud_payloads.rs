//! Every Graph API body the cloud engine builds is one Meta's own OpenAPI description of the
//! Cloud API accepts (`specs/meta-business-messaging-api_v23.0.yaml`, mended where it
//! contradicts itself: see `wagate_graph_fake::spec`), and carries each field of wagate's
//! message where Meta expects it.

use serde_json::{Value, json};
use wagate_core::{
    ContactCard, InteractiveAction, InteractiveButton, ListRow, ListSection, MediaRef,
    MessageContent, TextBody,
};
use wagate_engine::EngineError;
use wagate_engine::cloud::payload::{GraphMedia, GraphSend, message_body, read_body};
use wagate_graph_fake::spec::{self, violations};

fn media(mimetype: &str) -> MediaRef {
    MediaRef {
        media_id: "0190d6f0-0000-7000-8000-000000000001".to_owned(),
        mimetype: mimetype.to_owned(),
        size: 1234,
        sha256: "ab".repeat(32),
        file_name: None,
    }
}

/// One message of each kind the Cloud API can send, with the file each media kind needs.
fn every_kind() -> Vec<(MessageContent, Option<GraphMedia<'static>>)> {
    let uploaded = Some(GraphMedia::Id("1003383421387256"));
    let linked = Some(GraphMedia::Link("https://example.com/files/report.pdf"));
    vec![
        (
            MessageContent::Text {
                body: TextBody::parse("Your order has shipped: https://example.com/track").unwrap(),
                preview_url: true,
            },
            None,
        ),
        (
            MessageContent::Image {
                media: media("image/jpeg"),
                caption: Some("The blue one".to_owned()),
                view_once: false,
            },
            uploaded,
        ),
        (
            MessageContent::Video {
                media: media("video/mp4"),
                caption: None,
                gif: false,
                view_once: false,
            },
            uploaded,
        ),
        (
            MessageContent::Audio {
                media: media("audio/ogg"),
                voice: true,
                view_once: false,
            },
            uploaded,
        ),
        (
            MessageContent::Document {
                media: media("application/pdf"),
                caption: Some("March".to_owned()),
                file_name: Some("report.pdf".to_owned()),
            },
            linked,
        ),
        (
            MessageContent::Sticker {
                media: media("image/webp"),
            },
            uploaded,
        ),
        (
            MessageContent::Location {
                latitude: 37.4847,
                longitude: -122.1486,
                name: Some("Meta HQ".to_owned()),
                address: Some("1 Hacker Way, Menlo Park, CA 94025".to_owned()),
            },
            None,
        ),
        (
            MessageContent::Contacts {
                contacts: vec![ContactCard {
                    full_name: "John Smith".to_owned(),
                    phone_numbers: vec!["16505551234".to_owned()],
                    organization: Some("WhatsApp".to_owned()),
                    email: Some("john@example.com".to_owned()),
                    url: Some("https://www.whatsapp.com".to_owned()),
                }],
            },
            None,
        ),
        (
            MessageContent::Reaction {
                target_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA".to_owned(),
                emoji: "👍".to_owned(),
            },
            None,
        ),
        (
            MessageContent::Template {
                name: "order_update".to_owned(),
                language: "en_US".to_owned(),
                components: json!([
                    {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://example.com/box.png"}}]},
                    {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "1234"}]},
                    {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "TRACK"}]}
                ]),
            },
            None,
        ),
        (
            MessageContent::Template {
                name: "hello_world".to_owned(),
                language: "en_US".to_owned(),
                components: Value::Null,
            },
            None,
        ),
        (
            MessageContent::Interactive {
                body: "Did it arrive?".to_owned(),
                header: Some("Order 1234".to_owned()),
                footer: Some("Acme".to_owned()),
                action: InteractiveAction::Buttons {
                    buttons: vec![
                        InteractiveButton {
                            id: "yes".to_owned(),
                            title: "Yes".to_owned(),
                        },
                        InteractiveButton {
                            id: "no".to_owned(),
                            title: "Not yet".to_owned(),
                        },
                    ],
                },
            },
            None,
        ),
        (
            MessageContent::Interactive {
                body: "Pick a slot".to_owned(),
                header: None,
                footer: None,
                action: InteractiveAction::List {
                    button: "Slots".to_owned(),
                    sections: vec![ListSection {
                        title: "Tomorrow".to_owned(),
                        rows: vec![
                            ListRow {
                                id: "am".to_owned(),
                                title: "Morning".to_owned(),
                                description: Some("9–12".to_owned()),
                            },
                            ListRow {
                                id: "pm".to_owned(),
                                title: "Afternoon".to_owned(),
                                description: None,
                            },
                        ],
                    }],
                },
            },
            None,
        ),
        (
            MessageContent::Interactive {
                body: "Track your parcel".to_owned(),
                header: None,
                footer: None,
                action: InteractiveAction::Cta {
                    display_text: "Track".to_owned(),
                    url: "https://example.com/track/1234".to_owned(),
                },
            },
            None,
        ),
    ]
}

fn body_of(
    content: &MessageContent,
    media: Option<GraphMedia<'_>>,
    reply_to: Option<&str>,
) -> Value {
    message_body(&GraphSend {
        to: "16505551234",
        content,
        reply_to,
        media,
    })
    .expect("a Graph body")
}

#[test]
fn every_kind_of_message_is_a_body_meta_accepts() {
    for (content, media) in every_kind() {
        for reply_to in [
            None,
            Some("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"),
        ] {
            let body = body_of(&content, media, reply_to);
            let errors = violations(spec::MESSAGE, &body);
            assert!(
                errors.is_empty(),
                "{}: {errors:#?}\n{body:#}",
                content.type_name()
            );
        }
    }
}

#[test]
fn what_meta_refuses_is_refused_by_the_schema_too() {
    // The validation itself is not a formality: a body Meta would reject fails it.
    let text = body_of(
        &MessageContent::Text {
            body: TextBody::parse("Hi").unwrap(),
            preview_url: false,
        },
        None,
        None,
    );
    let mut misspelled = text.clone();
    misspelled["text"]["bdy"] = json!("Hi");
    assert!(!violations(spec::MESSAGE, &misspelled).is_empty());
    let mut unknown_type = text.clone();
    unknown_type["type"] = json!("carousel");
    assert!(!violations(spec::MESSAGE, &unknown_type).is_empty());
    let mut no_recipient = text;
    no_recipient.as_object_mut().unwrap().remove("to");
    assert!(!violations(spec::MESSAGE, &no_recipient).is_empty());
}

#[test]
fn fields_land_where_meta_reads_them() {
    let bodies: Vec<Value> = every_kind()
        .iter()
        .map(|(content, media)| body_of(content, *media, Some("wamid.QUOTED")))
        .collect();
    let [
        text,
        image,
        _video,
        audio,
        document,
        sticker,
        location,
        contacts,
        reaction,
        template,
        hello,
        buttons,
        list,
        cta,
    ] = bodies.try_into().unwrap();
    assert_eq!(text["messaging_product"], "whatsapp");
    assert_eq!(text["recipient_type"], "individual");
    assert_eq!(text["to"], "16505551234");
    assert_eq!(
        text["text"],
        json!({"body": "Your order has shipped: https://example.com/track", "preview_url": true})
    );
    assert_eq!(text["context"], json!({"message_id": "wamid.QUOTED"}));
    // Meta's v23.0 description has no `biz_opaque_callback_data`; statuses are matched by wamid.
    assert!(text.get("biz_opaque_callback_data").is_none());
    assert_eq!(
        image["image"],
        json!({"id": "1003383421387256", "caption": "The blue one"})
    );
    assert_eq!(audio["audio"], json!({"id": "1003383421387256"}));
    assert_eq!(
        document["document"],
        json!({"link": "https://example.com/files/report.pdf", "caption": "March", "filename": "report.pdf"})
    );
    assert_eq!(sticker["sticker"], json!({"id": "1003383421387256"}));
    assert_eq!(location["location"]["latitude"], "37.4847");
    assert_eq!(location["location"]["name"], "Meta HQ");
    let card = &contacts["contacts"][0];
    assert_eq!(card["name"]["formatted_name"], "John Smith");
    assert_eq!(
        card["phones"],
        json!([{"phone": "+16505551234", "wa_id": "16505551234"}])
    );
    assert_eq!(card["org"]["company"], "WhatsApp");
    // A reaction names its message itself; it is not a reply.
    assert_eq!(
        reaction["reaction"]["message_id"],
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"
    );
    assert_eq!(reaction["reaction"]["emoji"], "👍");
    assert!(reaction.get("context").is_none());
    assert_eq!(template["template"]["name"], "order_update");
    assert_eq!(
        template["template"]["language"],
        json!({"policy": "deterministic", "code": "en_US"})
    );
    assert_eq!(
        template["template"]["components"][1]["parameters"][0]["text"],
        "Ana"
    );
    assert!(hello["template"].get("components").is_none());
    assert_eq!(buttons["interactive"]["type"], "button");
    assert_eq!(
        buttons["interactive"]["header"],
        json!({"type": "text", "text": "Order 1234"})
    );
    assert_eq!(
        buttons["interactive"]["action"]["buttons"][1],
        json!({"type": "reply", "reply": {"id": "no", "title": "Not yet"}})
    );
    assert_eq!(list["interactive"]["action"]["button"], "Slots");
    assert_eq!(
        list["interactive"]["action"]["sections"][0]["rows"][0]["description"],
        "9–12"
    );
    assert_eq!(
        cta["interactive"]["action"],
        json!({"name": "cta_url", "parameters": {"display_text": "Track", "url": "https://example.com/track/1234"}})
    );
}

#[test]
fn what_the_cloud_api_cannot_send_is_said_before_anything_is_sent() {
    let poll = MessageContent::Poll {
        name: "Lunch?".to_owned(),
        values: vec!["Yes".to_owned(), "No".to_owned()],
        selectable_count: 1,
    };
    let refused = message_body(&GraphSend {
        to: "16505551234",
        content: &poll,
        reply_to: None,
        media: None,
    });
    assert!(
        matches!(refused, Err(EngineError::NotSupported { .. })),
        "{refused:?}"
    );
    let image = MessageContent::Image {
        media: media("image/png"),
        caption: None,
        view_once: false,
    };
    let unuploaded = message_body(&GraphSend {
        to: "16505551234",
        content: &image,
        reply_to: None,
        media: None,
    });
    assert!(
        matches!(unuploaded, Err(EngineError::InvalidState(_))),
        "{unuploaded:?}"
    );
}

#[test]
fn read_receipts_and_typing_are_bodies_meta_accepts() {
    let read = read_body("wamid.RECEIVED", false);
    assert_eq!(
        read,
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.RECEIVED"})
    );
    let typing = read_body("wamid.RECEIVED", true);
    assert_eq!(typing["typing_indicator"], json!({"type": "text"}));
    for body in [read, typing] {
        let errors = violations(spec::MARK_READ, &body);
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
