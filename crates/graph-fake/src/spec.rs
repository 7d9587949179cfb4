//! Meta's OpenAPI description of the Cloud API (`specs/meta-business-messaging-api_v23.0.yaml`)
//! as JSON Schema validators: the fake refuses what it refuses, and tests check wagate's
//! bodies against it.
//!
//! The description contradicts itself in places; [`schemas`] mends it, each mend the least
//! that lets Meta's documented requests through (or, for template creation, that requires
//! what Meta's reference requires):
//! - Message types are `allOf` the common properties and a branch with
//!   `additionalProperties: false`, which in JSON Schema refuses the common properties
//!   themselves (`to`, `messaging_product`): the branch's flag moves to the whole as
//!   `unevaluatedProperties: false`, which is what it means.
//! - Interactive `cta_url` messages are documented on Meta's "Interactive CTA URL messages"
//!   page but absent from v23.0: the type joins the enum of interactive types, and its action
//!   (`name: "cta_url"`, `parameters: {display_text ≤ 20, url}`) joins `ActionObject`.
//! - A template button's `index` carries the pattern `^[2-6, 11-14]$`, a malformed character
//!   class that refuses the index `"0"` of Meta's own template examples: it is dropped.
//! - The body of `POST /{WABA-ID}/message_templates` is described inline, with every field
//!   optional: it joins the schemas as [`NEW_TEMPLATE`], with `name`, `language`, `category`
//!   and `components` required and `category` one of Meta's three, as Meta's reference for
//!   the endpoint says.
//!
//! Not mended: the inbound messages of webhooks (`IncomingMessage`) refer to the schemas of
//! messages *sent* (`TextMessage` requires `to` and `recipient_type`), so no inbound message,
//! not even Meta's own examples, is a valid [`WEBHOOK`]; only status webhooks validate.
//!
//! Each schema is compiled once, on first use, and shared.

use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The body of `POST /{phone-number-id}/messages` that sends a message.
pub const MESSAGE: &str = "Message";
/// The body of `POST /{phone-number-id}/messages` that marks a message read (and shows typing).
pub const MARK_READ: &str = "MarkMessageRequestPayload";
/// The body of `POST /{waba-id}/message_templates` (a mend; see the module's documentation).
pub const NEW_TEMPLATE: &str = "NewMessageTemplate";
/// A webhook Meta posts (`paths./whatsapp/webhooks.post`); usable for status webhooks only
/// (see the module's documentation).
pub const WEBHOOK: &str = "WebhookPayload";

const TEMPLATE_CATEGORIES: [&str; 3] = ["AUTHENTICATION", "MARKETING", "UTILITY"];

/// The description as Meta publishes it, read once.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/meta-business-messaging-api_v23.0.yaml"
        );
        let text = std::fs::read_to_string(path).expect("the vendored OpenAPI description");
        serde_saphyr::from_str(&text).expect("the OpenAPI description parses")
    })
}

/// The request body `paths.{path}.{method}` documents, with its named examples.
pub fn request_body(path: &str, method: &str) -> &'static Value {
    &document()["paths"][path][method]["requestBody"]["content"]["application/json"]
}

/// `components.schemas`, mended (see the module's documentation).
pub fn schemas() -> &'static Value {
    static SCHEMAS: OnceLock<Value> = OnceLock::new();
    SCHEMAS.get_or_init(mend)
}

fn mend() -> Value {
    let mut schemas = document()["components"]["schemas"].clone();
    drop_pattern(&mut schemas, "^[2-6, 11-14]$");
    for schema in schemas.as_object_mut().expect("schemas").values_mut() {
        let Some(branches) = schema.get_mut("allOf").and_then(Value::as_array_mut) else {
            continue;
        };
        let mut closed = false;
        for branch in branches.iter_mut() {
            if let Some(object) = branch.as_object_mut()
                && object.get("additionalProperties") == Some(&Value::Bool(false))
            {
                object.remove("additionalProperties");
                closed = true;
            }
        }
        if closed {
            schema["unevaluatedProperties"] = Value::Bool(false);
        }
    }
    schemas["ActionObject"]["oneOf"]
        .as_array_mut()
        .expect("ActionObject.oneOf")
        .push(json!({
            "required": ["name", "parameters"],
            "properties": {
                "name": {"type": "string", "enum": ["cta_url"]},
                "parameters": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["display_text", "url"],
                    "properties": {
                        "display_text": {"type": "string", "maxLength": 20},
                        "url": {"type": "string"}
                    }
                }
            }
        }));
    schemas["InteractiveObject"]["properties"]["type"]["enum"]
        .as_array_mut()
        .expect("interactive types")
        .push(json!("cta_url"));
    let mut new_template =
        request_body("/{Version}/{WABA-ID}/message_templates", "post")["schema"].clone();
    assert!(new_template.is_object(), "the template creation schema");
    new_template["required"] = json!(["name", "language", "category", "components"]);
    new_template["properties"]["category"]["enum"] = json!(TEMPLATE_CATEGORIES);
    schemas[NEW_TEMPLATE] = new_template;
    schemas
}

fn drop_pattern(schema: &mut Value, pattern: &str) {
    match schema {
        Value::Object(object) => {
            if object.get("pattern").and_then(Value::as_str) == Some(pattern) {
                object.remove("pattern");
            }
            object
                .values_mut()
                .for_each(|value| drop_pattern(value, pattern));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|value| drop_pattern(value, pattern)),
        _ => {}
    }
}

/// The compiled validator of `components.schemas.{schema}` (mended).
///
/// # Panics
/// When the description has no such schema: a test asked for something that does not exist.
pub fn validator(schema: &str) -> Arc<Validator> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let validators = VALIDATORS.get_or_init(Mutex::default);
    if let Some(validator) = validators.lock().expect("validators lock").get(schema) {
        return validator.clone();
    }
    assert!(
        schemas().get(schema).is_some(),
        "Meta's description has no schema {schema:?}"
    );
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{schema}"),
        "components": {"schemas": schemas()},
    });
    let compiled = Arc::new(
        jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("the schema {schema} compiles: {e}")),
    );
    validators
        .lock()
        .expect("validators lock")
        .entry(schema.to_owned())
        .or_insert(compiled)
        .clone()
}

/// What is wrong with `body` against `components.schemas.{schema}`: one line per error, with
/// where in the body it is; empty when the body is valid.
pub fn violations(schema: &str, body: &Value) -> Vec<String> {
    validator(schema)
        .iter_errors(body)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}
