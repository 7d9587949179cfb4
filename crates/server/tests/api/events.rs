//! The events API: in order, resumable, and private.

use crate::support::*;
use reqwest::StatusCode;

#[tokio::test]
async fn events_are_read_in_order_and_page_by_sequence() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        for text in ["one", "two"] {
            let id = server.send_text(&key, "sales", "15550002222", text).await;
            server.wait_for_message(&key, &id, "read").await;
        }
        let all = server.events(&key).await;
        let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "strictly increasing: {seqs:?}"
        );
        let ids: std::collections::HashSet<_> =
            all.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), all.len(), "event ids are unique");
        for event in &all {
            assert!(event["id"].as_str().unwrap().starts_with("evt_"));
            assert!(event["timestamp"].is_string());
            assert!(event["data"].is_object());
        }

        // Reading three at a time returns the same events.
        let mut paged = Vec::new();
        let mut after = 0;
        loop {
            let (status, page) = server
                .get(&format!("/api/v1/events?after={after}&limit=3"), &key)
                .await;
            assert_eq!(status, StatusCode::OK);
            let items = page["data"].as_array().unwrap().clone();
            if items.is_empty() {
                assert_eq!(page["cursor"]["remaining"], 0);
                break;
            }
            after = page["cursor"]["nextAfter"].as_i64().unwrap();
            paged.extend(items);
        }
        assert_eq!(paged, all);

        let (status, body) = server.get("/api/v1/events?limit=0", &key).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["limit"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn each_account_and_instance_key_sees_only_its_own_events() {
    on_each_backend(|server| async move {
        let (key, instance) = server.linked_instance("sales").await;
        let (support, support_key) = server.instance(&key, "support").await;
        let stranger = server.account("Stranger").await;
        assert!(server.events(&stranger).await.is_empty());
        let for_sales = server.events(&key).await;
        assert!(
            for_sales
                .iter()
                .any(|e| e["instanceId"] == instance.as_str())
        );
        let for_support = server.events(&support_key).await;
        assert!(!for_support.is_empty());
        assert!(
            for_support
                .iter()
                .all(|e| e["instanceId"] == support.as_str())
        );
        server.stop().await;
    })
    .await;
}
