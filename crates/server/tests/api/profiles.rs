//! Profiles over HTTP on the sandbox: a contact as WhatsApp shows them, the number's own
//! name and about, what changes where, and the refusals.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_number_changes_its_name_and_about_and_its_contacts_see_the_about() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        server.link(&key, "sales", "15550001111").await;
        server.instance(&key, "customer").await;
        server.link(&key, "customer", "15550002222").await;

        let (status, body) = server.get("/api/v1/instances/sales/profile", &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["phone"], "15550001111");
        assert_eq!(body["data"]["jid"], "15550001111@s.whatsapp.net");
        assert!(body["data"]["lid"].as_str().unwrap().ends_with("@lid"));
        assert_eq!(body["data"]["about"], Value::Null);

        let (status, body) = server
            .put(
                "/api/v1/instances/sales/profile/name",
                &key,
                json!({ "name": "Acme Support" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["pushName"], "Acme Support");
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/profile/status",
                &key,
                json!({ "status": "We answer 9 to 5" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["about"], "We answer 9 to 5");
        assert_eq!(body["data"]["pushName"], "Acme Support");
        // The instance shows the new name.
        let (_, instance) = server.get("/api/v1/instances/sales", &key).await;
        assert_eq!(
            instance["data"]["me"]["pushName"], "Acme Support",
            "{instance}"
        );

        // Another number sees the about.
        let (status, body) = server
            .get("/api/v1/instances/customer/contacts/15550001111", &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({
                "phone": "15550001111",
                "jid": "15550001111@s.whatsapp.net",
                "exists": true,
                "lid": body["data"]["lid"],
                "about": "We answer 9 to 5",
                "pictureUrl": null,
                "business": false,
                "name": null,
                "pushName": null,
            })
        );
        assert!(body["data"]["lid"].as_str().unwrap().ends_with("@lid"));

        // A number without WhatsApp shows nothing.
        let (_, body) = server
            .get("/api/v1/instances/sales/contacts/+1 555 000 0000", &key)
            .await;
        assert_eq!(body["data"]["exists"], false, "{body}");
        assert_eq!(body["data"]["lid"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn bad_profile_input_is_refused_and_changes_nothing() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        for (path, body, field) in [
            ("name", json!({ "name": "" }), "name"),
            ("name", json!({ "name": "x".repeat(26) }), "name"),
            ("status", json!({ "status": "x".repeat(140) }), "status"),
        ] {
            let (status, answer) = server
                .put(
                    &format!("/api/v1/instances/sales/profile/{path}"),
                    &key,
                    body.clone(),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(fields(&answer), [field]);
        }
        let (status, _) = server
            .put(
                "/api/v1/instances/sales/profile/name",
                &key,
                json!({ "nickname": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, body) = server.get("/api/v1/instances/sales/profile", &key).await;
        assert_eq!(body["data"]["about"], Value::Null);
        assert_eq!(body["data"]["pushName"], "Sandbox 1111", "{body}");

        let (status, body) = server
            .get("/api/v1/instances/sales/contacts/hello", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["phone"]);

        server.instance(&key, "idle").await;
        let (status, _) = server.get("/api/v1/instances/idle/profile", &key).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .get("/api/v1/instances/sales/profile", &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn privacy_settings_are_read_and_changed_with_whatsapps_values() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let path = "/api/v1/instances/sales/profile/privacy";
        let (status, body) = server.get(path, &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({ "lastSeen": "contacts", "online": "all", "profilePicture": "contacts", "about": "contacts", "groupAdd": "all", "readReceipts": "all", "callAdd": "all", "messages": "all" })
        );
        let (status, body) = server
            .put(path, &key, json!({ "lastSeen": "none", "readReceipts": "none", "online": "match_last_seen" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["lastSeen"], "none");
        assert_eq!(body["data"]["readReceipts"], "none");
        assert_eq!(body["data"]["online"], "match_last_seen");
        assert_eq!(body["data"]["profilePicture"], "contacts", "left out, left as it was");

        // A value the setting does not take refuses the whole change.
        let (status, body) = server
            .put(path, &key, json!({ "lastSeen": "all", "readReceipts": "contacts" }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["readReceipts"]);
        for bad in [json!({}), json!({ "lastSeen": "everyone" }), json!({ "typing": "all" })] {
            let (status, body) = server.put(path, &key, bad.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        }
        let (_, body) = server.get(path, &key).await;
        assert_eq!(body["data"]["lastSeen"], "none", "nothing of a refused change applied");

        let stranger = server.account("Other Co").await;
        let (status, _) = server.get(path, &stranger).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
