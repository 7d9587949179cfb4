//! The Graph API calls a cloud number makes: read the number (to verify credentials), send a
//! message, upload a file, fetch a file a customer sent, and list or submit the business
//! account's message templates.
//!
//! Every failure comes back as a [`GraphError`]: Meta's own, or one made from the HTTP status
//! or the network error, so the caller sorts them all the same way.

use super::graph_error::GraphError;
use crate::{MessageTemplate, NewTemplate};
use serde_json::{Value, json};
use std::time::Duration;

/// The most templates `templates` reads (Meta allows a business account 250 per language, so
/// this only stops a pager that never ends).
pub const MAX_TEMPLATES: usize = 1000;

/// What a cloud number authenticates with, and where its Graph API is.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_token: String,
    pub phone_number_id: String,
    /// The WhatsApp Business Account the number belongs to; message templates need it.
    pub business_account_id: Option<String>,
    /// This number's Graph API endpoint instead of the client's (a proxy, a test server).
    pub base_url: Option<String>,
    /// This number's Graph API version (`v23.0`) instead of the client's.
    pub graph_version: Option<String>,
    /// Whether the operator chose `base_url`. One the account chose is reached only through
    /// the outbound guard: never on a private address, whatever its name resolves to.
    pub base_url_by_operator: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &"<redacted>")
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("base_url", &self.base_url)
            .field("graph_version", &self.graph_version)
            .field("base_url_by_operator", &self.base_url_by_operator)
            .finish()
    }
}

/// The number as `GET /{phone-number-id}` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumberInfo {
    pub id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub quality_rating: Option<String>,
}

/// A file on Meta's side, as `GET /{media-id}` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaInfo {
    /// Where to download it (with the same bearer token), for five minutes.
    pub url: String,
    pub mime_type: String,
    pub sha256: Option<String>,
}

/// A Graph API endpoint (Meta's, or a fake one in tests) at one API version.
#[derive(Clone, Debug)]
pub struct GraphClient {
    /// For the server's endpoint and endpoints the operator chose.
    http: reqwest::Client,
    /// For endpoints an account chose.
    guarded: wagate_net::GuardedClient,
    base_url: String,
    version: String,
}

/// The code of a call the outbound guard refused (never retried: the endpoint stays private).
const REFUSED: i64 = -3;

fn network(error: reqwest::Error) -> GraphError {
    if let Some(refused) = wagate_net::refusal(&error) {
        return refused_endpoint(refused);
    }
    GraphError {
        code: -1,
        message: format!("the Graph API could not be reached: {error}"),
        details: None,
    }
}

fn refused_endpoint(refused: &wagate_net::GuardError) -> GraphError {
    GraphError {
        code: REFUSED,
        message: format!("the number's Graph API endpoint {refused}"),
        details: None,
    }
}

/// The number's business account, which owns its templates.
fn business_account(credentials: &Credentials) -> Result<&str, GraphError> {
    credentials
        .business_account_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| GraphError {
            code: -2,
            message: format!(
                "message templates need the business account id of number {}",
                credentials.phone_number_id
            ),
            details: None,
        })
}

/// One entry of `GET /{waba-id}/message_templates`.
fn template(raw: &Value) -> MessageTemplate {
    let text = |field: &str| raw[field].as_str().unwrap_or_default().to_owned();
    MessageTemplate {
        id: text("id"),
        name: text("name"),
        language: text("language"),
        status: text("status"),
        category: text("category"),
        components: match &raw["components"] {
            Value::Null => json!([]),
            components => components.clone(),
        },
    }
}

impl GraphClient {
    /// `base_url` is `https://graph.facebook.com` in production; `version` like `v23.0`.
    pub fn new(base_url: &str, version: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .expect("an HTTP client with a timeout");
        let guarded =
            wagate_net::GuardedClient::new(wagate_net::Policy::PUBLIC_ONLY, 0, |builder| {
                builder.timeout(timeout)
            })
            .expect("a guarded HTTP client with a timeout");
        Self {
            http,
            guarded,
            base_url: base_url.trim_end_matches('/').to_owned(),
            version: version.to_owned(),
        }
    }

