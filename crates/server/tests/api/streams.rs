//! Live event streams over SSE and WebSocket: what happens next, filtered, private, and
//! resumable from the last event seen with no gap and no duplicate.

use crate::live::{SseFrame, SseStream, WsFrame, WsStream};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wagate_server::config::Config;

fn fast_heartbeat(config: &mut Config) {
    config.streams.heartbeat_secs = 0.2;
}

fn seq(event: &Value) -> i64 {
    event["seq"].as_i64().expect("a sequence number")
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

fn is_read_of(id: &str) -> impl Fn(&Value) -> bool + '_ {
    move |event| {
        event["event"] == "message.status_updated"
            && event["data"]["messageId"] == id
            && event["data"]["status"] == "read"
    }
}

/// Every stored event of the key after `after`, oldest first.
async fn stored_after(server: &TestServer, key: &str, after: i64) -> Vec<Value> {
    let (status, body) = server
        .get(&format!("/api/v1/events?after={after}&limit=1000"), key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().unwrap().clone()
}

async fn latest_seq(server: &TestServer, key: &str) -> i64 {
    stored_after(server, key, 0).await.last().map_or(0, seq)
}

/// A text sent and read; answers its id.
async fn text_read(server: &TestServer, key: &str, text: &str) -> String {
    let id = server.send_text(key, "sales", "15550002222", text).await;
    server.wait_for_message(key, &id, "read").await;
    id
}

#[tokio::test]
async fn sse_streams_what_happens_next_and_resumes_after_the_last_event_seen() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let before = latest_seq(&server, &key).await;
        let mut stream = SseStream::open(&server, "", Some(&key), None).await;
        let first = text_read(&server, &key, "one").await;
        let live = stream.events_until(is_read_of(&first)).await;
        assert!(seq(&live[0]) > before, "history is not replayed");
        assert_eq!(ids(&live), ids(&stored_after(&server, &key, before).await));
        for event in &live {
            for field in ["id", "event", "instanceId", "instance", "timestamp", "data"] {
                assert!(event.get(field).is_some(), "{field} in {event}");
            }
        }
        drop(stream);

        // Resuming from an event in the middle, with Last-Event-ID or ?after=, gives every
        // later event once, in order, including those written while nobody listened.
        let resume_at = seq(&live[1]);
        let second = text_read(&server, &key, "two").await;
        let expected = stored_after(&server, &key, resume_at).await;
        let mut resumed = SseStream::open(&server, "", Some(&key), Some(resume_at)).await;
        let replayed = resumed.events_until(is_read_of(&second)).await;
        assert_eq!(ids(&replayed), ids(&expected));
        let mut by_query =
            SseStream::open(&server, &format!("after={resume_at}"), Some(&key), None).await;
        assert_eq!(
            ids(&by_query.events_until(is_read_of(&second)).await),
            ids(&expected)
        );

        // The resumed stream goes on live.
        let third = text_read(&server, &key, "three").await;
        let more = resumed.events_until(is_read_of(&third)).await;
        assert_eq!(
            ids(&more),
            ids(&stored_after(&server, &key, seq(replayed.last().unwrap())).await)
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn streams_are_filtered_and_private_to_the_key() {
    on_each_backend(|server| async move {
        let (key, sales) = server.linked_instance("sales").await;
        let (support, support_key) = server.instance(&key, "support").await;
        let stranger = server.account("Stranger").await;

        let mut statuses = SseStream::open(
            &server,
            "events=message.status_updated,message.sent",
            Some(&key),
            None,
        )
        .await;
        let mut only_support = SseStream::open(&server, "instance=support", Some(&key), None).await;
        let mut support_keyed = SseStream::open(&server, "", Some(&support_key), None).await;
        let mut strangers = SseStream::open(&server, "", Some(&stranger), None).await;
        let response =
            SseStream::request(&server, "instance=sales", Some(&support_key), None).await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "an instance key sees its instance only"
        );
        let response = SseStream::request(&server, "instance=sales", Some(&stranger), None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);

        let message = text_read(&server, &key, "hello").await;
        server.link(&key, "support", "15550003333").await;
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &stranger,
                json!({ "name": "theirs", "engine": "sandbox" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let seen = statuses.events_until(is_read_of(&message)).await;
        assert!(seen.iter().all(|e| {
            ["message.status_updated", "message.sent"].contains(&e["event"].as_str().unwrap())
        }));
        assert!(seen.iter().all(|e| e["instanceId"] == sales.as_str()));
        for stream in [&mut only_support, &mut support_keyed] {
            let seen = stream
                .events_until(|e| e["event"] == "session.connected")
                .await;
            assert!(
                seen.iter().all(|e| e["instanceId"] == support.as_str()),
                "{seen:?}"
            );
        }
        let theirs = strangers.next_event().await;
        assert_eq!(theirs["event"], "instance.created");
        assert_eq!(theirs["data"]["name"], "theirs");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn sse_sends_heartbeats_accepts_a_query_key_and_refuses_bad_input() {
    let server = TestServer::start(Backend::Sqlite, fast_heartbeat).await;
    let (key, _) = server.linked_instance("sales").await;
    let mut idle = SseStream::open(&server, "", Some(&key), None).await;
    assert!(matches!(idle.next_frame().await, SseFrame::Comment));
    assert!(matches!(idle.next_frame().await, SseFrame::Comment));

    // Browsers' EventSource cannot set headers; the key may come in the query instead.
    let mut browser = SseStream::open(&server, &format!("apiKey={key}&after=0"), None, None).await;
    assert_eq!(browser.next_event().await["event"], "instance.created");
    let response = SseStream::request(&server, "", None, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = SseStream::request(&server, "apiKey=wrong", None, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    for (query, last_event_id, field) in [
        ("events=message.nope", None, "events"),
        ("after=-1", None, "after"),
    ] {
        let response = SseStream::request(&server, query, Some(&key), last_event_id).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(fields(&body), [field], "{body}");
    }
    let response = server
        .raw(reqwest::Method::GET, "/api/v1/events/stream")
        .await
        .bearer_auth(&key)
        .header("last-event-id", "abc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(fields(&body), ["Last-Event-ID"]);
    server.stop().await;
}

#[tokio::test]
async fn websocket_streams_resumes_and_pings() {
    on_each_backend_with(fast_heartbeat, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let before = latest_seq(&server, &key).await;
        let mut socket = WsStream::open(&server, "", Some(&key)).await;
        let first = text_read(&server, &key, "one").await;
        let live = socket.events_until(is_read_of(&first)).await;
        assert_eq!(ids(&live), ids(&stored_after(&server, &key, before).await));
        let mut pinged = false;
        for _ in 0..20 {
            if matches!(socket.next_frame().await, WsFrame::Ping) {
                pinged = true;
                break;
            }
        }
        assert!(pinged, "an idle socket is pinged");
        socket.close().await;

        let resume_at = seq(&live[1]);
        let second = text_read(&server, &key, "two").await;
        let mut resumed =
            WsStream::open(&server, &format!("apiKey={key}&after={resume_at}"), None).await;
        assert_eq!(
            ids(&resumed.events_until(is_read_of(&second)).await),
            ids(&stored_after(&server, &key, resume_at).await)
        );
        resumed.close().await;
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_event_stream_says_it_is_open_at_once() {
    // The default heartbeat (15 s): the first bytes must not wait for it, nor for an event.
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let mut response = server
            .raw(reqwest::Method::GET, "/api/v1/events/stream")
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let first = tokio::time::timeout(std::time::Duration::from_secs(3), response.chunk())
            .await
            .expect("the stream sends something at once")
            .unwrap()
            .expect("a first chunk");
        let first = String::from_utf8_lossy(&first).into_owned();
        assert!(first.starts_with(':'), "a comment, not an event: {first:?}");
        drop(response);
        server.stop().await;
    })
    .await;
}
