//! Instance settings over HTTP: read and replaced as a whole, checked, and honoured — group
//! messages and status updates ignored, arrived messages marked read, the chat history
//! imported on linking.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn settings_are_read_replaced_and_checked() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server.get("/api/v1/instances/sales/settings", &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({ "ignoreGroups": false, "ignoreStatus": false, "autoReadMessages": false, "rejectCalls": false, "callRejectMessage": null, "alwaysOnline": false, "syncHistory": false, "pacing": null })
        );

        let (status, body) = server
            .put(
                "/api/v1/instances/sales/settings",
                &key,
                json!({ "ignoreGroups": true, "pacing": { "dailyCap": 500 } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["ignoreGroups"], true);
        assert_eq!(body["data"]["autoReadMessages"], false);
        assert_eq!(body["data"]["pacing"]["dailyCap"], 500);
        let (_, instance) = server.get("/api/v1/instances/sales", &key).await;
        assert_eq!(
            instance["data"]["settings"]["ignoreGroups"], true,
            "{instance}"
        );

        // Replaced as a whole: what is left out is off again.
        let (_, body) = server
            .put(
                "/api/v1/instances/sales/settings",
                &key,
                json!({ "autoReadMessages": true }),
            )
            .await;
        assert_eq!(
            body["data"],
            json!({ "ignoreGroups": false, "ignoreStatus": false, "autoReadMessages": true, "rejectCalls": false, "callRejectMessage": null, "alwaysOnline": false, "syncHistory": false, "pacing": null })
        );

        for bad in [
            json!({ "ignoreGroups": "yes" }),
            json!({ "rejectEverything": true }),
            json!({ "pacing": { "dailyCap": 0 } }),
            json!({ "rejectCalls": true, "callRejectMessage": "  " }),
        ] {
            let (status, body) = server
                .put("/api/v1/instances/sales/settings", &key, bad.clone())
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        }
        let (_, body) = server.get("/api/v1/instances/sales/settings", &key).await;
        assert_eq!(
            body["data"]["autoReadMessages"], true,
            "a refused change changes nothing"
        );

        // The instance's own key may read its settings, not change them; others see nothing.
        let (_, instance_key) = server.instance(&key, "support").await;
        let (status, _) = server
            .get("/api/v1/instances/support/settings", &instance_key)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server
            .put(
                "/api/v1/instances/support/settings",
                &instance_key,
                json!({ "ignoreGroups": true }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .get("/api/v1/instances/sales/settings", &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn with_ignore_groups_group_messages_do_not_arrive_and_direct_ones_do() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, _) = server
            .put("/api/v1/instances/sales/settings", &key, json!({ "ignoreGroups": true }))
            .await;
        assert_eq!(status, StatusCode::OK);
        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "group": "120363000000000001@g.us", "text": "in the group" }))
            .await;
        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "text": "direct" }))
            .await;
        server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "direct")
            .await;
        let received: Vec<String> = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "message.received")
            .map(|e| e["data"]["body"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(received, ["direct"]);

        // Switched off again, group messages arrive.
        server.put("/api/v1/instances/sales/settings", &key, json!({})).await;
        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "group": "120363000000000001@g.us", "text": "back in the group" }))
            .await;
        let event = server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "back in the group")
            .await;
        assert_eq!(event["data"]["isGroup"], true);
    })
    .await;
}

#[tokio::test]
async fn with_auto_read_arrived_messages_are_marked_read_and_the_sender_sees_blue_ticks() {
    on_each_backend(|server| async move {
        // Two sandbox numbers: the customer's sent message turns read when sales reads it.
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        server.link(&key, "sales", "15550001111").await;
        server.instance(&key, "customer").await;
        server.link(&key, "customer", "15550002222").await;
        server
            .put(
                "/api/v1/instances/sales/settings",
                &key,
                json!({ "autoReadMessages": true }),
            )
            .await;

        let sent = server
            .send_text(&key, "customer", "15550001111", "Is my order ready?")
            .await;
        let read = server
            .wait_for_event(&key, "message.read", |e| e["instance"] == "sales")
            .await;
        let message = read["data"]["messageId"].as_str().unwrap();
        let (_, body) = server
            .get(&format!("/api/v1/messages/{message}"), &key)
            .await;
        assert_eq!(body["data"]["status"], "read", "{body}");
        server.wait_for_message(&key, &sent, "read").await;

        // Without the switch, what arrives stays unread.
        server
            .put("/api/v1/instances/sales/settings", &key, json!({}))
            .await;
        server
            .send_text(&key, "customer", "15550001111", "Hello?")
            .await;
        let arrived = server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "Hello?")
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let message = arrived["data"]["messageId"].as_str().unwrap();
        let (_, body) = server
            .get(&format!("/api/v1/messages/{message}"), &key)
            .await;
        assert_ne!(body["data"]["status"], "read", "{body}");
    })
    .await;
}

