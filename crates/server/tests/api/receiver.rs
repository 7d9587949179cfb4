//! A webhook receiver on a random local port: records every request and answers as told.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Received {
    /// The path posted to (`/hook`, or more of it, e.g. `/hook/messages-upsert`).
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    /// Statuses to answer with, in order; 200 once they run out.
    script: VecDeque<u16>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

async fn record(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let mut inner = inner.lock().unwrap();
    let status = inner.script.pop_front().unwrap_or(200);
    inner.received.push(Received {
        path: uri.path().to_owned(),
        headers,
        body,
    });
    (StatusCode::from_u16(status).unwrap(), "ok")
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener).await
    }

    /// Serves on a listener bound earlier (to come up on a known port later).
    pub async fn serve(listener: tokio::net::TcpListener) -> Self {
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .route("/hook", post(record))
            .route("/hook/{*rest}", post(record))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://127.0.0.1:{}/hook", addr.port()),
            inner,
        }
    }

    /// Answer the next requests with these statuses.
    pub fn answer_with(&self, statuses: &[u16]) {
        self.inner.lock().unwrap().script.extend(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Waits until `enough` holds for what was received (or fails after 15 s).
    pub async fn wait_for(
        &self,
        what: &str,
        enough: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let received = self.received();
            if enough(&received) {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the receiver never got {what}; it got {} requests",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The `event` names of received deliveries.
pub fn event_names(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_owned())
        .collect()
}
