//! Resident memory of the real `wagate` process while a 100 MB document streams in: uploads
//! must not be held in memory. What is measured is the growth of the peak resident set over
//! the idle server's, so the test does not depend on how many worker threads the machine gives
//! the runtime; holding the upload would grow it by 100 MB or more.

use futures_util::stream;
use reqwest::multipart::{Form, Part};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const UPLOAD_BYTES: u64 = 100 * 1024 * 1024;
const CHUNK: usize = 256 * 1024;
const MAX_GROWTH_KB: u64 = 25 * 1024;

/// The peak resident set of a process, from /proc, in kB.
fn peak_resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test]
async fn a_100_mb_upload_grows_memory_by_under_25_mb() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wagate"))
        .env("WAGATE_LISTEN", "127.0.0.1:0")
        .env("WAGATE_DATA_DIR", dir.path())
        .env("WAGATE_ADMIN_KEY", "memory-admin")
        .env("WAGATE_LOG__LEVEL", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("wagate starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let address = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("serving on http://")
                .nth(1)
                .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        })
        .expect("the serving line");
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    let account: serde_json::Value = client
        .post(format!("{base}/api/v1/accounts"))
        .bearer_auth("memory-admin")
        .json(&serde_json::json!({ "name": "Memory" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = account["data"]["apiKey"].as_str().unwrap().to_owned();
    let before = peak_resident_kb(child.id());

    let mut first = b"%PDF-1.4\n".to_vec();
    first.resize(CHUNK, b' ');
    let chunks = (0..UPLOAD_BYTES as usize / CHUNK).map(move |i| {
        Ok::<_, std::io::Error>(if i == 0 {
            first.clone()
        } else {
            vec![b' '; CHUNK]
        })
    });
    let part = Part::stream_with_length(
        reqwest::Body::wrap_stream(stream::iter(chunks)),
        UPLOAD_BYTES,
    )
    .file_name("big.pdf")
    .mime_str("application/pdf")
    .unwrap();
    let response = client
        .post(format!("{base}/api/v1/media"))
        .bearer_auth(&key)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    let peak = peak_resident_kb(child.id());
    child.kill().ok();
    child.wait().ok();

    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["size"], UPLOAD_BYTES);
    assert_eq!(body["data"]["mimetype"], "application/pdf");
    println!(
        "resident memory: {before} kB before, peak {peak} kB during a {} MB upload",
        UPLOAD_BYTES >> 20
    );
    let growth = peak.saturating_sub(before);
    assert!(
        growth < MAX_GROWTH_KB,
        "the upload grew peak resident memory by {growth} kB, over {MAX_GROWTH_KB} kB"
    );
}
