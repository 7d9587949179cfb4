//! The compatibility dialects: other gateways' APIs, served so that code written for them runs
//! against wagate with only the base URL and the key changed.
//!
//! Each dialect is a router that translates its vendor's shapes into the same service calls
//! the native API makes, and the services' answers back into its vendor's shapes; it holds no
//! rule of its own. A dialect imports only `crate::services` and `wagate_core` (a test reads
//! the sources to hold that), so every rule stays where the native API finds it too.

pub mod evolution;
pub mod multipart;
pub mod refusal;
pub mod sessions;
pub mod whatsapi;

use crate::services::Gateway;
use axum::extract::FromRef;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// What a dialect needs from the server around it.
#[derive(Clone, Copy, Debug)]
pub struct DialectLimits {
    /// The largest JSON send (media may come inline as base64).
    pub send_json: usize,
    /// The largest multipart send: the largest media file plus the form.
    pub upload: usize,
}

/// How the dialects are set up (from the configuration).
#[derive(Clone, Debug)]
pub struct DialectSettings {
    pub evolution: evolution::EvolutionSettings,
}

/// Every dialect's routes, for any router state that holds the gateway.
pub fn routes<S>(limits: DialectLimits, settings: DialectSettings) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    evolution::routes(limits)
        .layer(axum::Extension(settings.evolution))
        .merge(multipart::routes(limits))
        .merge(whatsapi::routes(limits))
        .merge(sessions::routes(limits))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }

    /// The rule of the module docs: a dialect reaches the gateway only through the services,
    /// never the HTTP layer, the store, the engines or SQL of its own.
    #[test]
    fn dialects_reach_the_gateway_only_through_the_services() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dialects");
        let mut files = Vec::new();
        sources(&root, &mut files);
        assert!(files.len() > 10, "the dialect sources are read");
        for file in files {
            let whole = std::fs::read_to_string(&file).unwrap();
            // This test names what it looks for.
            let text = match whole.find("#[cfg(test)]\nmod tests {\n    use std::path") {
                Some(end) => &whole[..end],
                None => &whole,
            };
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                assert!(
                    rest.starts_with("services") || rest.starts_with("dialects"),
                    "{} reaches crate::{} (only crate::services is open to dialects)",
                    file.display(),
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap_or_default()
                );
            }
            for crate_name in ["wagate_store", "wagate_engine", "sqlx"] {
                assert!(
                    !text.contains(&format!("{crate_name}::")),
                    "{} uses {crate_name}",
                    file.display()
                );
            }
        }
    }
}
