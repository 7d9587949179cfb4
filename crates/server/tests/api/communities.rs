//! Communities over HTTP on the sandbox: created with their announcement group, listed for
//! their members, groups linked and unlinked with a result each under WhatsApp's rules, and
//! the refusals.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn group(
    server: &TestServer,
    key: &str,
    instance: &str,
    subject: &str,
    with: &str,
) -> String {
    let (status, body) = server
        .post(
            &format!("/api/v1/instances/{instance}/groups"),
            key,
            json!({ "subject": subject, "participants": [with] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"]["jid"].as_str().unwrap().to_owned()
}

fn outcomes(body: &Value) -> Vec<(String, Value)> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("results: {body}"))
        .iter()
        .map(|r| (r["status"].as_str().unwrap().to_owned(), r["code"].clone()))
        .collect()
}

#[tokio::test]
async fn communities_hold_linked_groups_under_whatsapps_rules() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for (name, phone) in [("owner", "15550001111"), ("other", "15550002222")] {
            server.instance(&key, name).await;
            server.link(&key, name, phone).await;
        }
        let (status, body) = server
            .post(
                "/api/v1/instances/owner/communities",
                &key,
                json!({ "subject": "Acme customers", "description": "News and help" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["data"]["subject"], "Acme customers");
        assert_eq!(body["data"]["description"], "News and help");
        let community = body["data"]["jid"].as_str().unwrap().to_owned();
        let (_, list) = server
            .get("/api/v1/instances/owner/communities", &key)
            .await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list["data"][0]["jid"], community.as_str());
        let (_, list) = server
            .get("/api/v1/instances/other/communities", &key)
            .await;
        assert_eq!(list["data"], json!([]), "not a member");

        let groups_of = format!("/api/v1/instances/owner/communities/{community}/groups");
        let (status, groups) = server.get(&groups_of, &key).await;
        assert_eq!(status, StatusCode::OK, "{groups}");
        assert_eq!(groups["data"].as_array().unwrap().len(), 1, "{groups}");
        assert_eq!(groups["data"][0]["announcement"], true);
        let announcements = groups["data"][0]["jid"].as_str().unwrap().to_owned();

        // The owner administers `mine`; in `theirs` it is a plain member.
        let mine = group(&server, &key, "owner", "Support", "15550002222").await;
        let theirs = group(&server, &key, "other", "Other's", "15550001111").await;
        let (status, body) = server
            .post(
                &format!("{groups_of}/link"),
                &key,
                json!({ "groups": [mine, theirs, "120363999999999999@g.us"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            outcomes(&body),
            [
                ("done".to_owned(), Value::Null),
                ("refused".to_owned(), json!(403)),
                ("refused".to_owned(), json!(404))
            ]
        );
        assert_eq!(body["data"][0]["group"], mine.as_str());
        let (_, body) = server
            .post(
                &format!("{groups_of}/link"),
                &key,
                json!({ "groups": [mine] }),
            )
            .await;
        assert_eq!(
            outcomes(&body),
            [("refused".to_owned(), json!(409))],
            "linked already"
        );
        let (_, groups) = server.get(&groups_of, &key).await;
        let linked: Vec<&str> = groups["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["jid"].as_str().unwrap())
            .collect();
        assert_eq!(linked, [announcements.as_str(), mine.as_str()]);
        // The community is not a chat: the group list shows its groups, not it.
        let (_, list) = server.get("/api/v1/instances/owner/groups", &key).await;
        let listed: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["jid"].as_str().unwrap())
            .collect();
        assert!(!listed.contains(&community.as_str()), "{list}");
        assert!(
            listed.contains(&mine.as_str()) && listed.contains(&announcements.as_str()),
            "{list}"
        );

        // Only the community's members see it, only its admins link.
        let (status, _) = server
            .get(
                &format!("/api/v1/instances/other/communities/{community}/groups"),
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server
            .post(
                &format!("/api/v1/instances/other/communities/{community}/groups/link"),
                &key,
                json!({ "groups": [theirs] }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, body) = server
            .post(
                &format!("{groups_of}/unlink"),
                &key,
                json!({ "groups": [mine, announcements] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            outcomes(&body),
            [
                ("done".to_owned(), Value::Null),
                ("refused".to_owned(), json!(404))
            ]
        );
        let (_, groups) = server.get(&groups_of, &key).await;
        assert_eq!(
            groups["data"].as_array().unwrap().len(),
            1,
            "only the announcement group: {groups}"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_community_requests_are_refused() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/communities",
                &key,
                json!({ "subject": " " }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["subject"]);
        let (_, body) = server
            .post(
                "/api/v1/instances/sales/communities",
                &key,
                json!({ "subject": "Acme" }),
            )
            .await;
        let community = body["data"]["jid"].as_str().unwrap().to_owned();
        for groups in [json!([]), json!(["15550002222@s.whatsapp.net"])] {
            let (status, body) = server
                .post(
                    &format!("/api/v1/instances/sales/communities/{community}/groups/link"),
                    &key,
                    json!({ "groups": groups }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["groups"]);
        }
        let (status, _) = server
            .get(
                "/api/v1/instances/sales/communities/120363999999999999@g.us/groups",
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .get("/api/v1/instances/sales/communities", &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.instance(&key, "idle").await;
        let (status, _) = server.get("/api/v1/instances/idle/communities", &key).await;
        assert_eq!(status, StatusCode::CONFLICT);
    })
    .await;
}
