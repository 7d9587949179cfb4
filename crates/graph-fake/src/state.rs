//! What the fake holds: its numbers, files and templates, the failures to inject, and the
//! record of every call.
//!
//! Everything sits behind plain mutexes held for a few instructions; the count of sent
//! messages is an atomic a benchmark can read without taking any lock.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A business number the fake serves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FakeNumber {
    pub phone_number_id: String,
    /// The bearer token that may act for this number (several numbers may share one).
    pub access_token: String,
    /// As `GET /{phone-number-id}` shows it, like `+1 555-078-3881`.
    pub display_phone_number: String,
    pub verified_name: String,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_rating: String,
    /// The WhatsApp Business Account that owns the number (and its templates).
    pub business_account_id: String,
}

impl FakeNumber {
    /// The test number of Meta's own examples.
    pub fn example() -> Self {
        Self {
            phone_number_id: "106540352242922".to_owned(),
            access_token: "EAAG-good-token".to_owned(),
            display_phone_number: "+1 555-078-3881".to_owned(),
            verified_name: "Jaspers Market".to_owned(),
            quality_rating: "GREEN".to_owned(),
            business_account_id: "102290129340398".to_owned(),
        }
    }
}

/// A file on the fake's side: uploaded by a number, or added by a test as a customer's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeFile {
    pub bytes: Vec<u8>,
    pub mime_type: String,
    pub file_name: Option<String>,
    /// The number that uploaded it; `None` for a file a test added.
    pub phone_number_id: Option<String>,
}

/// One request the fake answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `GET`, `POST`.
    pub method: String,
    /// Without the query, like `/v23.0/106540352242922/messages`.
    pub path: String,
    /// The query string, empty when there was none.
    pub query: String,
    /// The JSON body (a multipart upload as its fields, the file as name, type and size);
    /// `null` when there was none.
    pub body: Value,
    /// The HTTP status the fake answered.
    pub status: u16,
}

/// A message the fake accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct SentMessage {
    pub phone_number_id: String,
    /// The id the fake answered with (`wamid.…`), unique per message.
    pub wamid: String,
    pub body: Value,
}

/// A body the fake refused because Meta's description does not allow it.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub errors: Vec<String>,
}

/// A failure to answer instead of accepting a message.
#[derive(Clone, Debug)]
pub(crate) struct Injected {
    pub code: i64,
    pub http_status: u16,
    pub title: String,
    pub details: String,
}

#[derive(Clone, Debug)]
pub(crate) struct NumberEntry {
    pub number: FakeNumber,
    pub revoked: bool,
}

/// Who a bearer token may act for.
pub(crate) enum Access {
    /// No live number has this token.
    Refused,
    /// The token is live, but not for the object asked for.
    Elsewhere,
    Granted,
}

pub(crate) struct State {
    pub base_url: String,
    pub numbers: Mutex<HashMap<String, NumberEntry>>,
    pub files: Mutex<HashMap<String, FakeFile>>,
    /// Templates by business account, in creation order.
    pub templates: Mutex<HashMap<String, Vec<Value>>>,
    pub failing_recipients: Mutex<HashMap<String, Injected>>,
    pub next_failures: Mutex<Option<(u32, Injected)>>,
    pub calls: Mutex<Vec<Call>>,
    pub sent: Mutex<Vec<SentMessage>>,
    pub violations: Mutex<Vec<Violation>>,
    pub sent_count: AtomicU64,
    ids: AtomicU64,
}

impl State {
    pub fn new(base_url: String) -> Self {
        Self {
            base_url,
            numbers: Mutex::default(),
            files: Mutex::default(),
            templates: Mutex::default(),
            failing_recipients: Mutex::default(),
            next_failures: Mutex::default(),
            calls: Mutex::default(),
            sent: Mutex::default(),
            violations: Mutex::default(),
            sent_count: AtomicU64::new(0),
            ids: AtomicU64::new(0),
        }
    }

    /// A fresh numeric id, shaped like Meta's media and template ids.
    pub fn next_id(&self) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        format!("{}", 1_000_000_000_000_000 + n)
    }

    pub fn number(&self, phone_number_id: &str) -> Option<FakeNumber> {
        let numbers = self.numbers.lock().expect("numbers lock");
        numbers
            .get(phone_number_id)
            .map(|entry| entry.number.clone())
    }

    /// Whether `token` may act for the numbers `covers` picks.
    pub fn access(&self, token: Option<&str>, covers: impl Fn(&FakeNumber) -> bool) -> Access {
        let Some(token) = token else {
            return Access::Refused;
        };
        let numbers = self.numbers.lock().expect("numbers lock");
        let mut live = numbers
            .values()
            .filter(|entry| !entry.revoked && entry.number.access_token == token)
            .peekable();
        if live.peek().is_none() {
            return Access::Refused;
        }
        if live.any(|entry| covers(&entry.number)) {
            Access::Granted
        } else {
            Access::Elsewhere
        }
    }

    pub fn record(&self, call: Call) {
        self.calls.lock().expect("calls lock").push(call);
    }

    pub fn refuse(&self, violation: Violation) {
        self.violations
            .lock()
            .expect("violations lock")
            .push(violation);
    }

    /// The failure the next send to `to` meets, if any (an injected transient failure is used
    /// up by it).
    pub fn failure_for(&self, to: &str) -> Option<Injected> {
        if let Some(failure) = self
            .failing_recipients
            .lock()
            .expect("failures lock")
            .get(to)
        {
            return Some(failure.clone());
        }
        let mut next = self.next_failures.lock().expect("failures lock");
        let (left, failure) = next.as_mut()?;
        let failure = failure.clone();
        *left -= 1;
        if *left == 0 {
            *next = None;
        }
        Some(failure)
    }

    /// Every new business account starts with Meta's sample template, as real ones do.
    pub fn open_business_account(&self, business_account_id: &str) {
        let mut templates = self.templates.lock().expect("templates lock");
        if templates.contains_key(business_account_id) {
            return;
        }
        let hello_world = json!({
            "id": self.next_id(),
            "name": "hello_world",
            "language": "en_US",
            "status": "APPROVED",
            "category": "MARKETING",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
                {"type": "BODY", "text": "Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform’s Cloud API. Thank you for taking the time to test with us."},
                {"type": "FOOTER", "text": "WhatsApp Business API Team"}
            ]
        });
        templates.insert(business_account_id.to_owned(), vec![hello_world]);
    }
}
