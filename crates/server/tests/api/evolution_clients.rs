//! Evolution API's own clients from PyPI (`evolutionapi`, `evolution-whatsapp`,
//! `pyevolutionapi`) drive wagate with nothing changed but the base URL and the key: create,
//! connect, send text and media (multipart and base64), check a number, list instances and
//! set the webhook. The script is `tests/clients/evolution_clients.py`; CI installs the
//! clients and names the Python that has them in `WAGATE_TEST_EVOLUTION_PYTHON`.

use crate::evolution_instances::sandbox_baileys;
use crate::files;
use crate::receiver::Receiver;
use crate::support::*;
use serde_json::Value;
use std::time::Duration;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/clients/evolution_clients.py"
);

#[tokio::test]
async fn evolutions_python_clients_run_unchanged() {
    let Some(python) = wagate_store::testing::service_url(
        "WAGATE_TEST_EVOLUTION_PYTHON",
        "Evolution API clients from PyPI",
    ) else {
        return;
    };
    let receiver = Receiver::start().await;
    let server = TestServer::start(Backend::Sqlite, sandbox_baileys).await;
    let key = server.account("Acme").await;
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("photo.png");
    std::fs::write(&image, files::png(8)).unwrap();

    let run = tokio::process::Command::new(&python)
        .arg(SCRIPT)
        .arg(&server.base)
        .arg(&key)
        .arg(&receiver.url)
        .arg(&image)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the clients finish within two minutes")
        .expect("the Python interpreter runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the clients failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|_| panic!("the script's last line is its result: {stdout}"));

    // Every message the clients sent went out, and the webhook they set told of each.
    let sent: Vec<String> = result["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent.len(), 4);
    for id in &sent {
        let message = server
            .wait_for_message_where(&key, id, "sent", |message| {
                ["sent", "delivered", "read"].contains(&message["status"].as_str().unwrap_or(""))
            })
            .await;
        assert!(
            message["to"].as_str().unwrap().contains("15550002222"),
            "{message}"
        );
    }
    let received = receiver
        .wait_for("send.message for each message", |received| {
            sent.iter().all(|id| {
                received.iter().any(|r| {
                    let body = r.json();
                    body["event"] == "send.message" && body["data"]["key"]["id"] == id.as_str()
                })
            })
        })
        .await;
    assert!(
        received.iter().all(|r| r.header("x-receiver") == "python"),
        "the webhook's headers come with every delivery"
    );
    server.stop().await;
}