    /// The URL of `path` for this number: its own endpoint and version when it has them.
    fn url(&self, credentials: &Credentials, path: &str) -> String {
        let base = credentials
            .base_url
            .as_deref()
            .map_or(self.base_url.as_str(), |base| base.trim_end_matches('/'));
        let version = credentials
            .graph_version
            .as_deref()
            .unwrap_or(&self.version);
        format!("{base}/{version}/{path}")
    }

    /// A request to `url` on the number's behalf: through the guard when the account chose
    /// the number's endpoint.
    fn request(
        &self,
        credentials: &Credentials,
        method: reqwest::Method,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, GraphError> {
        if credentials.base_url.is_some() && !credentials.base_url_by_operator {
            return self
                .guarded
                .request(method, url)
                .map_err(|refused| refused_endpoint(&refused));
        }
        Ok(self.http.request(method, url))
    }

    fn get(
        &self,
        credentials: &Credentials,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, GraphError> {
        self.request(
            credentials,
            reqwest::Method::GET,
            &self.url(credentials, path),
        )
    }

    fn post(
        &self,
        credentials: &Credentials,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, GraphError> {
        self.request(
            credentials,
            reqwest::Method::POST,
            &self.url(credentials, path),
        )
    }

    /// Sends a request and reads a JSON answer, or the error Meta (or the network) gave.
    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        token: &str,
    ) -> Result<Value, GraphError> {
        let response = request.bearer_auth(token).send().await.map_err(network)?;
        let status = response.status();
        let body = response.bytes().await.map_err(network)?;
        if !status.is_success() {
            return Err(GraphError::from_response(status.as_u16(), &body));
        }
        serde_json::from_slice(&body).map_err(|e| GraphError {
            code: -1,
            message: format!("the Graph API answered with something that is not JSON: {e}"),
            details: None,
        })
    }

    /// Reads the number: the cheapest call that proves the token and the id belong together.
    pub async fn phone_number(
        &self,
        credentials: &Credentials,
    ) -> Result<PhoneNumberInfo, GraphError> {
        let answer = self
            .call(
                self.get(credentials, &credentials.phone_number_id)?
                    .query(&[(
                        "fields",
                        "id,display_phone_number,verified_name,quality_rating",
                    )]),
                &credentials.access_token,
            )
            .await?;
        let text = |field: &str| answer[field].as_str().map(str::to_owned);
        Ok(PhoneNumberInfo {
            id: text("id").unwrap_or_else(|| credentials.phone_number_id.clone()),
            display_phone_number: text("display_phone_number").unwrap_or_default(),
            verified_name: text("verified_name"),
            quality_rating: text("quality_rating"),
        })
    }

    /// Sends a message body (see `payload`); answers WhatsApp's id for it (`wamid.…`).
    pub async fn send(
        &self,
        credentials: &Credentials,
        body: &Value,
    ) -> Result<String, GraphError> {
        let path = format!("{}/messages", credentials.phone_number_id);
        let answer = self
            .call(
                self.post(credentials, &path)?.json(body),
                &credentials.access_token,
            )
            .await?;
        answer["messages"][0]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GraphError {
                code: -1,
                message: format!("the Graph API accepted the message without an id: {answer}"),
                details: None,
            })
    }

    /// Marks a received message read (and shows "typing…" with `typing`).
    pub async fn mark_read(
        &self,
        credentials: &Credentials,
        message_id: &str,
        typing: bool,
    ) -> Result<(), GraphError> {
        let path = format!("{}/messages", credentials.phone_number_id);
        self.call(
            self.post(credentials, &path)?
                .json(&super::payload::read_body(message_id, typing)),
            &credentials.access_token,
        )
        .await
        .map(drop)
    }

    /// Uploads a file to the number's media; answers its media id.
    pub async fn upload_media(
        &self,
        credentials: &Credentials,
        bytes: Vec<u8>,
        mime_type: &str,
        file_name: &str,
    ) -> Result<String, GraphError> {
        let file = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(mime_type)
            .map_err(|e| GraphError {
                code: -2,
                message: format!("the file's type {mime_type:?} is not a MIME type: {e}"),
                details: None,
            })?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", file);
        let path = format!("{}/media", credentials.phone_number_id);
        let answer = self
            .call(
                self.post(credentials, &path)?.multipart(form),
                &credentials.access_token,
            )
            .await?;
        answer["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GraphError {
                code: -1,
                message: format!("the Graph API stored the file without an id: {answer}"),
                details: None,
            })
    }

