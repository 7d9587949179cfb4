//! The HTTP edge against clients that hold connections open: a request head or body that
//! stops half-way is cut off after its timeout, and one address cannot keep more than its cap
//! of connections without a key. Spoken over raw TCP, since a well-behaved client cannot stall.

use crate::support::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough that a server without timeouts is caught, short enough for the suite.
const PATIENCE: Duration = Duration::from_secs(8);

async fn connect(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection: what it sent and how long that took, or
/// `None` if it was still open after [`PATIENCE`].
async fn until_closed(stream: &mut TcpStream) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + PATIENCE).into(), stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
    Some((
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    ))
}

/// One request on an open connection; answers the status line and the body.
async fn exchange(stream: &mut TcpStream, request: &str) -> (String, String) {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buffer))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "closed before answering");
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                let status = head.lines().next().unwrap().to_owned();
                return (status, body[..length].to_owned());
            }
        }
    }
}

fn get(path: &str, key: Option<&str>) -> String {
    let auth = key.map_or(String::new(), |key| {
        format!("Authorization: Bearer {key}\r\n")
    });
    format!("GET {path} HTTP/1.1\r\nHost: wagate\r\n{auth}\r\n")
}

#[tokio::test]
async fn a_request_head_that_stops_half_way_is_closed_after_the_header_timeout() {
    on_each_backend_with(
        |config| config.http.header_read_timeout_secs = 1,
        |server| async move {
            let mut half = connect(&server).await;
            half.write_all(b"GET /api/v1/auth/me HTTP/1.1\r\nHost: wag")
                .await
                .unwrap();
            let (_, after) = until_closed(&mut half)
                .await
                .expect("a half-sent head is not kept open");
            assert!(after < Duration::from_secs(4), "closed after {after:?}");

            // Nothing at all, not even the bytes that tell HTTP/1 from HTTP/2.
            let mut silent = connect(&server).await;
            let (_, after) = until_closed(&mut silent)
                .await
                .expect("a silent connection is not kept open");
            assert!(after < Duration::from_secs(4), "closed after {after:?}");

            // A kept-alive connection is closed once it idles that long after its answer.
            let mut kept = connect(&server).await;
            let (status, _) = exchange(&mut kept, &get("/healthz", None)).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");
            assert!(until_closed(&mut kept).await.is_some());
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_within_the_idle_timeout() {
    on_each_backend_with(
        |config| config.http.body_idle_timeout_secs = 1,
        |server| async move {
            let mut stalled = connect(&server).await;
            stalled
                .write_all(
                    format!(
                        "POST /api/v1/accounts HTTP/1.1\r\nHost: wagate\r\n\
                         Authorization: Bearer {ADMIN_KEY}\r\nContent-Type: application/json\r\n\
                         Content-Length: 100000\r\n\r\n{{\"na"
                    )
                    .as_bytes(),
                )
                .await
                .unwrap();
            let (answer, after) = until_closed(&mut stalled)
                .await
                .expect("a stalled body is not waited for");
            assert!(after < Duration::from_secs(4), "answered after {after:?}");
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            assert!(answer.contains("application/json"), "{answer}");
            assert!(answer.contains(r#""code":"REQUEST_TIMEOUT""#), "{answer}");

            // An upload that stalls mid-file is answered too, and its connection closed.
            let mut upload = connect(&server).await;
            let boundary = "xyz";
            upload
                .write_all(
                    format!(
                        "POST /api/v1/media HTTP/1.1\r\nHost: wagate\r\n\
                         Authorization: Bearer {ADMIN_KEY}\r\n\
                         Content-Type: multipart/form-data; boundary={boundary}\r\n\
                         Content-Length: 10000000\r\n\r\n--{boundary}\r\n\
                         Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n\
                         some bytes"
                    )
                    .as_bytes(),
                )
                .await
                .unwrap();
            let (answer, after) = until_closed(&mut upload)
                .await
                .expect("a stalled upload is not waited for");
            assert!(after < Duration::from_secs(4), "answered after {after:?}");
            assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
            assert!(answer.contains(r#""success":false"#), "{answer}");

            // The limit is a pause, not a total: a body sent slowly, piece by piece, over
            // several times the timeout is taken.
            let mut slow = connect(&server).await;
            let body = r#"{"name": "Patient"}"#;
            slow.write_all(
                format!(
                    "POST /api/v1/accounts HTTP/1.1\r\nHost: wagate\r\n\
                     Authorization: Bearer {ADMIN_KEY}\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .await
            .unwrap();
            let (pieces, last) = body.split_at(body.len() - 1);
            for piece in pieces.as_bytes().chunks(2) {
                slow.write_all(piece).await.unwrap();
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let (status, answer) = exchange(&mut slow, last).await;
            assert!(status.starts_with("HTTP/1.1 201"), "{status} {answer}");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn connections_without_a_key_over_the_cap_are_refused() {
    on_each_backend_with(
        |config| config.http.max_unauthenticated_connections_per_ip = 3,
        |server| async move {
            let key = server.account("Acme").await;
            let mut first = connect(&server).await;
            let mut second = connect(&server).await;
            let mut third = connect(&server).await;
            let (status, _) = exchange(&mut third, &get("/healthz", None)).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");

            let mut over = connect(&server).await;
            let (answer, _) = until_closed(&mut over)
                .await
                .expect("a connection over the cap is closed at once");
            assert_eq!(answer, "", "closed unanswered");

            // A key takes its connection out of the count, and it goes on working.
            let (status, body) = exchange(&mut first, &get("/api/v1/auth/me", Some(&key))).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status} {body}");
            let mut admitted = connect(&server).await;
            let (status, _) = exchange(&mut admitted, &get("/healthz", None)).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");
            let (status, _) = exchange(&mut first, &get("/api/v1/auth/me", Some(&key))).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");

            // Back at the cap: the next one is refused, until one of the others closes.
            let mut over = connect(&server).await;
            assert_eq!(until_closed(&mut over).await.unwrap().0, "");
            drop(second.shutdown().await);
            drop(second);
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut admitted = connect(&server).await;
            let (status, _) = exchange(&mut admitted, &get("/healthz", None)).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_live_stream_authenticated_by_its_query_key_does_not_count_against_the_cap() {
    on_each_backend_with(
        |config| config.http.max_unauthenticated_connections_per_ip = 1,
        |server| async move {
            let key = server.account("Acme").await;
            // A browser's EventSource sends its key in the query string.
            let mut stream = connect(&server).await;
            stream
                .write_all(get(&format!("/api/v1/events/stream?apiKey={key}"), None).as_bytes())
                .await
                .unwrap();
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !String::from_utf8_lossy(&head).contains("\r\n\r\n") {
                let n = tokio::time::timeout(PATIENCE, stream.read(&mut buffer))
                    .await
                    .expect("the stream answers")
                    .unwrap();
                assert!(n > 0, "the stream was closed");
                head.extend_from_slice(&buffer[..n]);
            }
            assert!(String::from_utf8_lossy(&head).starts_with("HTTP/1.1 200"));
            // The stream holds no unauthenticated slot: another connection is admitted.
            let mut next = connect(&server).await;
            let (status, _) = exchange(&mut next, &get("/healthz", None)).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");
            drop(stream);
            server.stop().await;
        },
    )
    .await;
}
