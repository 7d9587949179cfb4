//! [`GraphFake`]: the running server, what a test tells it, and what it recorded.

use crate::errors;
use crate::routes;
use crate::state::{
    Call, FakeFile, FakeNumber, Injected, NumberEntry, SentMessage, State, Violation,
};
use crate::webhooks;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A fake Graph API on `127.0.0.1` and a random port. It stops when dropped.
pub struct GraphFake {
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl GraphFake {
    /// Starts the server on the current tokio runtime, with no numbers yet.
    ///
    /// # Panics
    /// When no local port can be bound.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port for the fake Graph API");
        let address = listener.local_addr().expect("the fake's address");
        let state = Arc::new(State::new(format!("http://{address}")));
        let app = routes::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:{port}`: a cloud number's Graph API base URL.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// Stops accepting calls and waits (a few seconds at most) for the ones in flight.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    /// Serves a number (replacing one with the same id, which also lifts a revocation). Its
    /// business account starts with Meta's sample template `hello_world`, as real ones do.
    pub fn add_number(&self, number: FakeNumber) {
        self.state
            .open_business_account(&number.business_account_id);
        self.state.numbers.lock().expect("numbers lock").insert(
            number.phone_number_id.clone(),
            NumberEntry {
                number,
                revoked: false,
            },
        );
    }

    /// Refuses the number's token from now on (Meta's 190), as when a user revokes it.
    pub fn revoke(&self, phone_number_id: &str) {
        if let Some(entry) = self
            .state
            .numbers
            .lock()
            .expect("numbers lock")
            .get_mut(phone_number_id)
        {
            entry.revoked = true;
        }
    }

    /// A file as if a customer had sent it: `GET /{version}/{media_id}` describes it and its
    /// URL serves `bytes` to any live token.
    pub fn add_file(&self, media_id: &str, bytes: Vec<u8>, mime_type: &str) {
        self.state.files.lock().expect("files lock").insert(
            media_id.to_owned(),
            FakeFile {
                bytes,
                mime_type: mime_type.to_owned(),
                file_name: None,
                phone_number_id: None,
            },
        );
    }

    /// A file uploaded by a number, or added with [`add_file`](Self::add_file).
    pub fn file(&self, media_id: &str) -> Option<FakeFile> {
        self.state
            .files
            .lock()
            .expect("files lock")
            .get(media_id)
            .cloned()
    }

    /// Every send to `to` (international digits, as the body's `to`) fails from now on with
    /// Meta's error `code`, answered with `http_status`.
    pub fn fail_recipient(
        &self,
        to: &str,
        code: i64,
        http_status: u16,
        title: &str,
        details: &str,
    ) {
        self.state
            .failing_recipients
            .lock()
            .expect("failures lock")
            .insert(
                to.to_owned(),
                Injected {
                    code,
                    http_status,
                    title: title.to_owned(),
                    details: details.to_owned(),
                },
            );
    }

    /// The next `n` sends, to anyone, fail with Meta's error `code` (worded as Meta words it
    /// for the codes it knows, like 130429 and 131056); then sends succeed again.
    pub fn fail_next_sends(&self, n: u32, code: i64, http_status: u16) {
        let (title, details) = errors::known(code);
        *self.state.next_failures.lock().expect("failures lock") = (n > 0).then(|| {
            (
                n,
                Injected {
                    code,
                    http_status,
                    title: title.to_owned(),
                    details: details.to_owned(),
                },
            )
        });
    }

    /// Forgets every injected failure.
    pub fn clear_failures(&self) {
        self.state
            .failing_recipients
            .lock()
            .expect("failures lock")
            .clear();
        *self.state.next_failures.lock().expect("failures lock") = None;
    }

    /// Every call answered, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().expect("calls lock").clone()
    }

    /// Every message accepted, in order.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.state.sent.lock().expect("sent lock").clone()
    }

    /// How many messages were accepted (read without a lock).
    pub fn sent_count(&self) -> u64 {
        self.state.sent_count.load(Ordering::Relaxed)
    }

    /// Every body refused because Meta's description does not allow it; a test asserts this
    /// is empty.
    pub fn violations(&self) -> Vec<Violation> {
        self.state
            .violations
            .lock()
            .expect("violations lock")
            .clone()
    }

    /// The business account's templates as Meta lists them, oldest first.
    pub fn templates(&self, business_account_id: &str) -> Vec<Value> {
        self.state
            .templates
            .lock()
            .expect("templates lock")
            .get(business_account_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Sets the review status (`APPROVED`, `REJECTED`, …) of the account's templates named
    /// `name`, as Meta's review would.
    pub fn set_template_status(&self, business_account_id: &str, name: &str, status: &str) {
        let mut templates = self.state.templates.lock().expect("templates lock");
        for template in templates
            .get_mut(business_account_id)
            .into_iter()
            .flatten()
            .filter(|template| template["name"] == name)
        {
            template["status"] = Value::from(status);
        }
    }

    /// A status webhook for a message the number sent (`sent`, `delivered`, `read` or
    /// `failed`, with Meta's `(code, title, details)` for a failure), as Meta posts it.
    pub fn status_webhook_body(
        &self,
        phone_number_id: &str,
        display_phone_number: &str,
        wamid: &str,
        recipient: &str,
        status: &str,
        error: Option<(i64, &str, &str)>,
    ) -> Vec<u8> {
        webhooks::status_body(
            &self.business_account_of(phone_number_id),
            phone_number_id,
            display_phone_number,
            wamid,
            recipient,
            status,
            error,
        )
    }

    /// A webhook for a message a customer (`from`, with profile `name`) sent to the number;
    /// `message` is Meta's message object (`{"type": "text", "text": {"body": "Hi"}}`), its
    /// `from`, `id` and `timestamp` filled in when missing.
    pub fn message_webhook_body(
        &self,
        phone_number_id: &str,
        display_phone_number: &str,
        from: &str,
        name: &str,
        message: Value,
    ) -> Vec<u8> {
        webhooks::message_body(
            &self.business_account_of(phone_number_id),
            phone_number_id,
            display_phone_number,
            from,
            name,
            message,
        )
    }

    /// The number's business account id, for a webhook's `entry.id` (`"0"` for a number the
    /// fake does not serve).
    fn business_account_of(&self, phone_number_id: &str) -> String {
        self.state
            .number(phone_number_id)
            .map_or_else(|| "0".to_owned(), |number| number.business_account_id)
    }
}

impl Drop for GraphFake {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
