//! `/api/v1/events/stream` (Server-Sent Events) and `/api/v1/events/ws` (WebSocket).

use super::AppState;
use super::auth::StreamPrincipal;
use super::error::{ApiResult, ErrorBody};
use crate::services::{StreamQuery, envelope};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::time::Duration;
use wagate_store::EventRecord;

fn last_event_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The event as streams send it: the webhook envelope plus its sequence number.
fn stream_body(event: &EventRecord) -> String {
    let mut body = envelope(event);
    body["seq"] = serde_json::json!(event.seq.0);
    body.to_string()
}

/// Every new event of the caller's account (an instance key: its instance) as Server-Sent
/// Events: `id` is the sequence number, `event` the event name, `data` the envelope. Resume
/// with `Last-Event-ID` (or `?after=`; `?after=0` replays from the first event); a comment
/// line as soon as it opens, and at every heartbeat (`streams.heartbeat_secs`, 15 s by
/// default) to keep proxies from closing it.
#[utoipa::path(
    get, path = "/api/v1/events/stream", tag = "events", params(StreamQuery, ("apiKey" = Option<String>, Query, description = "The API key, for clients that cannot set headers (browsers' EventSource and WebSocket)")),
    responses(
        (status = 200, description = "An endless text/event-stream", content_type = "text/event-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn sse(
    State(state): State<AppState>,
    StreamPrincipal(principal): StreamPrincipal,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> ApiResult<Response> {
    let subscription = state
        .gateway
        .subscribe(&principal, query, last_event_id(&headers).as_deref())
        .await?;
    let events = state.gateway.event_stream(subscription);
    let events = events
        .take_until(state.shutdown.cancelled_owned())
        .map(|event| {
            let event = event.map_err(|e| axum::Error::new(e.to_string()))?;
            Ok::<_, axum::Error>(
                Event::default()
                    .id(event.seq.0.to_string())
                    .event(event.kind.as_str())
                    .data(stream_body(&event)),
            )
        });
    // A comment at once: a client (or `curl -N`) sees the stream is open before the first
    // event or heartbeat, which may be many seconds away.
    let opened = futures_util::stream::once(async { Ok(Event::default().comment("connected")) });
    Ok(Sse::new(opened.chain(events))
        .keep_alive(KeepAlive::new().interval(state.stream_heartbeat))
        .into_response())
}

/// The same events over a WebSocket: one JSON text frame per event (with `seq`), a ping at
/// every heartbeat. Resume with `Last-Event-ID` or `?after=`.
#[utoipa::path(
    get, path = "/api/v1/events/ws", tag = "events", params(StreamQuery, ("apiKey" = Option<String>, Query, description = "The API key, for clients that cannot set headers (browsers' EventSource and WebSocket)")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn ws(
    State(state): State<AppState>,
    StreamPrincipal(principal): StreamPrincipal,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    let subscription = state
        .gateway
        .subscribe(&principal, query, last_event_id(&headers).as_deref())
        .await?;
    let events = state.gateway.event_stream(subscription);
    let events = events.take_until(state.shutdown.cancelled_owned());
    let heartbeat = state.stream_heartbeat;
    Ok(upgrade.on_upgrade(move |socket| pump(socket, events, heartbeat)))
}

async fn pump<S>(mut socket: WebSocket, events: S, heartbeat: Duration)
where
    S: futures_util::Stream<Item = Result<EventRecord, crate::services::ServiceError>> + Send,
{
    let mut events = std::pin::pin!(events);
    let mut heartbeat = tokio::time::interval(heartbeat);
    heartbeat.tick().await;
    loop {
        tokio::select! {
            event = events.next() => {
                let Some(Ok(event)) = event else {
                    // The server is stopping (or the store failed): say so, and go.
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                };
                if socket.send(Message::Text(stream_body(&event).into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = heartbeat.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
}
