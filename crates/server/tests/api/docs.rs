//! Probes, the OpenAPI document and the offline docs page.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn probes_answer() {
    let server = TestServer::start(Backend::Sqlite, |_| {}).await;
    for path in ["/healthz", "/readyz"] {
        let (status, body) = server.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["success"], true);
    }
    let (status, body) = server
        .call(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "NOT_FOUND");
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let server = TestServer::start(Backend::Sqlite, |_| {}).await;
    let (status, doc) = server.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/v1/accounts", vec!["get", "post"]),
        ("/api/v1/auth/me", vec!["get"]),
        ("/api/v1/accounts/{id}", vec!["patch"]),
        ("/api/v1/instances", vec!["get", "post"]),
        ("/api/v1/instances/{id}", vec!["delete", "get", "patch"]),
        ("/api/v1/instances/{id}/connect", vec!["post"]),
        ("/api/v1/instances/{id}/qr", vec!["get"]),
        ("/api/v1/instances/{id}/status", vec!["get", "post"]),
        ("/api/v1/instances/{id}/status/{statusId}", vec!["delete"]),
        ("/api/v1/instances/{id}/logout", vec!["post"]),
        ("/api/v1/instances/{id}/restart", vec!["post"]),
        ("/api/v1/instances/{id}/messages", vec!["post"]),
        ("/api/v1/instances/{id}/messages/bulk", vec!["post"]),
        ("/api/v1/instances/{id}/contacts/check", vec!["post"]),
        ("/api/v1/instances/{id}/on-whatsapp/{phone}", vec!["get"]),
        (
            "/api/v1/instances/{id}/contacts/{phone}/block",
            vec!["post"],
        ),
        (
            "/api/v1/instances/{id}/contacts/{phone}/unblock",
            vec!["post"],
        ),
        ("/api/v1/instances/{id}/contacts", vec!["get", "put"]),
        (
            "/api/v1/instances/{id}/contacts/{phone}/picture",
            vec!["get"],
        ),
        (
            "/api/v1/instances/{id}/profile/picture",
            vec!["delete", "put"],
        ),
        (
            "/api/v1/instances/{id}/groups/{jid}/picture",
            vec!["delete", "get", "put"],
        ),
        ("/api/v1/instances/{id}/contacts/blocklist", vec!["get"]),
        ("/api/v1/instances/{id}/settings", vec!["get", "put"]),
        ("/api/v1/instances/{id}/presence", vec!["put"]),
        ("/api/v1/instances/{id}/chats", vec!["get"]),
        ("/api/v1/instances/{id}/chats/{jid}", vec!["delete"]),
        ("/api/v1/instances/{id}/labels", vec!["get", "post"]),
        ("/api/v1/instances/{id}/communities", vec!["get", "post"]),
        ("/api/v1/instances/{id}/newsletters", vec!["get", "post"]),
        ("/api/v1/instances/{id}/newsletters/{jid}", vec!["get"]),
        ("/api/v1/instances/{id}/profile/privacy", vec!["get", "put"]),
        (
            "/api/v1/instances/{id}/newsletters/{jid}/posts",
            vec!["get"],
        ),
        (
            "/api/v1/instances/{id}/newsletters/{jid}/{action}",
            vec!["post"],
        ),
        (
            "/api/v1/instances/{id}/communities/{jid}/groups",
            vec!["get"],
        ),
        (
            "/api/v1/instances/{id}/communities/{jid}/groups/link",
            vec!["post"],
        ),
        (
            "/api/v1/instances/{id}/communities/{jid}/groups/unlink",
            vec!["post"],
        ),
        (
            "/api/v1/instances/{id}/labels/{labelId}",
            vec!["delete", "put"],
        ),
        ("/api/v1/instances/{id}/labels/{labelId}/chats", vec!["get"]),
        (
            "/api/v1/instances/{id}/chats/{jid}/labels/{labelId}",
            vec!["delete", "post"],
        ),
        ("/api/v1/instances/{id}/chats/{jid}/messages", vec!["get"]),
        ("/api/v1/instances/{id}/chats/{jid}/read", vec!["post"]),
        ("/api/v1/instances/{id}/chats/{jid}/{action}", vec!["post"]),
        ("/api/v1/instances/{id}/calls/{callId}/reject", vec!["post"]),
        ("/api/v1/instances/{id}/contacts/{phone}", vec!["get"]),
        ("/api/v1/instances/{id}/profile", vec!["get"]),
        ("/api/v1/instances/{id}/profile/name", vec!["put"]),
        ("/api/v1/instances/{id}/profile/status", vec!["put"]),
        ("/api/v1/instances/{id}/chats/{jid}/presence", vec!["post"]),
        ("/api/v1/instances/{id}/groups", vec!["get", "post"]),
        ("/api/v1/instances/{id}/groups/join", vec!["post"]),
        ("/api/v1/instances/{id}/groups/{jid}", vec!["get"]),
        (
            "/api/v1/instances/{id}/groups/{jid}/participants",
            vec!["get"],
        ),
        ("/api/v1/instances/{id}/groups/{jid}/subject", vec!["put"]),
        (
            "/api/v1/instances/{id}/groups/{jid}/description",
            vec!["put"],
        ),
        ("/api/v1/instances/{id}/groups/{jid}/settings", vec!["put"]),
        (
            "/api/v1/instances/{id}/groups/{jid}/participants/{action}",
            vec!["post"],
        ),
        (
            "/api/v1/instances/{id}/groups/{jid}/invite-link",
            vec!["get"],
        ),
        (
            "/api/v1/instances/{id}/groups/{jid}/invite-link/revoke",
            vec!["post"],
        ),
        ("/api/v1/instances/{id}/groups/{jid}/leave", vec!["post"]),
        ("/api/v1/instances/{id}/groups/invite/{code}", vec!["get"]),
        ("/api/v1/instances/{id}/groups/{jid}/requests", vec!["get"]),
        (
            "/api/v1/instances/{id}/groups/{jid}/requests/{action}",
            vec!["post"],
        ),
        ("/api/v1/messages", vec!["get"]),
        ("/api/v1/messages/{id}", vec!["get"]),
        ("/api/v1/messages/{id}/react", vec!["post"]),
        ("/api/v1/messages/{id}/edit", vec!["post"]),
        ("/api/v1/messages/{id}/revoke", vec!["post"]),
        ("/api/v1/messages/{id}/read", vec!["post"]),
        ("/api/v1/messages/{id}/forward", vec!["post"]),
        ("/api/v1/messages/{id}/pin", vec!["post"]),
        ("/api/v1/messages/{id}/unpin", vec!["post"]),
        ("/api/v1/messages/{id}/cancel", vec!["post"]),
        ("/api/v1/messages/{id}/retry", vec!["post"]),
        ("/api/v1/events", vec!["get"]),
        ("/api/v1/events/stream", vec!["get"]),
        ("/api/v1/events/ws", vec!["get"]),
        ("/api/v1/webhooks", vec!["get", "post"]),
        ("/api/v1/webhooks/{id}", vec!["delete", "get", "patch"]),
        ("/api/v1/webhooks/{id}/rotate-secret", vec!["post"]),
        ("/api/v1/webhooks/{id}/test", vec!["post"]),
        ("/api/v1/webhooks/{id}/deliveries", vec!["get"]),
        (
            "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry",
            vec!["post"],
        ),
        ("/api/v1/webhooks/{id}/replay", vec!["post"]),
        ("/api/v1/auth/me/webhook", vec!["delete", "put"]),
        ("/api/v1/analytics/summary", vec!["get"]),
        ("/api/v1/media", vec!["post"]),
        ("/api/v1/media/{id}", vec!["delete", "get"]),
        ("/api/v1/instances/{id}/keys", vec!["get", "post"]),
        ("/api/v1/instances/{id}/keys/{keyId}", vec!["delete"]),
        ("/api/v1/sinks", vec!["get"]),
        ("/api/v1/sandbox/link", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/disconnect", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/reconnect", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/inbound", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/call", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/presence", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/faults", vec!["post"]),
        ("/api/v1/sandbox/instances/{id}/activity", vec!["get"]),
        ("/api/v1/instances/{id}/verify", vec!["post"]),
        ("/api/v1/instances/{id}/cloud", vec!["get", "put"]),
        ("/api/v1/instances/{id}/templates", vec!["get", "post"]),
        ("/api/v1/auth/me/credentials", vec!["delete", "put"]),
        ("/api/v1/auth/me/credentials/verify", vec!["post"]),
        ("/webhooks/meta/{id}", vec!["get", "post"]),
        ("/webhook/set/{instance}", vec!["post"]),
        ("/webhook/find/{instance}", vec!["get"]),
        ("/settings/set/{instance}", vec!["post"]),
        ("/settings/find/{instance}", vec!["get"]),
        ("/healthz", vec!["get"]),
        ("/readyz", vec!["get"]),
        // Evolution API (seed 000).
        ("/", vec!["get"]),
        ("/instance/create", vec!["post"]),
        ("/instance/connect/{instance}", vec!["get"]),
        ("/instance/connectionState/{instance}", vec!["get"]),
        ("/instance/fetchInstances", vec!["get"]),
        ("/instance/restart/{instance}", vec!["post"]),
        ("/instance/setPresence/{instance}", vec!["post"]),
        ("/instance/logout/{instance}", vec!["delete"]),
        ("/instance/delete/{instance}", vec!["delete"]),
        ("/label/findLabels/{instance}", vec!["get"]),
        ("/label/handleLabel/{instance}", vec!["post"]),
        ("/chat/whatsappNumbers/{instance}", vec!["post"]),
        ("/chat/markMessageAsRead/{instance}", vec!["post"]),
        ("/chat/archiveChat/{instance}", vec!["post"]),
        ("/chat/markChatUnread/{instance}", vec!["post"]),
        ("/chat/getBase64FromMediaMessage/{instance}", vec!["post"]),
        ("/chat/updateMessage/{instance}", vec!["post"]),
        ("/chat/sendPresence/{instance}", vec!["post"]),
        ("/chat/updateBlockStatus/{instance}", vec!["post"]),
        ("/chat/findContacts/{instance}", vec!["post"]),
        ("/chat/findMessages/{instance}", vec!["post"]),
        ("/chat/findStatusMessage/{instance}", vec!["post"]),
        ("/chat/findChats/{instance}", vec!["post"]),
        ("/chat/fetchProfilePictureUrl/{instance}", vec!["post"]),
        ("/chat/fetchProfile/{instance}", vec!["post"]),
        ("/chat/fetchBusinessProfile/{instance}", vec!["post"]),
        ("/chat/updateProfileName/{instance}", vec!["post"]),
        ("/chat/updateProfileStatus/{instance}", vec!["post"]),
        ("/chat/updateProfilePicture/{instance}", vec!["post"]),
        ("/chat/updatePrivacySettings/{instance}", vec!["post"]),
        ("/chat/deleteMessageForEveryone/{instance}", vec!["delete"]),
        ("/chat/removeProfilePicture/{instance}", vec!["delete"]),
        ("/chat/findChatByRemoteJid/{instance}", vec!["get"]),
        ("/chat/fetchPrivacySettings/{instance}", vec!["get"]),
        ("/message/sendText/{instance}", vec!["post"]),
        ("/message/sendMedia/{instance}", vec!["post"]),
        ("/message/sendPtv/{instance}", vec!["post"]),
        ("/message/sendWhatsAppAudio/{instance}", vec!["post"]),
        ("/message/sendSticker/{instance}", vec!["post"]),
        ("/message/sendStatus/{instance}", vec!["post"]),
        ("/message/sendLocation/{instance}", vec!["post"]),
        ("/message/sendContact/{instance}", vec!["post"]),
        ("/message/sendReaction/{instance}", vec!["post"]),
        ("/message/sendPoll/{instance}", vec!["post"]),
        ("/message/sendList/{instance}", vec!["post"]),
        ("/message/sendButtons/{instance}", vec!["post"]),
        ("/message/sendTemplate/{instance}", vec!["post"]),
        ("/group/create/{instance}", vec!["post"]),
        ("/group/updateGroupSubject/{instance}", vec!["post"]),
        ("/group/updateGroupDescription/{instance}", vec!["post"]),
        ("/group/updateGroupPicture/{instance}", vec!["post"]),
        ("/group/updateSetting/{instance}", vec!["post"]),
        ("/group/toggleEphemeral/{instance}", vec!["post"]),
        ("/group/updateParticipant/{instance}", vec!["post"]),
        ("/group/revokeInviteCode/{instance}", vec!["post"]),
        ("/group/sendInvite/{instance}", vec!["post"]),
        ("/group/findGroupInfos/{instance}", vec!["get"]),
        ("/group/fetchAllGroups/{instance}", vec!["get"]),
        ("/group/participants/{instance}", vec!["get"]),
        ("/group/inviteCode/{instance}", vec!["get"]),
        ("/group/inviteInfo/{instance}", vec!["get"]),
        ("/group/acceptInviteCode/{instance}", vec!["get"]),
        ("/group/leaveGroup/{instance}", vec!["delete"]),
        ("/api/whatsapp/send-text", vec!["post"]),
        ("/api/whatsapp/send-photo", vec!["post"]),
        ("/api/whatsapp/send-video", vec!["post"]),
        ("/api/whatsapp/send-audio", vec!["post"]),
        ("/api/whatsapp/send-file", vec!["post"]),
        ("/api/whatsapp/send-location", vec!["post"]),
        ("/api/whatsapp/send-poll", vec!["post"]),
        ("/api/whatsapp/send-reaction", vec!["post"]),
        ("/api/whatsapp/delete-message", vec!["post"]),
        ("/api/whatsapp/groups", vec!["get"]),
        // whatsapi.cc (seed 004) at the root.
        ("/auth/register", vec!["post"]),
        ("/auth/me", vec!["get"]),
        ("/auth/me/credentials", vec!["delete", "put"]),
        ("/auth/me/credentials/verify", vec!["post"]),
        ("/auth/me/rotate-key", vec!["post"]),
        ("/auth/me/webhook", vec!["delete", "put"]),
        ("/send-message", vec!["post"]),
        ("/messages/bulk", vec!["post"]),
        ("/messages", vec!["get"]),
        ("/messages/{id}", vec!["get"]),
        ("/messages/{id}/retry", vec!["post"]),
        ("/analytics/summary", vec!["get"]),
        ("/billing/checkout", vec!["post"]),
        ("/billing/portal", vec!["get"]),
        ("/webhooks/whatsapp", vec!["get", "post"]),
        // Seed 002's sessions API under /api/v1.
        ("/api/v1/whatsapp-sessions", vec!["get", "post"]),
        ("/api/v1/whatsapp-sessions/{id}", vec!["delete", "get"]),
        ("/api/v1/whatsapp-sessions/{id}/connect", vec!["post"]),
        ("/api/v1/whatsapp-sessions/{id}/disconnect", vec!["post"]),
        ("/api/v1/whatsapp-sessions/{id}/qrcode", vec!["get"]),
        ("/api/v1/whatsapp-sessions/{id}/webhook", vec!["put"]),
        ("/api/v1/send-message", vec!["post"]),
        ("/api/v1/auth/tokens", vec!["delete", "get", "post"]),
        ("/api/v1/auth/tokens/{id}", vec!["delete"]),
    ];
    assert_eq!(
        paths.len(),
        expected.len(),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, methods) in expected {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not documented"));
        let mut documented: Vec<_> = item.as_object().unwrap().keys().cloned().collect();
        documented.retain(|k| k != "parameters");
        documented.sort();
        assert_eq!(documented, methods, "{path}");
        for method in &documented {
            let responses: &Value = &item[method]["responses"];
            assert!(
                responses.as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has responses"
            );
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn the_docs_page_needs_nothing_from_the_internet() {
    let server = TestServer::start(Backend::Sqlite, |_| {}).await;
    let page = server.raw(Method::GET, "/docs").await.send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("/openapi.json"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
    let script = server
        .raw(Method::GET, "/docs/redoc.standalone.js")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.text().await.unwrap().len() > 100_000);
    server.stop().await;
}

/// Whether a schema (followed through `$ref`, arrays, `allOf`/`oneOf`, optional wrappers and
/// the response envelope's `data`) shows an example: on itself or on one of its properties.
fn shows_an_example(doc: &Value, schema: &Value, depth: usize) -> bool {
    if depth > 6 {
        return false;
    }
    if schema.get("example").is_some() || schema.get("examples").is_some() {
        return true;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return shows_an_example(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    let nested = ["allOf", "oneOf", "anyOf"]
        .iter()
        .filter_map(|key| schema[*key].as_array())
        .flatten()
        .chain(schema.get("items"))
        .any(|inner| shows_an_example(doc, inner, depth + 1));
    nested
        || schema["properties"].as_object().is_some_and(|properties| {
            properties.values().any(|property| {
                property.get("example").is_some()
                    || property.get("examples").is_some()
                    || shows_an_example(doc, property, depth + 1)
            })
        })
}

#[tokio::test]
async fn every_json_body_in_the_openapi_document_has_an_example() {
    let server = TestServer::start(Backend::Sqlite, |_| {}).await;
    let (_, doc) = server.call(Method::GET, "/openapi.json", None, None).await;
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let bodies = operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(kind, media)| (format!("request {kind}"), media));
            let answers = operation["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(code, _)| code.starts_with('2'))
                .flat_map(|(code, response)| {
                    response["content"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(move |(kind, media)| (format!("{code} {kind}"), media))
                });
            for (what, media) in bodies.chain(answers) {
                let json = what.ends_with("application/json");
                let shown = media.get("example").is_some()
                    || media.get("examples").is_some()
                    || shows_an_example(&doc, &media["schema"], 0);
                checked += usize::from(json);
                if json && !shown {
                    missing.push(format!("{method} {path}: {what}"));
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} JSON bodies were found");
    assert!(missing.is_empty(), "no example:\n{}", missing.join("\n"));
    server.stop().await;
}