#[tokio::test]
async fn with_ignore_status_contacts_status_updates_do_not_arrive() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let status_update = |text: &str| json!({ "from": "15550002222", "group": "status@broadcast", "text": text });
        server.inbound(&key, "sales", status_update("my story")).await;
        let event = server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "my story")
            .await;
        assert_eq!(event["data"]["chat"], "status@broadcast", "{event}");
        assert_eq!(event["data"]["isGroup"], false);

        let (status, body) = server
            .put("/api/v1/instances/sales/settings", &key, json!({ "ignoreStatus": true }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["ignoreStatus"], true);
        server.inbound(&key, "sales", status_update("another story")).await;
        server
            .inbound(&key, "sales", json!({ "from": "15550002222", "text": "direct" }))
            .await;
        server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "direct")
            .await;
        let received: Vec<String> = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "message.received")
            .map(|e| e["data"]["body"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(received, ["my story", "direct"]);
    })
    .await;
}

#[tokio::test]
async fn sync_history_imports_the_phones_past_once_without_a_received_event_per_message() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for name in ["synced", "plain"] {
            server.instance(&key, name).await;
        }
        let (status, body) = server
            .put(
                "/api/v1/instances/synced/settings",
                &key,
                json!({ "syncHistory": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["syncHistory"], true);
        server.link(&key, "synced", "15550001111").await;
        server.link(&key, "plain", "15550004444").await;

        let last = server
            .wait_for_event(&key, "history.synced", |e| e["data"]["progress"] == 100)
            .await;
        assert_eq!(last["instance"], "synced");
        let chunks: Vec<_> = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "history.synced")
            .map(|e| e["data"].clone())
            .collect();
        assert_eq!(
            chunks,
            [
                json!({ "messages": 3, "chats": 1, "skipped": 1, "progress": 50 }),
                json!({ "messages": 1, "chats": 1, "skipped": 0, "progress": 100 }),
            ]
        );
        assert!(
            !server
                .events(&key)
                .await
                .iter()
                .any(|e| e["event"] == "message.received"),
            "old messages are not news"
        );

        // The past shows in the chat list, read, at its own time, both directions.
        let (_, chats) = server.get("/api/v1/instances/synced/chats", &key).await;
        let chats = chats["data"].as_array().unwrap().clone();
        assert_eq!(chats.len(), 2, "{chats:?}");
        let customer = chats
            .iter()
            .find(|c| c["jid"] == "15550002222@s.whatsapp.net")
            .unwrap();
        assert_eq!(
            (
                customer["messages"].clone(),
                customer["unreadCount"].clone()
            ),
            (json!(3), json!(0))
        );
        assert_eq!(customer["lastMessage"]["body"], "Great, see you then");
        let (_, messages) = server
            .get(
                "/api/v1/instances/synced/chats/15550002222@s.whatsapp.net/messages",
                &key,
            )
            .await;
        let directions: Vec<_> = messages["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["direction"].clone(), m["body"].clone()))
            .collect();
        assert!(
            directions.contains(&(json!("outbound"), json!("Yes, from 10am to 4pm."))),
            "{directions:?}"
        );

        // Without the setting, nothing of the past is kept.
        let (_, chats) = server.get("/api/v1/instances/plain/chats", &key).await;
        assert_eq!(chats["data"], json!([]));

        // Linked again, the phone hands the same past over: nothing is stored twice.
        let (status, body) = server
            .post("/api/v1/instances/synced/logout", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.link(&key, "synced", "15550001111").await;
        server
            .wait_for_event(&key, "history.synced", |e| {
                e["data"]["progress"] == 100 && e["data"]["messages"] == 0
            })
            .await;
        let (_, chats) = server.get("/api/v1/instances/synced/chats", &key).await;
        assert_eq!(
            chats["data"][0]["messages"].as_i64().unwrap()
                + chats["data"][1]["messages"].as_i64().unwrap(),
            4
        );
        server.stop().await;
    })
    .await;
}