    /// Where a file a customer sent can be downloaded from.
    pub async fn media_info(
        &self,
        credentials: &Credentials,
        media_id: &str,
    ) -> Result<MediaInfo, GraphError> {
        // The id comes from a webhook, which anyone holding the app secret can sign: it is one
        // path segment of the Graph API, never a path of its own choosing.
        if media_id.is_empty()
            || !media_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(GraphError {
                code: -2,
                message: format!("{media_id:?} is not a Graph API media id"),
                details: None,
            });
        }
        let answer = self
            .call(
                self.get(credentials, media_id)?
                    .query(&[("phone_number_id", credentials.phone_number_id.as_str())]),
                &credentials.access_token,
            )
            .await?;
        Ok(MediaInfo {
            url: answer["url"].as_str().unwrap_or_default().to_owned(),
            mime_type: answer["mime_type"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_owned(),
            sha256: answer["sha256"].as_str().map(str::to_owned),
        })
    }

    /// The business account's message templates, every page Meta has (up to
    /// [`MAX_TEMPLATES`]). Pages are followed by their `after` cursor on this number's own
    /// endpoint, so the token only ever goes where the first request went.
    pub async fn templates(
        &self,
        credentials: &Credentials,
    ) -> Result<Vec<MessageTemplate>, GraphError> {
        let path = format!("{}/message_templates", business_account(credentials)?);
        let mut templates = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut request = self.get(credentials, &path)?.query(&[
                ("fields", "id,name,language,status,category,components"),
                ("limit", "100"),
            ]);
            if let Some(after) = &after {
                request = request.query(&[("after", after)]);
            }
            let answer = self.call(request, &credentials.access_token).await?;
            let page = answer["data"].as_array().ok_or_else(|| GraphError {
                code: -1,
                message: format!("the Graph API answered without a list of templates: {answer}"),
                details: None,
            })?;
            templates.extend(page.iter().map(template));
            after = answer["paging"]["cursors"]["after"]
                .as_str()
                .filter(|_| answer["paging"]["next"].is_string())
                .map(str::to_owned);
            if after.is_none() || page.is_empty() || templates.len() >= MAX_TEMPLATES {
                break;
            }
        }
        templates.truncate(MAX_TEMPLATES);
        Ok(templates)
    }

    /// Submits a template for Meta's review; answers it as Meta filed it (usually `PENDING`).
    pub async fn create_template(
        &self,
        credentials: &Credentials,
        new: &NewTemplate,
    ) -> Result<MessageTemplate, GraphError> {
        let path = format!("{}/message_templates", business_account(credentials)?);
        let body = json!({
            "name": new.name,
            "language": new.language,
            "category": new.category,
            "components": new.components,
        });
        let answer = self
            .call(
                self.post(credentials, &path)?.json(&body),
                &credentials.access_token,
            )
            .await?;
        let id = answer["id"].as_str().ok_or_else(|| GraphError {
            code: -1,
            message: format!("the Graph API filed the template without an id: {answer}"),
            details: None,
        })?;
        Ok(MessageTemplate {
            id: id.to_owned(),
            name: new.name.clone(),
            language: new.language.clone(),
            status: answer["status"].as_str().unwrap_or("PENDING").to_owned(),
            category: answer["category"]
                .as_str()
                .unwrap_or(&new.category)
                .to_owned(),
            components: new.components.clone(),
        })
    }

    /// Downloads a file from the URL `media_info` gave (it needs the token too).
    pub async fn download(
        &self,
        credentials: &Credentials,
        url: &str,
    ) -> Result<Vec<u8>, GraphError> {
        let response = self
            .request(credentials, reqwest::Method::GET, url)?
            .bearer_auth(&credentials.access_token)
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        let body = response.bytes().await.map_err(network)?;
        if !status.is_success() {
            return Err(GraphError::from_response(status.as_u16(), &body));
        }
        Ok(body.to_vec())
    }
}
