//! Delivery statistics: counts per status and day of what an account or instance sent, with
//! seed 004's rates, scoped to the caller.

use crate::support::*;
use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::json;

const SUMMARY: &str = "/api/v1/analytics/summary";

fn at(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[tokio::test]
async fn the_summary_counts_what_was_sent_per_status_and_day() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let mut read = Vec::new();
        for n in 0..3 {
            read.push(
                server
                    .send_text(&key, "sales", "15550002222", &format!("#{n}"))
                    .await,
            );
        }
        // Numbers ending in 0000 are not on WhatsApp in the sandbox: the send fails for good.
        let failed = server
            .send_text(&key, "sales", "15550000000", "nobody")
            .await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "15550002222", "text": "later", "sendAt": at(Duration::hours(2)) }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        for id in &read {
            server.wait_for_message(&key, id, "read").await;
        }
        server.wait_for_message(&key, &failed, "failed").await;
        // A second number of the same account, counted apart when asked for.
        let (other_id, other_key) = server.instance(&key, "support").await;
        server.link(&key, "support", "15550003333").await;
        let other = server
            .send_text(&other_key, &other_id, "15550002222", "hi")
            .await;
        server.wait_for_message(&other_key, &other, "read").await;

        let (status, body) = server.get(SUMMARY, &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let data = &body["data"];
        assert_eq!(data["total"], 6, "{data}");
        assert_eq!(
            data["byStatus"],
            json!({"read": 4, "failed": 1, "scheduled": 1})
        );
        assert_eq!(data["deliveryRate"], 0.67);
        assert_eq!(data["failureRate"], 0.17);
        let series = data["series"].as_array().unwrap();
        assert_eq!(
            series.len(),
            31,
            "a day per day of the default 30-day range"
        );
        let today = Utc::now().date_naive().to_string();
        let last = series.last().unwrap();
        assert_eq!(last["date"], today);
        assert_eq!(last["total"], 6);
        assert!(series[..30].iter().all(|day| day["total"] == 0));

        // A range whose whole hours hold this hour: counted from the hourly counts (the
        // inserts' deltas and the status changes' triggers), with the same answer.
        let (status, body) = server
            .get(
                &format!(
                    "{SUMMARY}?from={}&to={}",
                    at(Duration::hours(-3)),
                    at(Duration::hours(3))
                ),
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["total"], 6, "{body}");
        assert_eq!(
            body["data"]["byStatus"],
            json!({"read": 4, "failed": 1, "scheduled": 1})
        );

        let (_, body) = server.get(&format!("{SUMMARY}?instance=sales"), &key).await;
        assert_eq!(body["data"]["total"], 5);
        assert_eq!(body["data"]["deliveryRate"], 0.6);
        assert_eq!(body["data"]["failureRate"], 0.2);
        // An instance key sees its own number only, whatever it asks for.
        let (_, body) = server.get(SUMMARY, &other_key).await;
        assert_eq!(body["data"]["total"], 1);
        assert_eq!(body["data"]["instanceId"], other_id);
        let (status, _) = server
            .get(&format!("{SUMMARY}?instance=sales"), &other_key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // A range that ends before anything was sent counts nothing.
        let (_, body) = server
            .get(
                &format!(
                    "{SUMMARY}?from={}&to={}",
                    at(Duration::days(-3)),
                    at(Duration::hours(-1))
                ),
                &key,
            )
            .await;
        assert_eq!(body["data"]["total"], 0);
        assert_eq!(body["data"]["deliveryRate"], 0.0);
        assert_eq!(body["data"]["series"].as_array().unwrap().len(), 4);

        // Another account sees none of it.
        let stranger = server.account("Other").await;
        let (_, body) = server.get(SUMMARY, &stranger).await;
        assert_eq!(body["data"]["total"], 0);
        let (status, _) = server
            .get(&format!("{SUMMARY}?instance=sales"), &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn bad_ranges_are_refused() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for (query, field) in [
            ("from=yesterday", "from"),
            (
                &*format!(
                    "from={}&to={}",
                    at(Duration::hours(1)),
                    at(Duration::hours(-1))
                ),
                "from",
            ),
            (
                &*format!(
                    "from={}&to={}",
                    at(Duration::days(-400)),
                    at(Duration::zero())
                ),
                "to",
            ),
        ] {
            let (status, body) = server.get(&format!("{SUMMARY}?{query}"), &key).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(body["code"], "VALIDATION_ERROR");
            assert_eq!(body["details"][0]["field"], field, "{body}");
        }
        let (status, _) = server.get(SUMMARY, "not-a-key").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}
