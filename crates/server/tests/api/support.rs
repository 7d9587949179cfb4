//! Starting the real gateway for a test and talking HTTP to it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use wagate_server::Server;
use wagate_server::config::Config;
use wagate_server::services::ShiftedClock;

pub const ADMIN_KEY: &str = "test-admin-key";

/// Which database a test server runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// SQLite always; PostgreSQL too when `WAGATE_TEST_DATABASE_URL` names a server.
pub async fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if let Some(base) = wagate_store::testing::postgres_url() {
        backends.push(Backend::Postgres(
            wagate_store::testing::fresh_postgres_database(&base).await,
        ));
    }
    backends
}

/// Runs `test` once per backend, each on a fresh server.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    on_each_backend_with(|_| {}, test).await;
}

/// Like [`on_each_backend`], with the configuration adjusted first.
pub async fn on_each_backend_with<C, F, Fut>(configure: C, test: F)
where
    C: Fn(&mut Config),
    F: Fn(TestServer) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends().await {
        eprintln!("backend: {backend:?}");
        test(TestServer::start(backend, &configure).await).await;
    }
}

pub struct TestServer {
    pub base: String,
    server: Option<Server>,
    config: Config,
    client: reqwest::Client,
    /// The gateway's clock: the system's, until a test moves it forward.
    clock: Arc<ShiftedClock>,
    _dir: TempDir,
}

impl TestServer {
    pub async fn start(backend: Backend, configure: impl Fn(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.data_dir = dir.path().to_path_buf();
        config.database_url = match backend {
            Backend::Sqlite => String::new(),
            Backend::Postgres(url) => url,
        };
        config.admin_key = ADMIN_KEY.to_owned();
        config.database.max_connections = 5;
        config.dispatcher.poll_interval_ms = 50;
        config.dispatcher.retry_base_ms = 50;
        config.sandbox.delivered_after_ms = 0;
        config.sandbox.read_after_ms = 0;
        // Pacing has tests of its own; elsewhere it would only slow the suite down.
        config.pacing.enabled = false;
        configure(&mut config);
        let clock = Arc::new(ShiftedClock::default());
        let server = Server::start_with_clock(config.clone(), clock.clone())
            .await
            .expect("server starts");
        Self {
            base: format!("http://{}", server.local_addr()),
            server: Some(server),
            config,
            // The server closes a kept-alive connection idle for `header_read_timeout_secs`
            // (15 s); a client that reuses one at that moment gets it closed under its request.
            // Like any client of a server with a keep-alive timeout, drop idle ones before.
            client: reqwest::Client::builder()
                .pool_idle_timeout(Duration::from_secs(5))
                .build()
                .expect("an HTTP client"),
            clock,
            _dir: dir,
        }
    }

    /// Moves the gateway's clock forward (its pacing, caps, pauses and retries follow it).
    pub fn advance_clock(&self, by: chrono::TimeDelta) {
        self.clock.advance(by);
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("running")
    }

    /// Stops the server and starts it again on the same database.
    pub async fn restart(mut self) -> Self {
        self.server.take().expect("running").shutdown().await;
        let server = Server::start_with_clock(self.config.clone(), self.clock.clone())
            .await
            .expect("server restarts");
        self.base = format!("http://{}", server.local_addr());
        self.server = Some(server);
        self
    }

    /// Sends a request; answers the status and the JSON body (`Null` when there is none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, json)
    }

