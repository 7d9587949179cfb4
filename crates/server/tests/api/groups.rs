//! Groups over HTTP on the sandbox: create, read, change, members, invite links, join and
//! leave, with WhatsApp's rules (members only, admins only) and the events every member's
//! instance receives, whoever made the change.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Two sandbox numbers of one account: `owner` (15550001111) and `other` (15550002222).
async fn two_numbers(server: &TestServer) -> String {
    let key = server.account("Acme").await;
    server.instance(&key, "owner").await;
    server.link(&key, "owner", "15550001111").await;
    server.instance(&key, "other").await;
    server.link(&key, "other", "15550002222").await;
    key
}

async fn create(server: &TestServer, key: &str, participants: Value) -> Value {
    let (status, body) = server
        .post(
            "/api/v1/instances/owner/groups",
            key,
            json!({ "subject": "Launch team", "participants": participants, "description": "All about the launch" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"].clone()
}

fn role_of<'a>(group: &'a Value, phone: &str) -> Option<&'a str> {
    group["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phone"] == phone)
        .map(|p| p["role"].as_str().unwrap())
}

/// The group events an instance received, as `(event, change or action)`, once there are
/// `count` of them (events are recorded as the engine reports them, a moment after the call).
async fn group_events(
    server: &TestServer,
    key: &str,
    instance: &str,
    count: usize,
) -> Vec<(String, String)> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let events: Vec<(String, String)> = server
            .events(key)
            .await
            .into_iter()
            .filter(|e| {
                e["instance"] == instance && e["event"].as_str().unwrap().starts_with("group.")
            })
            .map(|e| {
                let what = e["data"]["change"]
                    .as_str()
                    .or(e["data"]["action"].as_str())
                    .unwrap()
                    .to_owned();
                (e["event"].as_str().unwrap().to_owned(), what)
            })
            .collect();
        if events.len() >= count || tokio::time::Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_group_is_created_read_and_listed_with_its_members_and_admins() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let group = create(&server, &key, json!(["15550002222", "+1 555 000 0000"])).await;
        let jid = group["jid"].as_str().unwrap().to_owned();
        assert!(jid.ends_with("@g.us"), "{group}");
        assert_eq!(group["subject"], "Launch team");
        assert_eq!(group["description"], "All about the launch");
        assert_eq!(group["owner"], "15550001111@s.whatsapp.net");
        // The number without WhatsApp was left out.
        assert_eq!(group["size"], 2, "{group}");
        assert_eq!(role_of(&group, "15550001111"), Some("super_admin"));
        assert_eq!(role_of(&group, "15550002222"), Some("member"));
        assert_eq!(
            group["settings"],
            json!({ "announce": false, "locked": false, "approval": false, "ephemeral": 0 })
        );

        let (status, body) = server
            .get(&format!("/api/v1/instances/owner/groups/{jid}"), &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], group);
        // By its digits alone, too.
        let digits = jid.trim_end_matches("@g.us");
        let (status, _) = server
            .get(&format!("/api/v1/instances/other/groups/{digits}"), &key)
            .await;
        assert_eq!(status, StatusCode::OK);

        for instance in ["owner", "other"] {
            let (status, body) = server
                .get(&format!("/api/v1/instances/{instance}/groups"), &key)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(
                body["data"].as_array().unwrap().len(),
                1,
                "{instance}: {body}"
            );
            assert_eq!(body["data"][0]["jid"], jid.as_str());
        }
        // Both members' instances heard of the new group.
        for instance in ["owner", "other"] {
            server
                .wait_for_event(&key, "group.updated", |e| {
                    e["instance"] == instance
                        && e["data"]["change"] == "created"
                        && e["data"]["groupJid"] == jid.as_str()
                })
                .await;
        }
    })
    .await;
}

