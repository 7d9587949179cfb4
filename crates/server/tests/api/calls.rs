//! Calls over HTTP on the sandbox: a ringing call is `call.received`, rejected by hand or by
//! the `rejectCalls` setting, which also sends the caller `callRejectMessage`.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

async fn ring(server: &TestServer, key: &str, video: bool) -> String {
    let (status, body) = server
        .post(
            "/api/v1/sandbox/instances/sales/call",
            key,
            json!({ "from": "15550002222", "pushName": "Ann", "video": video }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body["data"]["callId"].as_str().unwrap().to_owned()
}

fn rejections(activity: &[serde_json::Value]) -> Vec<String> {
    activity
        .iter()
        .filter(|entry| entry["kind"] == "reject_call")
        .map(|entry| entry["chat"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_ringing_call_is_an_event_and_is_rejected_by_hand() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let call = ring(&server, &key, true).await;
        let event = server
            .wait_for_event(&key, "call.received", |e| {
                e["data"]["callId"] == call.as_str()
            })
            .await;
        assert_eq!(event["data"]["from"], "15550002222");
        assert_eq!(event["data"]["fromJid"], "15550002222@s.whatsapp.net");
        assert_eq!(event["data"]["pushName"], "Ann");
        assert_eq!(event["data"]["video"], true);
        assert_eq!(event["data"]["autoRejected"], false);
        assert!(rejections(&server.sandbox_activity(&key, "sales").await).is_empty());

        let path = format!("/api/v1/instances/sales/calls/{call}/reject");
        let (status, body) = server
            .post(&path, &key, json!({ "from": "15550002222" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!({ "callId": call, "rejected": true }));
        assert_eq!(
            rejections(&server.sandbox_activity(&key, "sales").await),
            ["15550002222@s.whatsapp.net"]
        );

        // Rejected already; not a caller; not a call.
        let (status, _) = server
            .post(&path, &key, json!({ "from": "15550002222" }))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server.post(&path, &key, json!({ "from": "" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["from"]);
        let other = ring(&server, &key, false).await;
        let (status, _) = server
            .post(
                &format!("/api/v1/instances/sales/calls/{other}/reject"),
                &key,
                json!({ "from": "15550003333" }),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "only the caller's call is rejected"
        );
    })
    .await;
}

#[tokio::test]
async fn with_reject_calls_a_call_is_rejected_as_it_rings_and_the_caller_gets_the_message() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/settings",
                &key,
                json!({ "rejectCalls": true, "callRejectMessage": "We cannot take calls here; please write to us." }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["rejectCalls"], true);

        let call = ring(&server, &key, false).await;
        let event = server
            .wait_for_event(&key, "call.received", |e| e["data"]["callId"] == call.as_str())
            .await;
        assert_eq!(event["data"]["autoRejected"], true);
        let sent = server
            .wait_for_event(&key, "message.sent", |e| e["data"]["to"] == "15550002222")
            .await;
        let message = sent["data"]["messageId"].as_str().unwrap();
        let (_, body) = server.get(&format!("/api/v1/messages/{message}"), &key).await;
        assert_eq!(body["data"]["content"]["body"], "We cannot take calls here; please write to us.", "{body}");
        assert_eq!(
            rejections(&server.sandbox_activity(&key, "sales").await),
            ["15550002222@s.whatsapp.net"]
        );
    })
    .await;
}
