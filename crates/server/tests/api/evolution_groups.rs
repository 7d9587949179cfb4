//! Evolution API's `/group/*` routes on the sandbox: Evolution's group metadata, `groupJid`
//! from the body or the query (with or without `@g.us`), the effect seen through the native
//! API and by the other member's number, and the refusals in Evolution's error shape.

use crate::evolution_chat::{evo, evo_error, evo_post};
use crate::files;
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Two sandbox numbers of one account: `owner` (15550001111) and `other` (15550002222);
/// answers the account key.
async fn two_numbers(server: &TestServer) -> String {
    let key = server.account("Acme").await;
    server.instance(&key, "owner").await;
    server.link(&key, "owner", "15550001111").await;
    server.instance(&key, "other").await;
    server.link(&key, "other", "15550002222").await;
    key
}

/// `owner` creates "Launch team" with `other` in it; answers Evolution's metadata.
async fn create(server: &TestServer, key: &str) -> Value {
    let (status, body) = evo_post(
        server,
        "/group/create/owner",
        key,
        json!({ "subject": "Launch team", "participants": ["15550002222"], "description": "All about the launch" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn native_group(server: &TestServer, key: &str, instance: &str, jid: &str) -> Value {
    let (status, body) = server
        .get(&format!("/api/v1/instances/{instance}/groups/{jid}"), key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].clone()
}

fn role<'a>(group: &'a Value, phone: &str) -> Option<&'a str> {
    group["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phone"] == phone)
        .map(|p| p["role"].as_str().unwrap())
}

#[tokio::test]
async fn a_group_is_created_and_read_as_evolutions_metadata() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let group = create(&server, &key).await;
        let jid = group["id"].as_str().unwrap().to_owned();
        assert!(jid.ends_with("@g.us"), "{group}");
        assert_eq!(group["subject"], "Launch team");
        assert_eq!(group["desc"], "All about the launch");
        assert_eq!(group["owner"], "15550001111@s.whatsapp.net");
        assert_eq!(group["size"], 2);
        assert!(group["creation"].is_i64(), "{group}");
        assert_eq!(group["restrict"], false);
        assert_eq!(group["announce"], false);
        assert!(group["subjectOwner"].is_null() && group["descId"].is_null());
        let mut participants = group["participants"].as_array().unwrap().clone();
        participants.sort_by_key(|p| p["id"].as_str().unwrap().to_owned());
        assert_eq!(
            participants,
            [
                json!({ "id": "15550001111@s.whatsapp.net", "admin": "superadmin" }),
                json!({ "id": "15550002222@s.whatsapp.net", "admin": null }),
            ]
        );

        // By the query, with or without the server; the other member sees it too.
        let digits = jid.trim_end_matches("@g.us");
        for (instance, asked) in [("owner", jid.as_str()), ("other", digits)] {
            let (status, body) = evo(
                &server,
                Method::GET,
                &format!("/group/findGroupInfos/{instance}?groupJid={asked}"),
                Some(&key),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["id"], jid.as_str());
            assert_eq!(body["pictureUrl"], Value::Null);
            assert_eq!(body["participants"].as_array().unwrap().len(), 2);
        }

        let (status, body) = evo(
            &server,
            Method::GET,
            "/group/fetchAllGroups/other?getParticipants=false",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body.as_array().unwrap().len(), 1);
        assert_eq!(body[0]["id"], jid.as_str());
        assert!(body[0].get("participants").is_none(), "{body}");
        let (_, body) = evo(
            &server,
            Method::GET,
            "/group/fetchAllGroups/other?getParticipants=true",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(body[0]["participants"].as_array().unwrap().len(), 2);
        let (status, body) = evo(
            &server,
            Method::GET,
            "/group/fetchAllGroups/other",
            Some(&key),
            None,
        )
        .await;
        let messages = evo_error(status, &body, StatusCode::BAD_REQUEST);
        assert_eq!(
            messages,
            ["The getParticipants needs to be informed in the query"]
        );

        let (status, body) = evo(
            &server,
            Method::GET,
            &format!("/group/participants/owner?groupJid={jid}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let names: Vec<&str> = body["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"15550002222@s.whatsapp.net"), "{body}");

        // Participants that are not phone numbers, and a missing subject, are refused.
        for body in [
            json!({ "subject": "x", "participants": ["not a number"] }),
            json!({ "participants": ["15550002222"] }),
            json!({ "subject": "x" }),
        ] {
            let (status, answer) = evo_post(&server, "/group/create/owner", &key, body).await;
            evo_error(status, &answer, StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

#[tokio::test]
async fn subject_description_picture_settings_and_disappearing_messages_change() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key).await["id"].as_str().unwrap().to_owned();
        let digits = jid.trim_end_matches("@g.us").to_owned();

        let (status, body) = evo_post(&server, "/group/updateGroupSubject/owner", &key, json!({ "groupJid": digits, "subject": "Launch (Q3)" })).await;
        assert_eq!((status, body), (StatusCode::CREATED, json!({ "update": "success" })));
        let (status, _) = evo_post(&server, &format!("/group/updateGroupDescription/owner?groupJid={jid}"), &key, json!({ "description": "Launch on the 1st" })).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = evo_post(&server, "/group/updateSetting/owner", &key, json!({ "groupJid": jid, "action": "announcement" })).await;
        assert_eq!((status, body), (StatusCode::CREATED, json!({ "updateSetting": true })));
        let (status, _) = evo_post(&server, "/group/updateSetting/owner", &key, json!({ "groupJid": jid, "action": "locked" })).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = evo_post(&server, "/group/toggleEphemeral/owner", &key, json!({ "groupJid": jid, "expiration": 604800 })).await;
        assert_eq!((status, body), (StatusCode::CREATED, json!({ "success": true })));
        let png = files::png(32);
        let (status, body) = evo_post(
            &server,
            "/group/updateGroupPicture/owner",
            &key,
            json!({ "groupJid": jid, "image": base64::engine::general_purpose::STANDARD.encode(&png) }),
        )
        .await;
        assert_eq!((status, body), (StatusCode::CREATED, json!({ "update": "success" })));

        let seen = native_group(&server, &key, "other", &jid).await;
        assert_eq!(seen["subject"], "Launch (Q3)");
        assert_eq!(seen["description"], "Launch on the 1st");
        assert_eq!(
            seen["settings"],
            json!({ "announce": true, "locked": true, "approval": false, "ephemeral": 604800 })
        );
        let (_, picture) = server.get(&format!("/api/v1/instances/other/groups/{jid}/picture"), &key).await;
        assert!(picture["data"]["url"].is_string(), "{picture}");
        let (_, infos) = evo(&server, Method::GET, &format!("/group/findGroupInfos/other?groupJid={jid}"), Some(&key), None).await;
        assert_eq!(infos["pictureUrl"], picture["data"]["url"]);
        assert_eq!(infos["restrict"], true);
        assert_eq!(infos["announce"], true);
        assert_eq!(infos["ephemeralDuration"], 604800);

        // Locked: the member may no longer rename it; settings are the admin's.
        let (status, body) = evo_post(&server, "/group/updateGroupSubject/other", &key, json!({ "groupJid": jid, "subject": "Mine" })).await;
        evo_error(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = evo_post(&server, "/group/updateSetting/other", &key, json!({ "groupJid": jid, "action": "unlocked" })).await;
        evo_error(status, &body, StatusCode::FORBIDDEN);

        // Bad input, in Evolution's shape.
        let (status, body) = evo_post(&server, "/group/updateGroupSubject/owner", &key, json!({ "subject": "No group" })).await;
        let messages = evo_error(status, &body, StatusCode::BAD_REQUEST);
        assert_eq!(messages[0], "The group id needs to be informed in the query");
        for (path, body) in [
            ("/group/updateSetting/owner", json!({ "groupJid": jid, "action": "silence" })),
            ("/group/toggleEphemeral/owner", json!({ "groupJid": jid, "expiration": 60 })),
            ("/group/toggleEphemeral/owner", json!({ "groupJid": jid })),
            ("/group/updateGroupSubject/owner", json!({ "groupJid": jid, "subject": "" })),
            ("/group/updateGroupPicture/owner", json!({ "groupJid": jid, "image": "bm90IGFuIGltYWdl" })),
        ] {
            let (status, answer) = evo_post(&server, path, &key, body.clone()).await;
            assert!(status.is_client_error(), "{path} {body}: {status} {answer}");
            assert_eq!(answer["status"], status.as_u16(), "{answer}");
        }
        assert_eq!(native_group(&server, &key, "owner", &jid).await["subject"], "Launch (Q3)");
    })
    .await;
}

#[tokio::test]
async fn participants_are_added_promoted_demoted_and_removed() {
    on_each_backend(|server| async move {
        let key = two_numbers(&server).await;
        let jid = create(&server, &key).await["id"].as_str().unwrap().to_owned();
        let update = |action: &str, participants: Value| {
            let server = &server;
            let key = key.clone();
            let body = json!({ "groupJid": jid, "action": action, "participants": participants });
            async move {
                let (status, body) = evo_post(server, "/group/updateParticipant/owner", &key, body).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                body["updateParticipants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| (r["jid"].as_str().unwrap().to_owned(), r["status"].as_str().unwrap().to_owned()))
                    .collect::<Vec<_>>()
            }
        };
        let ann = "15550003333@s.whatsapp.net".to_owned();
        assert_eq!(update("add", json!(["15550003333", "15550000000"])).await, [
            (ann.clone(), "200".to_owned()),
            ("15550000000@s.whatsapp.net".to_owned(), "400".to_owned()),
        ]);
        assert_eq!(role(&native_group(&server, &key, "owner", &jid).await, "15550003333"), Some("member"));
        assert_eq!(update("add", json!(["15550003333"])).await, [(ann.clone(), "409".to_owned())]);
        update("promote", json!(["15550003333"])).await;
        assert_eq!(role(&native_group(&server, &key, "other", &jid).await, "15550003333"), Some("admin"));
        update("demote", json!(["15550003333"])).await;
        assert_eq!(role(&native_group(&server, &key, "owner", &jid).await, "15550003333"), Some("member"));
        assert_eq!(update("remove", json!(["15550003333"])).await, [(ann.clone(), "200".to_owned())]);
        assert_eq!(role(&native_group(&server, &key, "owner", &jid).await, "15550003333"), None);

        let (status, body) = evo_post(&server, "/group/updateParticipant/other", &key, json!({ "groupJid": jid, "action": "add", "participants": ["15550004444"] })).await;
        evo_error(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = evo_post(&server, "/group/updateParticipant/owner", &key, json!({ "groupJid": jid, "action": "kick", "participants": ["15550003333"] })).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
        let (status, body) = evo_post(&server, "/group/updateParticipant/owner", &key, json!({ "groupJid": jid, "action": "add" })).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);

        // Created with its participants made admins at once.
        let (status, body) = evo_post(
            &server,
            "/group/create/owner",
            &key,
            json!({ "subject": "Admins", "participants": ["15550002222"], "promoteParticipants": true }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let member = body["participants"].as_array().unwrap().iter().find(|p| p["id"] == "15550002222@s.whatsapp.net").unwrap().clone();
        assert_eq!(member["admin"], "admin", "{body}");
    })
    .await;
}

#[tokio::test]
async fn invites_are_read_revoked_sent_and_accepted() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        server.instance(&key, "owner").await;
        server.link(&key, "owner", "15550001111").await;
        server.instance(&key, "other").await;
        server.link(&key, "other", "15550002222").await;
        let (status, body) = evo_post(
            &server,
            "/group/create/owner",
            &key,
            json!({ "subject": "Launch team", "participants": ["15550003333"] }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let jid = body["id"].as_str().unwrap().to_owned();

        let (status, body) = evo(
            &server,
            Method::GET,
            &format!("/group/inviteCode/owner?groupJid={jid}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["inviteCode"].as_str().unwrap().to_owned();
        assert_eq!(
            body["inviteUrl"],
            format!("https://chat.whatsapp.com/{code}")
        );
        let (status, body) = evo_post(
            &server,
            &format!("/group/revokeInviteCode/owner?groupJid={jid}"),
            &key,
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["revoked"], true);
        let fresh = body["inviteCode"].as_str().unwrap().to_owned();
        assert_ne!(fresh, code);

        // What the code leads to, then joining by it.
        let (status, body) = evo(
            &server,
            Method::GET,
            &format!("/group/inviteInfo/other?inviteCode={fresh}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["id"], jid.as_str());
        assert_eq!(body["subject"], "Launch team");
        let (status, body) = evo(
            &server,
            Method::GET,
            &format!("/group/acceptInviteCode/other?inviteCode={code}"),
            Some(&key),
            None,
        )
        .await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = evo(
            &server,
            Method::GET,
            &format!("/group/acceptInviteCode/other?inviteCode={fresh}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({ "accepted": true, "groupJid": jid }));
        assert_eq!(
            role(
                &native_group(&server, &key, "other", &jid).await,
                "15550002222"
            ),
            Some("member")
        );
        let (status, body) = evo(
            &server,
            Method::GET,
            "/group/acceptInviteCode/other",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(evo_error(status, &body, StatusCode::BAD_REQUEST).len(), 2);

        // Sending the invite queues a text with the link to each number.
        let (status, body) = evo_post(
            &server,
            "/group/sendInvite/owner",
            &key,
            json!({ "groupJid": jid, "description": "Join us:", "numbers": ["15550004444"] }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({ "send": true, "inviteUrl": format!("https://chat.whatsapp.com/{fresh}") })
        );
        let (_, messages) = server
            .get("/api/v1/messages?instance=owner&chat=15550004444", &key)
            .await;
        assert_eq!(messages["data"].as_array().unwrap().len(), 1, "{messages}");
        assert_eq!(
            messages["data"][0]["body"],
            format!("Join us:\n\nhttps://chat.whatsapp.com/{fresh}")
        );
        let (status, body) = evo_post(
            &server,
            "/group/sendInvite/owner",
            &key,
            json!({ "groupJid": jid, "numbers": ["not a number"] }),
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);

        // Leaving: the group is gone from the number's list.
        let (status, body) = evo(
            &server,
            Method::DELETE,
            &format!("/group/leaveGroup/other?groupJid={jid}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({ "groupJid": jid, "leave": true }));
        let (_, groups) = server.get("/api/v1/instances/other/groups", &key).await;
        assert_eq!(groups["data"], json!([]));
        let (status, body) = evo(
            &server,
            Method::DELETE,
            &format!("/group/leaveGroup/other?groupJid={jid}"),
            Some(&key),
            None,
        )
        .await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn group_routes_need_a_key_that_reaches_the_named_instance() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let (_, owner_token) = server.instance(&key, "owner").await;
        server.link(&key, "owner", "15550001111").await;
        let (_, other_token) = server.instance(&key, "other").await;
        let path = "/group/fetchAllGroups/owner?getParticipants=false";
        let (status, body) = evo(&server, Method::GET, path, None, None).await;
        evo_error(status, &body, StatusCode::UNAUTHORIZED);
        let (status, body) = evo(&server, Method::GET, path, Some(&owner_token), None).await;
        assert_eq!((status, body), (StatusCode::OK, json!([])));
        let (status, body) = evo(&server, Method::GET, path, Some(&other_token), None).await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = evo(
            &server,
            Method::GET,
            "/group/fetchAllGroups/nobody?getParticipants=false",
            Some(&key),
            None,
        )
        .await;
        let messages = evo_error(status, &body, StatusCode::NOT_FOUND);
        assert!(messages[0].contains("\"nobody\""), "{messages:?}");
        // An instance not linked yet cannot have groups.
        let (status, body) = evo(
            &server,
            Method::GET,
            "/group/fetchAllGroups/other?getParticipants=true",
            Some(&key),
            None,
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);
        let response = server
            .raw(Method::POST, "/group/create/owner")
            .await
            .header("apikey", &key)
            .header("content-type", "application/json")
            .body("[1, 2")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        evo_error(status, &body, StatusCode::BAD_REQUEST);
    })
    .await;
}