#[tokio::test]
async fn subject_description_and_settings_change_and_only_admins_may_once_locked() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key, json!(["15550002222"])).await["jid"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = |instance: &str, what: &str| {
            format!("/api/v1/instances/{instance}/groups/{jid}/{what}")
        };

        // Any member may rename an unlocked group.
        let (status, body) = server
            .put(
                &path("other", "subject"),
                &key,
                json!({ "subject": "Launch (Q3)" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["subject"], "Launch (Q3)");
        let (status, body) = server
            .put(
                &path("owner", "description"),
                &key,
                json!({ "description": null }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["description"], Value::Null);

        // Settings are for admins.
        let (status, body) = server
            .put(&path("other", "settings"), &key, json!({ "locked": true }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "FORBIDDEN");
        let (status, body) = server
            .put(
                &path("owner", "settings"),
                &key,
                json!({ "locked": true, "announce": true, "ephemeral": 604800 }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"]["settings"],
            json!({ "announce": true, "locked": true, "approval": false, "ephemeral": 604800 })
        );

        // Locked: a member can no longer rename it; the admin can.
        let (status, body) = server
            .put(
                &path("other", "subject"),
                &key,
                json!({ "subject": "Mine now" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = server
            .put(
                &path("owner", "subject"),
                &key,
                json!({ "subject": "Launch" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        // Bad input is refused with the field named.
        for (what, body, field) in [
            ("subject", json!({ "subject": "" }), "subject"),
            ("subject", json!({ "subject": "x".repeat(101) }), "subject"),
            ("settings", json!({}), "settings"),
            ("settings", json!({ "ephemeral": 60 }), "ephemeral"),
        ] {
            let (status, answer) = server.put(&path("owner", what), &key, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(fields(&answer), [field], "{answer}");
        }
        let (status, answer) = server
            .put(
                &path("owner", "settings"),
                &key,
                json!({ "colour": "blue" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

        // Every change reached both members' instances, in order, the other member's too.
        let expected = [
            ("group.updated", "created"),
            ("group.updated", "subject"),
            ("group.updated", "description"),
            ("group.updated", "settings"),
            ("group.updated", "subject"),
        ];
        for instance in ["owner", "other"] {
            let events = group_events(&server, &key, instance, expected.len()).await;
            let events: Vec<(&str, &str)> = events
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            assert_eq!(events, expected, "{instance}");
        }
        let settings = server
            .wait_for_event(&key, "group.updated", |e| {
                e["instance"] == "other" && e["data"]["change"] == "settings"
            })
            .await;
        assert_eq!(
            settings["data"]["settings"],
            json!({ "announce": true, "locked": true, "ephemeral": 604800 })
        );
        assert_eq!(settings["data"]["by"]["phone"], "15550001111");
    })
    .await;
}

#[tokio::test]
async fn members_are_added_promoted_demoted_and_removed_with_a_result_each() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key, json!([])).await["jid"]
            .as_str()
            .unwrap()
            .to_owned();
        let participants = |instance: &str, action: &str| {
            format!("/api/v1/instances/{instance}/groups/{jid}/participants/{action}")
        };
        let statuses = |body: &Value| -> Vec<(String, String)> {
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["phone"].as_str().unwrap().to_owned(),
                        r["status"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };

        let (status, body) = server
            .post(
                &participants("owner", "add"),
                &key,
                json!({ "participants": ["15550002222", "15550000000", "15550003333"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            statuses(&body),
            [
                ("15550002222".to_owned(), "done".to_owned()),
                ("15550000000".to_owned(), "not_on_whatsapp".to_owned()),
                ("15550003333".to_owned(), "done".to_owned()),
            ]
        );
        let (_, body) = server
            .post(
                &participants("owner", "add"),
                &key,
                json!({ "participants": ["15550002222"] }),
            )
            .await;
        assert_eq!(
            statuses(&body),
            [("15550002222".to_owned(), "already_member".to_owned())]
        );

        // A member is not an admin.
        let (status, body) = server
            .post(
                &participants("other", "remove"),
                &key,
                json!({ "participants": ["15550003333"] }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

        let (_, body) = server
            .post(
                &participants("owner", "promote"),
                &key,
                json!({ "participants": ["15550002222"] }),
            )
            .await;
        assert_eq!(
            statuses(&body),
            [("15550002222".to_owned(), "done".to_owned())]
        );
        let (_, group) = server
            .get(&format!("/api/v1/instances/owner/groups/{jid}"), &key)
            .await;
        assert_eq!(role_of(&group["data"], "15550002222"), Some("admin"));

        // Now an admin, the other number may remove; it may not demote the owner.
        let (status, body) = server
            .post(
                &participants("other", "remove"),
                &key,
                json!({ "participants": ["15550003333", "15550004444"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            statuses(&body),
            [
                ("15550003333".to_owned(), "done".to_owned()),
                ("15550004444".to_owned(), "not_member".to_owned())
            ]
        );
        let (_, body) = server
            .post(
                &participants("other", "demote"),
                &key,
                json!({ "participants": ["15550001111"] }),
            )
            .await;
        assert_eq!(body["data"][0]["status"], "refused", "{body}");
        assert_eq!(body["data"][0]["code"], 403);

        let (_, body) = server
            .post(
                &participants("owner", "demote"),
                &key,
                json!({ "participants": ["15550002222"] }),
            )
            .await;
        assert_eq!(
            statuses(&body),
            [("15550002222".to_owned(), "done".to_owned())]
        );

        // Bad requests.
        let (status, _) = server
            .post(
                &participants("owner", "kick"),
                &key,
                json!({ "participants": ["15550002222"] }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .post(
                &participants("owner", "add"),
                &key,
                json!({ "participants": [] }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["participants"]);
        let (status, body) = server
            .post(
                &participants("owner", "add"),
                &key,
                json!({ "participants": ["15550002222", "hello"] }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["participants[1]"]);

        // The other member's instance saw every change, including the one it made.
        // created is not theirs: they were added after; then add, promote, remove, demote.
        let events = group_events(&server, &key, "other", 4).await;
        let actions: Vec<&str> = events
            .iter()
            .filter(|(event, _)| event == "group.participants_updated")
            .map(|(_, action)| action.as_str())
            .collect();
        assert_eq!(actions, ["add", "promote", "remove", "demote"]);
        let removed = server
            .wait_for_event(&key, "group.participants_updated", |e| {
                e["instance"] == "owner" && e["data"]["action"] == "remove"
            })
            .await;
        assert_eq!(
            removed["data"]["participants"],
            json!([{ "jid": "15550003333@s.whatsapp.net", "phone": "15550003333" }])
        );
        assert_eq!(removed["data"]["by"]["phone"], "15550002222");
    })
    .await;
}

#[tokio::test]
async fn invite_links_join_and_leave() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key, json!([])).await["jid"]
            .as_str()
            .unwrap()
            .to_owned();
        let group_path = |instance: &str, what: &str| {
            format!("/api/v1/instances/{instance}/groups/{jid}/{what}")
        };

        let (status, body) = server.get(&group_path("owner", "invite-link"), &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["data"]["code"].as_str().unwrap().to_owned();
        assert_eq!(
            body["data"]["link"],
            format!("https://chat.whatsapp.com/{code}")
        );
        let (_, again) = server.get(&group_path("owner", "invite-link"), &key).await;
        assert_eq!(
            again["data"]["code"],
            code.as_str(),
            "the link stays until revoked"
        );

        // The other number is not in the group: it cannot see it or its link.
        let (status, body) = server
            .get(&format!("/api/v1/instances/other/groups/{jid}"), &key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["code"], "NOT_FOUND");
        let (status, _) = server.get(&group_path("other", "invite-link"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // A revoked link no longer works; the new one does, as a link or a code.
        let (status, body) = server
            .post(&group_path("owner", "invite-link/revoke"), &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let fresh = body["data"]["link"].as_str().unwrap().to_owned();
        assert_ne!(body["data"]["code"], code.as_str());
        let (status, body) = server
            .post(
                "/api/v1/instances/other/groups/join",
                &key,
                json!({ "invite": code }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = server
            .post(
                "/api/v1/instances/other/groups/join",
                &key,
                json!({ "invite": fresh }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["jid"], jid.as_str());
        assert_eq!(role_of(&body["data"], "15550002222"), Some("member"));
        let (status, body) = server
            .post(
                "/api/v1/instances/other/groups/join",
                &key,
                json!({ "invite": "not a code!" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["invite"]);

        // Leaving: the group is gone from the number's list; the owner hears of it.
        let (status, body) = server
            .post(&group_path("other", "leave"), &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!({ "jid": jid, "left": true }));
        let (_, body) = server.get("/api/v1/instances/other/groups", &key).await;
        assert_eq!(body["data"], json!([]));
        let left = server
            .wait_for_event(&key, "group.participants_updated", |e| {
                e["instance"] == "owner" && e["data"]["action"] == "remove"
            })
            .await;
        assert_eq!(left["data"]["by"]["phone"], "15550002222");
        let (status, _) = server
            .post(&group_path("other", "leave"), &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn groups_are_the_callers_own_and_need_an_open_number() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key, json!([])).await["jid"]
            .as_str()
            .unwrap()
            .to_owned();

        // Another account cannot reach the instance at all.
        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .get("/api/v1/instances/owner/groups", &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server
            .get(&format!("/api/v1/instances/owner/groups/{jid}"), &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // An instance key reaches only its own instance.
        let (_, third_key) = server.instance(&key, "third").await;
        let (status, _) = server
            .get("/api/v1/instances/owner/groups", &third_key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Not a group address.
        let (status, body) = server
            .get(
                "/api/v1/instances/owner/groups/15550002222@s.whatsapp.net",
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // A number that is not open.
        server.instance(&key, "idle").await;
        let (status, body) = server.get("/api/v1/instances/idle/groups", &key).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");
    })
    .await;
}

#[tokio::test]
async fn an_invite_is_previewed_and_a_group_that_needs_approval_takes_requests() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key, json!([])).await["jid"]
            .as_str()
            .unwrap()
            .to_owned();
        let group_path = |instance: &str, what: &str| {
            format!("/api/v1/instances/{instance}/groups/{jid}/{what}")
        };
        let (_, body) = server.get(&group_path("owner", "invite-link"), &key).await;
        let code = body["data"]["code"].as_str().unwrap().to_owned();

        // Anyone with the code sees what it leads to, without joining.
        let (status, body) = server
            .get(
                &format!("/api/v1/instances/other/groups/invite/{code}"),
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["jid"], jid.as_str());
        assert_eq!(body["data"]["subject"], "Launch team");
        let (status, _) = server
            .get("/api/v1/instances/other/groups/invite/NoSuchCode123", &key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // With approval on, joining sends a request; the admin sees and approves it.
        server
            .put(
                &group_path("owner", "settings"),
                &key,
                json!({ "approval": true }),
            )
            .await;
        let (status, body) = server
            .post(
                "/api/v1/instances/other/groups/join",
                &key,
                json!({ "invite": code }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"], json!({ "jid": jid, "pendingApproval": true }));
        let (status, body) = server.get(&group_path("owner", "requests"), &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"][0]["phone"], "15550002222", "{body}");
        assert!(body["data"][0]["requestedAt"].is_string());
        let (status, _) = server.get(&group_path("other", "requests"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "not a member yet");

        let (status, body) = server
            .post(
                &group_path("owner", "requests/approve"),
                &key,
                json!({ "participants": ["15550002222", "15550003333"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let statuses: Vec<&str> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["done", "not_member"]);
        let (_, body) = server.get(&group_path("owner", "requests"), &key).await;
        assert_eq!(body["data"], json!([]));
        let (_, group) = server
            .get(&format!("/api/v1/instances/other/groups/{jid}"), &key)
            .await;
        assert_eq!(role_of(&group["data"], "15550002222"), Some("member"));
        server
            .wait_for_event(&key, "group.participants_updated", |e| {
                e["instance"] == "other" && e["data"]["action"] == "add"
            })
            .await;

        // A member cannot answer requests; an unknown action is not found.
        let (status, _) = server
            .post(
                &group_path("other", "requests/reject"),
                &key,
                json!({ "participants": ["15550003333"] }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = server
            .post(
                &group_path("owner", "requests/maybe"),
                &key,
                json!({ "participants": ["15550003333"] }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