    pub async fn get(&self, path: &str, key: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(key), None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(key), Some(body)).await
    }

    pub async fn put(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(key), Some(body)).await
    }

    pub async fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// A new account; answers its key.
    pub async fn account(&self, name: &str) -> String {
        let (status, body) = self
            .post("/api/v1/accounts", ADMIN_KEY, json!({ "name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["data"]["apiKey"].as_str().unwrap().to_owned()
    }

    /// The id of the account a key belongs to.
    pub async fn account_id(&self, account_key: &str) -> String {
        let (status, me) = self.get("/api/v1/auth/me", account_key).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        me["data"]["id"].as_str().unwrap().to_owned()
    }

    /// A request by the admin key acting for the account `account_key` belongs to
    /// (`X-Account-Id`); answers the status and the JSON body.
    pub async fn as_operator(
        &self,
        account_key: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let account = self.account_id(account_key).await;
        let response = self
            .raw(method, path)
            .await
            .bearer_auth(ADMIN_KEY)
            .header("X-Account-Id", account)
            .json(&body)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        (status, response.json().await.expect("a JSON answer"))
    }

    /// A new sandbox instance; answers its id and its key.
    pub async fn instance(&self, account_key: &str, name: &str) -> (String, String) {
        let (status, body) = self
            .post(
                "/api/v1/instances",
                account_key,
                json!({ "name": name, "engine": "sandbox" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["data"]["id"].as_str().unwrap().to_owned(),
            body["data"]["apiKey"].as_str().unwrap().to_owned(),
        )
    }

    /// Connects an instance by QR code and lets the sandbox phone scan it.
    pub async fn link(&self, account_key: &str, instance: &str, phone: &str) {
        let (status, body) = self
            .post(
                &format!("/api/v1/instances/{instance}/connect"),
                account_key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["data"]["qr"]["code"]
            .as_str()
            .expect("a QR code")
            .to_owned();
        let (status, body) = self
            .post(
                "/api/v1/sandbox/link",
                account_key,
                json!({ "code": code, "phone": phone }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// What a sandbox number put on the wire (messages, typing, number checks), in order.
    pub async fn sandbox_activity(&self, key: &str, instance: &str) -> Vec<Value> {
        let (status, body) = self
            .get(
                &format!("/api/v1/sandbox/instances/{instance}/activity"),
                key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].as_array().unwrap().clone()
    }

    /// An account with a linked sandbox instance; answers the account key and the instance id.
    pub async fn linked_instance(&self, name: &str) -> (String, String) {
        let key = self.account("Acme").await;
        let (id, _) = self.instance(&key, name).await;
        self.link(&key, name, "15550001111").await;
        (key, id)
    }

    /// Sends a text through an instance; asserts it was accepted and answers its id.
    pub async fn send_text(&self, key: &str, instance: &str, to: &str, text: &str) -> String {
        let (status, body) = self
            .post(
                &format!("/api/v1/instances/{instance}/messages"),
                key,
                json!({ "to": to, "text": text }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["status"], "queued");
        body["data"]["id"].as_str().unwrap().to_owned()
    }

    /// Polls a message until it reaches `status` (or fails the test after 10 s).
    pub async fn wait_for_message(&self, key: &str, id: &str, status: &str) -> Value {
        self.wait_for_message_where(key, id, status, |message| message["status"] == status)
            .await
    }

    /// Polls a message until `matches` holds for it; `what` names the awaited state in the
    /// failure message.
    pub async fn wait_for_message_where(
        &self,
        key: &str,
        id: &str,
        what: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (code, body) = self.get(&format!("/api/v1/messages/{id}"), key).await;
            assert_eq!(code, StatusCode::OK, "{body}");
            if matches(&body["data"]) {
                return body["data"].clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "message never reached {what}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every event the key may see, oldest first.
    pub async fn events(&self, key: &str) -> Vec<Value> {
        let (status, body) = self.get("/api/v1/events?after=0&limit=1000", key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].as_array().unwrap().clone()
    }

    /// Plays someone else writing to a sandbox instance; answers WhatsApp's id of the message.
    pub async fn inbound(&self, key: &str, instance: &str, body: Value) -> Option<String> {
        let (status, answer) = self
            .post(
                &format!("/api/v1/sandbox/instances/{instance}/inbound"),
                key,
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}: {answer}");
        answer["data"]["providerMessageId"]
            .as_str()
            .map(str::to_owned)
    }

    /// Polls until an event named `name` matching `filter` is seen.
    pub async fn wait_for_event(
        &self,
        key: &str,
        name: &str,
        filter: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(event) = self
                .events(key)
                .await
                .into_iter()
                .find(|e| e["event"] == name && filter(e))
            {
                return event;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {name} event came"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// The `details[].field` names of an error body.
pub fn fields(body: &Value) -> Vec<String> {
    body["details"]
        .as_array()
        .map(|details| {
            details
                .iter()
                .map(|d| d["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
