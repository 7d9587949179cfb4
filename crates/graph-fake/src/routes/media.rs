//! `POST /{version}/{phone-number-id}/media` (a multipart upload: `messaging_product`, `type`,
//! `file`) and `GET /files/{id}`, where a file's download URL points (token required).

use super::{record, refusal};
use crate::errors;
use crate::state::{FakeFile, State, Violation};
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State as Shared};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub(super) async fn upload(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
    Path((_version, id)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let access = state.access(super::bearer(&headers), |n| n.phone_number_id == id);
    let (fields, answer) = match refusal(access, "POST", &id) {
        Some(refused) => (Value::Null, refused),
        None => match read_form(form).await {
            Ok((fields, file)) => {
                let answer = store(&state, &uri, &id, &fields, file);
                (fields, answer)
            }
            Err(problem) => {
                refuse(&state, &uri, Value::Null, vec![problem.clone()]);
                (Value::Null, errors::invalid_parameter(&problem))
            }
        },
    };
    record(&state, "POST", &uri, fields, &answer);
    answer
}

/// The form's text fields, the file as its name, type and size, and the file itself.
async fn read_form(
    form: Result<Multipart, MultipartRejection>,
) -> Result<(Value, Option<FakeFile>), String> {
    let mut form = form.map_err(|e| format!("the body is not a multipart form: {e}"))?;
    let mut fields = Map::new();
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("the multipart form is malformed: {e}"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let mime_type = field.content_type().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| format!("the field {name} could not be read: {e}"))?;
        let value = match &file_name {
            Some(file_name) => {
                json!({"fileName": file_name, "type": mime_type, "size": bytes.len()})
            }
            None => json!(String::from_utf8_lossy(&bytes)),
        };
        if name == "file" {
            file = Some(FakeFile {
                bytes: bytes.to_vec(),
                mime_type: mime_type.unwrap_or_default(),
                file_name,
                phone_number_id: None,
            });
        }
        fields.insert(name, value);
    }
    Ok((Value::Object(fields), file))
}

fn store(
    state: &State,
    uri: &Uri,
    number: &str,
    fields: &Value,
    file: Option<FakeFile>,
) -> Response {
    let file = file.filter(|file| !file.bytes.is_empty());
    let mut problems = Vec::new();
    if fields["messaging_product"] != "whatsapp" {
        problems.push("messaging_product must be \"whatsapp\"".to_owned());
    }
    if file.is_none() {
        problems.push("the form has no file".to_owned());
    }
    let (Some(mut file), true) = (file, problems.is_empty()) else {
        let details = problems.join("; ");
        refuse(state, uri, fields.clone(), problems);
        return errors::invalid_parameter(&details);
    };
    // Meta types the file by the form's `type` field, else by the part's own type.
    if let Some(kind) = fields["type"].as_str().filter(|kind| !kind.is_empty()) {
        kind.clone_into(&mut file.mime_type);
    }
    file.phone_number_id = Some(number.to_owned());
    let id = state.next_id();
    state
        .files
        .lock()
        .expect("files lock")
        .insert(id.clone(), file);
    Json(json!({"id": id})).into_response()
}

fn refuse(state: &State, uri: &Uri, body: Value, errors: Vec<String>) {
    state.refuse(Violation {
        method: "POST".to_owned(),
        path: uri.path().to_owned(),
        body,
        errors,
    });
}

pub(super) async fn download(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let access = state.access(super::bearer(&headers), |_| true);
    let answer = refusal(access, "GET", &id).unwrap_or_else(|| {
        let files = state.files.lock().expect("files lock");
        match files.get(&id) {
            Some(file) => (
                [(header::CONTENT_TYPE, file.mime_type.clone())],
                file.bytes.clone(),
            )
                .into_response(),
            None => errors::no_such_object("GET", &id),
        }
    });
    record(&state, "GET", &uri, Value::Null, &answer);
    answer
}
