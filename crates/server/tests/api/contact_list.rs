//! The contact list over HTTP on the sandbox: names saved through the API (and on WhatsApp),
//! names people show learned from their messages, search and paging, and refusals.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn saved_names_and_shown_names_make_the_contact_list() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        for (from, push_name, text) in [
            ("15550002222", "Annie", "Hi"),
            ("15550002222", "Annie", "Still there?"),
            ("15550003333", "bob", "Hello"),
        ] {
            server
                .inbound(
                    &key,
                    "sales",
                    json!({ "from": from, "pushName": push_name, "text": text }),
                )
                .await;
            server
                .wait_for_event(&key, "message.received", |e| e["data"]["body"] == text)
                .await;
        }
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/contacts",
                &key,
                json!({ "contacts": [
                    { "phone": "+1 555 000 2222", "name": "Ann Smith" },
                    { "phone": "15550004444", "name": "Carla" },
                ] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"][0]["phone"], "15550002222", "{body}");
        assert_eq!(body["data"][0]["name"], "Ann Smith");
        assert_eq!(body["data"][0]["pushName"], "Annie");
        assert_eq!(body["data"][1]["jid"], "15550004444@s.whatsapp.net");

        let saved_on_whatsapp: Vec<String> = server
            .sandbox_activity(&key, "sales")
            .await
            .into_iter()
            .filter(|entry| entry["kind"] == "save_contact")
            .map(|entry| entry["chat"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            saved_on_whatsapp,
            ["15550002222@s.whatsapp.net", "15550004444@s.whatsapp.net"]
        );

        let (status, list) = server.get("/api/v1/instances/sales/contacts", &key).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["pagination"]["total"], 3, "{list}");
        let names: Vec<(&str, Option<&str>, Option<&str>)> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["phone"].as_str().unwrap(),
                    c["name"].as_str(),
                    c["pushName"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("15550002222", Some("Ann Smith"), Some("Annie")),
                ("15550003333", None, Some("bob")),
                ("15550004444", Some("Carla"), None),
            ]
        );
        let (_, found) = server
            .get("/api/v1/instances/sales/contacts?search=SMITH", &key)
            .await;
        assert_eq!(found["pagination"]["total"], 1, "{found}");
        let (_, page) = server
            .get("/api/v1/instances/sales/contacts?limit=1&page=3", &key)
            .await;
        assert_eq!(page["data"][0]["name"], "Carla", "{page}");

        // A new shown name replaces the old; the saved name stays.
        server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "pushName": "Ann S.", "text": "New name" }),
            )
            .await;
        server
            .wait_for_event(&key, "message.received", |e| {
                e["data"]["body"] == "New name"
            })
            .await;
        let (_, found) = server
            .get("/api/v1/instances/sales/contacts?search=2222", &key)
            .await;
        assert_eq!(found["data"][0]["pushName"], "Ann S.", "{found}");
        assert_eq!(found["data"][0]["name"], "Ann Smith");

        // The contact's profile carries both names.
        let (status, profile) = server
            .get("/api/v1/instances/sales/contacts/15550002222", &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{profile}");
        assert_eq!(
            (
                profile["data"]["name"].clone(),
                profile["data"]["pushName"].clone()
            ),
            (json!("Ann Smith"), json!("Ann S."))
        );
    })
    .await;
}

#[tokio::test]
async fn bad_contacts_are_refused_with_their_place_and_lists_are_the_callers_own() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/contacts",
                &key,
                json!({ "contacts": [{ "phone": "15550002222", "name": "Ann" }, { "phone": "hello", "name": "" }] }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["contacts[1].phone", "contacts[1].name"]);
        let (status, body) = server
            .put("/api/v1/instances/sales/contacts", &key, json!({ "contacts": [] }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (_, list) = server.get("/api/v1/instances/sales/contacts", &key).await;
        assert_eq!(list["pagination"]["total"], 0, "nothing of a refused request is saved: {list}");
        let (status, body) = server.get("/api/v1/instances/sales/contacts?limit=501", &key).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["limit"]);

        let stranger = server.account("Other Co").await;
        let (status, _) = server.get("/api/v1/instances/sales/contacts", &stranger).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server
            .put("/api/v1/instances/sales/contacts", &stranger, json!({ "contacts": [{ "phone": "15550002222", "name": "Ann" }] }))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.instance(&key, "idle").await;
        let (status, _) = server
            .put("/api/v1/instances/idle/contacts", &key, json!({ "contacts": [{ "phone": "15550002222", "name": "Ann" }] }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    })
    .await;
}
