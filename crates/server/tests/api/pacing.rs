//! Pacing against bans, seen from the simulated WhatsApp: gaps between sends, the gap per
//! chat, the daily cap, "typing…", and one paced number never holding up another.

use crate::support::*;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wagate_server::config::Config;

fn paced(config: &mut Config) {
    config.pacing.enabled = true;
    config.pacing.min_gap_ms = 300;
    config.pacing.max_gap_ms = 400;
    config.pacing.recipient_gap_ms = 0;
    config.pacing.warmup = Vec::new();
    config.pacing.daily_cap = 1000;
}

/// When each message reached the simulated WhatsApp, in order.
async fn sent_times(
    server: &TestServer,
    key: &str,
    instance: &str,
) -> Vec<(String, DateTime<Utc>)> {
    server
        .sandbox_activity(key, instance)
        .await
        .into_iter()
        .filter(|a| a["kind"] == "message")
        .map(|a| {
            (
                a["messageId"].as_str().unwrap().to_owned(),
                a["at"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

fn millis(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_milliseconds()
}

/// The first UTC midnight after `now`: when a capped number's next day starts.
fn midnight_after(now: DateTime<Utc>) -> DateTime<Utc> {
    (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

/// Replaces the pacing settings of the instance "sales"; answers the instance.
async fn set_pacing(server: &TestServer, key: &str, pacing: Value) -> Value {
    let (status, body) = server
        .call(
            reqwest::Method::PATCH,
            "/api/v1/instances/sales",
            Some(key),
            Some(json!({"settings": {"pacing": pacing}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].clone()
}

/// Sends "Hello" from "sales" to `count` numbers, `first` and the ones after it; answers each
/// accepted message.
async fn send_to_many(server: &TestServer, key: &str, count: u64, first: u64) -> Vec<Value> {
    let mut accepted = Vec::new();
    for n in 0..count {
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                key,
                json!({"to": (first + n).to_string(), "text": "Hello"}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        accepted.push(body["data"].clone());
    }
    accepted
}

#[tokio::test]
async fn sends_of_a_number_keep_their_gap_and_never_hold_up_another_number() {
    on_each_backend_with(paced, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        server.instance(&key, "support").await;
        server.link(&key, "support", "15550003333").await;

        let started = Instant::now();
        let mut ids = Vec::new();
        for n in 0..4 {
            ids.push(
                server
                    .send_text(&key, "sales", &format!("1555000{}", 4000 + n), "Offer")
                    .await,
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "requests do not wait for pacing"
        );
        let other = server.send_text(&key, "support", "15550009999", "Hi").await;
        server.wait_for_message(&key, &other, "read").await;
        for id in &ids {
            server.wait_for_message(&key, id, "read").await;
        }

        let sales = sent_times(&server, &key, "sales").await;
        assert_eq!(
            sales.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
            ids,
            "in order"
        );
        // The gap counts from when a send really went, however late its lane started.
        for pair in sales.windows(2) {
            let gap = millis(pair[0].1, pair[1].1);
            assert!(gap >= 295, "{gap} ms between two sends of one number");
        }
        // The other number sent while the first was still working through its queue.
        let support = sent_times(&server, &key, "support").await;
        assert!(
            support[0].1 < sales[3].1,
            "support sent at {}, the last sales message at {}",
            support[0].1,
            sales[3].1
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_chat_written_to_moments_ago_waits_its_own_gap() {
    let config = |config: &mut Config| {
        paced(config);
        config.pacing.min_gap_ms = 0;
        config.pacing.max_gap_ms = 0;
        config.pacing.recipient_gap_ms = 600;
    };
    on_each_backend_with(config, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let first = server.send_text(&key, "sales", "15550004444", "One").await;
        let second = server.send_text(&key, "sales", "15550004444", "Two").await;
        let elsewhere = server.send_text(&key, "sales", "15550005555", "Hi").await;
        for id in [&first, &second, &elsewhere] {
            server.wait_for_message(&key, id, "read").await;
        }
        let sent = sent_times(&server, &key, "sales").await;
        let at = |id: &str| sent.iter().find(|(sent, _)| sent == id).unwrap().1;
        // The gap runs from claim to claim; under a loaded machine a send can lag its claim
        // by a few hundred milliseconds, so only half the gap is asserted (unpaced, it is ~0).
        let gap = millis(at(&first), at(&second));
        assert!(gap >= 300, "{gap} ms between two sends to one chat");
        assert!(
            at(&elsewhere) < at(&second),
            "another chat does not wait for it"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn held_messages_go_out_as_the_days_pass_and_the_warm_up_rises_after_a_week() {
    on_each_backend_with(paced, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        set_pacing(
            &server,
            &key,
            json!({"warmup": [2, 3], "minGapMs": 0, "maxGapMs": 0}),
        )
        .await;
        let ids: Vec<String> = send_to_many(&server, &key, 7, 15550005000)
            .await
            .iter()
            .map(|message| message["id"].as_str().unwrap().to_owned())
            .collect();
        // Day 1 of the first week: two.
        server.wait_for_message(&key, &ids[1], "read").await;
        let day_two = midnight_after(Utc::now());
        for id in &ids[2..] {
            let held = server.wait_for_message(&key, id, "scheduled").await;
            assert_eq!(
                held["scheduledFor"]
                    .as_str()
                    .unwrap()
                    .parse::<DateTime<Utc>>()
                    .unwrap(),
                day_two
            );
        }
        assert_eq!(sent_times(&server, &key, "sales").await.len(), 2);

        // The clock passes midnight: day 2, still the first week, two more.
        server.advance_clock(day_two - Utc::now() + chrono::TimeDelta::minutes(1));
        server.wait_for_message(&key, &ids[3], "read").await;
        let day_three = day_two + chrono::Days::new(1);
        // They were held for day two before; the dispatcher holds them again, for day three.
        for id in &ids[4..] {
            server
                .wait_for_message_where(&key, id, "held for day three", |held| {
                    held["status"] == "scheduled" && scheduled_for(held) == Some(day_three)
                })
                .await;
        }
        assert_eq!(sent_times(&server, &key, "sales").await.len(), 4);

        // A week later the number is in its second week of warm-up: three a day.
        server.advance_clock(chrono::TimeDelta::days(7));
        for id in &ids[4..] {
            server.wait_for_message(&key, id, "read").await;
        }
        assert_eq!(sent_times(&server, &key, "sales").await.len(), 7);
        // The last cap ended days ago, by the gateway's clock.
        let (_, instance) = server.get("/api/v1/instances/sales", &key).await;
        assert!(instance["data"].get("cappedUntil").is_none(), "{instance}");
    })
    .await;
}

#[tokio::test]
async fn a_number_at_its_daily_cap_sends_the_rest_the_next_utc_day() {
    on_each_backend_with(paced, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        // A brand-new number: its own warm-up allows two messages a day.
        let instance =
            set_pacing(&server, &key, json!({"warmup": [2], "minGapMs": 0, "maxGapMs": 0})).await;
        assert_eq!(instance["settings"]["pacing"]["warmup"], json!([2]));
        let mut ids = Vec::new();
        for message in send_to_many(&server, &key, 4, 15550004000).await {
            // Queued, or scheduled at once when the cap was reached before it arrived.
            assert!(["queued", "scheduled"].contains(&message["status"].as_str().unwrap()));
            ids.push(message["id"].as_str().unwrap().to_owned());
        }
        server.wait_for_message(&key, &ids[0], "read").await;
        server.wait_for_message(&key, &ids[1], "read").await;
        let tomorrow = midnight_after(Utc::now());
        for id in &ids[2..] {
            let held = server.wait_for_message(&key, id, "scheduled").await;
            let scheduled_for: DateTime<Utc> = held["scheduledFor"].as_str().unwrap().parse().unwrap();
            assert_eq!(scheduled_for, tomorrow, "{held}");
        }
        // What is sent while the number is capped is scheduled for the same window at once.
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({"to": "15550008888", "text": "Later"}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["status"], "scheduled");
        let (_, instance) = server.get("/api/v1/instances/sales", &key).await;
        let capped: DateTime<Utc> = instance["data"]["cappedUntil"].as_str().unwrap().parse().unwrap();
        assert_eq!(capped, tomorrow);
        assert_eq!(sent_times(&server, &key, "sales").await.len(), 2);

        // Bad settings are refused field by field.
        let (status, body) = server
            .call(
                reqwest::Method::PATCH,
                "/api/v1/instances/sales",
                Some(&key),
                Some(json!({"settings": {"pacing": {"minGapMs": 5000, "maxGapMs": 10, "dailyCap": 0}}})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            fields(&body),
            ["settings.pacing.maxGapMs", "settings.pacing.dailyCap"]
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn typing_shows_before_the_message_without_holding_the_request() {
    let config = |config: &mut Config| {
        paced(config);
        config.pacing.typing_ms_per_char = 20;
        config.pacing.typing_min_ms = 200;
        config.pacing.typing_max_ms = 2000;
    };
    on_each_backend_with(config, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let text = "a".repeat(30);
        let started = Instant::now();
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({"to": "15550004444", "text": text, "simulateTyping": true}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert!(
            started.elapsed() < Duration::from_millis(400),
            "the request did not wait"
        );
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        server.wait_for_message(&key, &id, "read").await;

        let seen = server.sandbox_activity(&key, "sales").await;
        let kinds: Vec<_> = seen.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["typing", "paused", "message"]);
        let at = |i: usize| {
            seen[i]["at"]
                .as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
        };
        assert!(millis(at(0), at(2)) >= 590, "30 characters type for 600 ms");
        assert_eq!(seen[0]["chat"], "15550004444@s.whatsapp.net");
        server.stop().await;
    })
    .await;
}

fn scheduled_for(message: &Value) -> Option<DateTime<Utc>> {
    message["scheduledFor"].as_str()?.parse().ok()
}
