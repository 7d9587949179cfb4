//! Clients of the live event streams for tests: Server-Sent Events read off the raw body (so
//! heartbeat comments can be seen too) and a WebSocket.

use crate::support::TestServer;
use bytes::Bytes;
use futures_util::{SinkExt, Stream, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;
use std::pin::Pin;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const WAIT: Duration = Duration::from_secs(10);

/// One frame of an SSE body.
#[derive(Debug)]
pub enum SseFrame {
    Event {
        id: Option<String>,
        event: Option<String>,
        data: String,
    },
    Comment,
}

pub struct SseStream {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    buffer: String,
}

impl SseStream {
    /// Opens `/api/v1/events/stream?{query}` with `key` in the `Authorization` header (or none)
    /// and, if given, a `Last-Event-ID`.
    pub async fn open(
        server: &TestServer,
        query: &str,
        key: Option<&str>,
        last_event_id: Option<i64>,
    ) -> Self {
        let response = Self::request(server, query, key, last_event_id).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Self {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The response to opening a stream, whatever its status.
    pub async fn request(
        server: &TestServer,
        query: &str,
        key: Option<&str>,
        last_event_id: Option<i64>,
    ) -> reqwest::Response {
        let mut request = server
            .raw(
                reqwest::Method::GET,
                &format!("/api/v1/events/stream?{query}"),
            )
            .await;
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        request.send().await.expect("stream opened")
    }

    pub async fn next_frame(&mut self) -> SseFrame {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                return parse_frame(&frame);
            }
            let chunk = tokio::time::timeout(WAIT, self.body.next())
                .await
                .expect("a frame within 10 s")
                .expect("the stream is still open")
                .expect("the stream is readable");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event's envelope, after checking that the frame's `id` and `event` match it.
    pub async fn next_event(&mut self) -> Value {
        loop {
            if let SseFrame::Event { id, event, data } = self.next_frame().await {
                let body: Value = serde_json::from_str(&data).expect("JSON data");
                assert_eq!(id.as_deref(), Some(body["seq"].to_string().as_str()));
                assert_eq!(event.as_deref(), body["event"].as_str());
                return body;
            }
        }
    }

    /// Events until one satisfies `last` (included).
    pub async fn events_until(&mut self, last: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let event = self.next_event().await;
            let done = last(&event);
            events.push(event);
            if done {
                return events;
            }
        }
    }
}

fn parse_frame(frame: &str) -> SseFrame {
    let (mut id, mut event, mut data, mut comment) = (None, None, Vec::new(), false);
    for line in frame.lines() {
        if line.starts_with(':') {
            comment = true;
        } else if let Some((field, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
            match field {
                "id" => id = Some(value),
                "event" => event = Some(value),
                "data" => data.push(value),
                _ => {}
            }
        }
    }
    if comment && data.is_empty() {
        SseFrame::Comment
    } else {
        SseFrame::Event {
            id,
            event,
            data: data.join("\n"),
        }
    }
}

pub type WsConnection =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What a WebSocket client sees.
#[derive(Debug)]
pub enum WsFrame {
    Event(Value),
    Ping,
}

pub struct WsStream {
    socket: WsConnection,
}

impl WsStream {
    /// Opens `/api/v1/events/ws?{query}`, with `key` in the `Authorization` header if given.
    pub async fn open(server: &TestServer, query: &str, key: Option<&str>) -> Self {
        let url = format!(
            "{}/api/v1/events/ws?{query}",
            server.base.replace("http://", "ws://")
        );
        let mut request = url.into_client_request().unwrap();
        if let Some(key) = key {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {key}").parse().unwrap());
        }
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the WebSocket opens");
        assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
        Self { socket }
    }

    pub async fn next_frame(&mut self) -> WsFrame {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame within 10 s")
                .expect("the socket is still open")
                .expect("the socket is readable");
            match message {
                Message::Text(text) => {
                    return WsFrame::Event(serde_json::from_str(&text).expect("JSON frame"));
                }
                Message::Ping(_) => return WsFrame::Ping,
                _ => {}
            }
        }
    }

    pub async fn events_until(&mut self, last: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            if let WsFrame::Event(event) = self.next_frame().await {
                let done = last(&event);
                events.push(event);
                if done {
                    return events;
                }
            }
        }
    }

    pub async fn close(mut self) {
        self.socket.send(Message::Close(None)).await.ok();
    }
}
