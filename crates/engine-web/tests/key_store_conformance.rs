//! The same storage scenarios against `whatsapp-rust`'s own `InMemoryBackend` (the library's
//! reference) and against wagate's key store on SQLite and PostgreSQL: every answer each
//! backend gives is written to a transcript, and the transcripts must be equal.

use std::sync::Arc;
use wagate_engine_web::KeyStore;
use wagate_store::testing;
use whatsapp_rust::bytes::Bytes;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::traits::{
    AppStateSyncKey, Backend, DeviceInfo, DeviceListRecord, DeviceStore, LidPnMappingEntry,
    MsgSecretEntry, SignalStore, TcTokenEntry,
};
use whatsapp_rust::wacore::store::{Device, InMemoryBackend};

/// What a backend answered, in order, each answer rendered so that it compares.
#[derive(Default)]
struct Transcript(Vec<String>);

impl Transcript {
    fn note(&mut self, what: &str, answer: impl std::fmt::Debug) {
        self.0.push(format!("{what}: {answer:?}"));
    }
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn signal(backend: &dyn Backend, t: &mut Transcript) {
    let alice = "15550000001.0:1";
    t.note(
        "identity before",
        backend.load_identity(alice).await.unwrap(),
    );
    backend.put_identity(alice, [7; 32]).await.unwrap();
    let batch: Vec<(Arc<str>, [u8; 32])> = vec![("b.0:1".into(), [8; 32]), (alice.into(), [9; 32])];
    backend.put_identities_batch(&batch).await.unwrap();
    t.note("identity", backend.load_identity(alice).await.unwrap());
    backend.delete_identity(alice).await.unwrap();
    t.note(
        "identity deleted",
        backend.load_identity(alice).await.unwrap(),
    );
    t.note(
        "other identity",
        backend.load_identity("b.0:1").await.unwrap(),
    );

    t.note("session before", backend.has_session(alice).await.unwrap());
    backend.put_session(alice, b"ratchet-1").await.unwrap();
    let sessions: Vec<(Arc<str>, Bytes)> = vec![
        (alice.into(), Bytes::from_static(b"ratchet-2")),
        ("c.0:3".into(), Bytes::from_static(b"other")),
    ];
    backend.put_sessions_batch(&sessions).await.unwrap();
    t.note("session", backend.get_session(alice).await.unwrap());
    t.note("has session", backend.has_session("c.0:3").await.unwrap());
    backend.delete_session(alice).await.unwrap();
    t.note("session deleted", backend.get_session(alice).await.unwrap());

    t.note(
        "max prekey empty",
        backend.get_max_prekey_id().await.unwrap(),
    );
    backend.store_prekey(5, b"p5", false).await.unwrap();
    let prekeys = vec![
        (12, Bytes::from_static(b"p12")),
        (9, Bytes::from_static(b"p9")),
    ];
    backend.store_prekeys_batch(&prekeys, true).await.unwrap();
    backend.mark_prekeys_uploaded(&[5, 77]).await.unwrap();
    t.note("prekey", backend.load_prekey(9).await.unwrap());
    t.note(
        "prekey batch",
        backend.load_prekeys_batch(&[12, 4, 5]).await.unwrap(),
    );
    t.note("max prekey", backend.get_max_prekey_id().await.unwrap());
    backend.remove_prekey(12).await.unwrap();
    t.note(
        "max prekey after removal",
        backend.get_max_prekey_id().await.unwrap(),
    );
    t.note("removed prekey", backend.load_prekey(12).await.unwrap());
    t.note(
        "prekey marked but absent",
        backend.load_prekey(77).await.unwrap(),
    );

    backend.store_signed_prekey(2, b"s2").await.unwrap();
    backend.store_signed_prekey(1, b"s1").await.unwrap();
    t.note(
        "signed prekey",
        backend.load_signed_prekey(2).await.unwrap(),
    );
    t.note(
        "all signed",
        sorted(backend.load_all_signed_prekeys().await.unwrap()),
    );
    backend.remove_signed_prekey(2).await.unwrap();
    t.note(
        "all signed after removal",
        backend.load_all_signed_prekeys().await.unwrap(),
    );

    let group_sender = "120363@g.us::15550000001.0:1";
    backend.put_sender_key(group_sender, b"k1").await.unwrap();
    let keys: Vec<(Arc<str>, Bytes)> = vec![(group_sender.into(), Bytes::from_static(b"k2"))];
    backend.put_sender_keys_batch(&keys).await.unwrap();
    t.note(
        "sender key",
        backend.get_sender_key(group_sender).await.unwrap(),
    );
    backend.delete_sender_key(group_sender).await.unwrap();
    t.note(
        "sender key deleted",
        backend.get_sender_key(group_sender).await.unwrap(),
    );
}

async fn app_state(backend: &dyn Backend, t: &mut Transcript) {
    t.note(
        "sync key before",
        backend.get_sync_key(b"k1").await.unwrap(),
    );
    t.note(
        "latest before",
        backend.get_latest_sync_key_id().await.unwrap(),
    );
    for (id, at) in [(&b"k1"[..], 10), (&b"k0"[..], 20)] {
        let key = AppStateSyncKey {
            key_data: vec![1, 2, 3],
            fingerprint: vec![4],
            timestamp: at,
        };
        backend.set_sync_key(id, key).await.unwrap();
    }
    t.note("sync key", backend.get_sync_key(b"k1").await.unwrap());
    t.note("latest", backend.get_latest_sync_key_id().await.unwrap());

    t.note(
        "version default",
        json(&backend.get_version("regular").await.unwrap()),
    );
    let mut state = HashState {
        version: 42,
        ..Default::default()
    };
    state.hash[0] = 9;
    state.index_value_map.insert("index".to_owned(), vec![5, 6]);
    backend.set_version("regular", state).await.unwrap();
    t.note(
        "version",
        json(&backend.get_version("regular").await.unwrap()),
    );

    let mac = |index: u8, value: u8| AppStateMutationMAC {
        index_mac: vec![index; 32],
        value_mac: vec![value; 8],
    };
    backend
        .put_mutation_macs("regular", 1, &[mac(1, 1), mac(2, 2)])
        .await
        .unwrap();
    backend
        .put_mutation_macs("regular", 2, &[mac(1, 3)])
        .await
        .unwrap();
    backend
        .put_mutation_macs("critical", 1, &[mac(1, 4)])
        .await
        .unwrap();
    t.note(
        "mac",
        backend.get_mutation_mac("regular", &[1; 32]).await.unwrap(),
    );
    let many = backend
        .get_mutation_macs("regular", &[[1; 32], [2; 32], [3; 32]])
        .await
        .unwrap();
    t.note("macs", sorted(many.into_iter().collect()));
    backend
        .delete_mutation_macs("regular", &[vec![1; 32]])
        .await
        .unwrap();
    t.note(
        "mac deleted",
        backend.get_mutation_mac("regular", &[1; 32]).await.unwrap(),
    );
    backend.clear_mutation_macs("regular").await.unwrap();
    t.note(
        "macs cleared",
        backend.get_mutation_mac("regular", &[2; 32]).await.unwrap(),
    );
    t.note(
        "other collection",
        backend
            .get_mutation_mac("critical", &[1; 32])
            .await
            .unwrap(),
    );
}

async fn protocol(backend: &dyn Backend, t: &mut Transcript) {
    let (g1, g2) = ("1@g.us", "2@g.us");
    backend
        .set_sender_key_status(g1, &[("a:1", true), ("b:2", false)])
        .await
        .unwrap();
    backend
        .set_sender_key_status(g1, &[("b:2", true)])
        .await
        .unwrap();
    backend
        .set_sender_key_status(g2, &[("a:1", false), ("c:3", true)])
        .await
        .unwrap();
    t.note(
        "devices",
        sorted(backend.get_sender_key_devices(g1).await.unwrap()),
    );
    backend
        .delete_sender_key_device_rows(&["a:1"])
        .await
        .unwrap();
    t.note(
        "devices g1",
        sorted(backend.get_sender_key_devices(g1).await.unwrap()),
    );
    t.note(
        "devices g2",
        sorted(backend.get_sender_key_devices(g2).await.unwrap()),
    );
    backend.clear_sender_key_devices(g1).await.unwrap();
    t.note(
        "g1 cleared",
        backend.get_sender_key_devices(g1).await.unwrap(),
    );
    backend.clear_all_sender_key_devices().await.unwrap();
    t.note(
        "all cleared",
        backend.get_sender_key_devices(g2).await.unwrap(),
    );

    let mapping = |lid: &str, phone: &str, at: i64| LidPnMappingEntry {
        lid: lid.to_owned(),
        phone_number: phone.to_owned(),
        created_at: at,
        updated_at: at,
        learning_source: "usync".to_owned(),
    };
    backend
        .put_lid_mapping(&mapping("100", "5511", 1))
        .await
        .unwrap();
    backend
        .put_lid_mappings(&[mapping("200", "5522", 2)])
        .await
        .unwrap();
    t.note(
        "lid",
        backend
            .get_lid_mapping("100")
            .await
            .unwrap()
            .map(|m| json(&m)),
    );
    t.note(
        "pn",
        backend
            .get_pn_mapping("5522")
            .await
            .unwrap()
            .map(|m| json(&m)),
    );
    backend
        .put_lid_mapping(&mapping("100", "5533", 3))
        .await
        .unwrap();
    t.note(
        "old pn",
        backend
            .get_pn_mapping("5511")
            .await
            .unwrap()
            .map(|m| json(&m)),
    );
    t.note(
        "new pn",
        backend.get_pn_mapping("5533").await.unwrap().map(|m| m.lid),
    );
    let all = backend.get_all_lid_mappings().await.unwrap();
    t.note("all lids", sorted(all.iter().map(json).collect()));

    backend.save_base_key("a", "m1", b"base").await.unwrap();
    t.note(
        "same base",
        backend.has_same_base_key("a", "m1", b"base").await.unwrap(),
    );
    t.note(
        "other base",
        backend.has_same_base_key("a", "m1", b"else").await.unwrap(),
    );
    backend.delete_base_key("a", "m1").await.unwrap();
    t.note(
        "base deleted",
        backend.has_same_base_key("a", "m1", b"base").await.unwrap(),
    );

    let devices = |user: &str| DeviceListRecord {
        user: user.to_owned(),
        devices: vec![DeviceInfo::new(0, None), DeviceInfo::new(3, Some(1))],
        timestamp: 77,
        phash: Some("2:abc".to_owned()),
        raw_id: None,
    };
    backend.update_device_list(devices("5511")).await.unwrap();
    backend
        .update_device_lists(vec![devices("5522")])
        .await
        .unwrap();
    t.note(
        "device list",
        backend.get_devices("5522").await.unwrap().map(|d| json(&d)),
    );
    backend.delete_devices("5511").await.unwrap();
    t.note(
        "device list deleted",
        backend.get_devices("5511").await.unwrap().is_some(),
    );

    backend.put_group_metadata(g1, b"meta").await.unwrap();
    t.note(
        "group metadata",
        backend.get_group_metadata(g1).await.unwrap(),
    );
    backend.delete_group_metadata(g1).await.unwrap();
    t.note(
        "group metadata deleted",
        backend.get_group_metadata(g1).await.unwrap(),
    );

    backend
        .store_received_tc_token("x", b"t1", 100)
        .await
        .unwrap();
    backend
        .store_received_tc_token("x", b"stale", 50)
        .await
        .unwrap();
    backend
        .touch_tc_token_sender_timestamp("x", 300)
        .await
        .unwrap();
    backend
        .touch_tc_token_sender_timestamp("x", 200)
        .await
        .unwrap();
    backend
        .touch_tc_token_sender_timestamp("y", 150)
        .await
        .unwrap();
    backend
        .store_received_tc_token("y", b"real", 10)
        .await
        .unwrap();
    backend
        .put_tc_token(
            "z",
            &TcTokenEntry {
                token: b"old".to_vec(),
                token_timestamp: 5,
                sender_timestamp: None,
            },
        )
        .await
        .unwrap();
    for jid in ["x", "y", "z"] {
        t.note(
            jid,
            backend.get_tc_token(jid).await.unwrap().map(|e| json(&e)),
        );
    }
    t.note(
        "tc jids",
        sorted(backend.get_all_tc_token_jids().await.unwrap()),
    );
    t.note(
        "tc expired",
        backend.delete_expired_tc_tokens(60, 250).await.unwrap(),
    );
    t.note(
        "tc jids left",
        sorted(backend.get_all_tc_token_jids().await.unwrap()),
    );
    backend.delete_tc_token("x").await.unwrap();
    t.note(
        "tc deleted",
        backend.get_tc_token("x").await.unwrap().is_some(),
    );

    backend
        .store_sent_message("chat", "m1", b"payload")
        .await
        .unwrap();
    backend
        .store_sent_message("chat", "m2", b"payload2")
        .await
        .unwrap();
    t.note(
        "take",
        backend.take_sent_message("chat", "m1").await.unwrap(),
    );
    t.note(
        "take again",
        backend.take_sent_message("chat", "m1").await.unwrap(),
    );
    t.note(
        "nothing expired",
        backend
            .delete_expired_sent_messages(now_secs() - 60)
            .await
            .unwrap(),
    );
    t.note(
        "all expired",
        backend
            .delete_expired_sent_messages(now_secs() + 60)
            .await
            .unwrap(),
    );

    backend
        .store_pending_inbound("chat", "s", "i1", b"msg")
        .await
        .unwrap();
    backend
        .store_pending_inbound("chat", "s", "i2", b"msg2")
        .await
        .unwrap();
    t.note(
        "pending",
        backend
            .get_pending_inbound("chat", "s", "i1")
            .await
            .unwrap(),
    );
    backend
        .delete_pending_inbound("chat", "s", "i1")
        .await
        .unwrap();
    t.note(
        "pending deleted",
        backend
            .get_pending_inbound("chat", "s", "i1")
            .await
            .unwrap(),
    );
    t.note(
        "pending kept",
        backend
            .delete_expired_pending_inbound(now_secs() - 60)
            .await
            .unwrap(),
    );
    t.note(
        "pending expired",
        backend
            .delete_expired_pending_inbound(now_secs() + 60)
            .await
            .unwrap(),
    );
}

async fn message_secrets(backend: &dyn Backend, t: &mut Transcript) {
    let entry = |id: &str, secret: u8, expires_at: i64, message_ts: i64| MsgSecretEntry {
        chat: "chat".into(),
        sender: "sender".into(),
        msg_id: id.into(),
        secret: [secret; 32],
        expires_at,
        message_ts,
    };
    let stored = backend
        .put_msg_secrets(vec![
            entry("a", 1, 100, 10),
            entry("b", 2, 0, 20),
            entry("c", 3, 500, 30),
        ])
        .await
        .unwrap();
    t.note("stored", stored);
    // Later writes: a later deadline and an earlier message time for "a"; "never" for "c".
    backend
        .put_msg_secrets(vec![
            entry("a", 4, 200, 5),
            entry("c", 5, 0, 40),
            entry("a", 6, 150, 7),
        ])
        .await
        .unwrap();
    backend
        .put_msg_secret("chat", "sender", "d", &[7; 32])
        .await
        .unwrap();
    for id in ["a", "b", "c", "d", "e"] {
        t.note(
            id,
            backend
                .get_msg_secret_with_ts("chat", "sender", id)
                .await
                .unwrap(),
        );
    }
    t.note(
        "secret",
        backend.get_msg_secret("chat", "sender", "a").await.unwrap(),
    );
    t.note(
        "expired",
        backend.delete_expired_msg_secrets(200).await.unwrap(),
    );
    t.note(
        "a after",
        backend
            .get_msg_secret("chat", "sender", "a")
            .await
            .unwrap()
            .is_some(),
    );
    t.note(
        "b after",
        backend
            .get_msg_secret("chat", "sender", "b")
            .await
            .unwrap()
            .is_some(),
    );
}

async fn device(backend: &dyn Backend, t: &mut Transcript) {
    t.note("exists before", backend.exists().await.unwrap());
    t.note("loaded before", backend.load().await.unwrap().is_some());
    t.note("created", backend.create().await.unwrap());
    t.note("exists", backend.exists().await.unwrap());
    let created = backend.load().await.unwrap().expect("created device");
    let mut device = Device::new();
    device.push_name = "Acme Support".to_owned();
    backend.save(&device).await.unwrap();
    let loaded = backend.load().await.unwrap().expect("saved device");
    t.note("saved device comes back", json(&loaded) == json(&device));
    t.note(
        "a new identity replaced the first",
        json(&created) != json(&loaded),
    );
}

async fn transcript(backend: &dyn Backend) -> Vec<String> {
    let mut t = Transcript::default();
    signal(backend, &mut t).await;
    app_state(backend, &mut t).await;
    protocol(backend, &mut t).await;
    message_secrets(backend, &mut t).await;
    device(backend, &mut t).await;
    t.0
}

async fn ours(store: &wagate_store::Store) -> Vec<String> {
    let name = format!("web-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let instance = testing::seed_instance(store, &name).await;
    let keys = KeyStore::new(store.clone(), instance.id.clone());
    let answers = transcript(&keys).await;
    // Another instance's key material is its own.
    let neighbour = testing::seed_instance(store, &format!("{name}-2")).await;
    let other = KeyStore::new(store.clone(), neighbour.id);
    assert_eq!(other.get_session("c.0:3").await.unwrap(), None);
    assert!(!other.exists().await.unwrap());
    answers
}

fn assert_same(reference: &[String], ours: &[String], backend: &str) {
    for (index, (expected, got)) in reference.iter().zip(ours).enumerate() {
        assert_eq!(
            got, expected,
            "{backend}, answer {index} differs from InMemoryBackend"
        );
    }
    assert_eq!(reference.len(), ours.len(), "{backend}: number of answers");
}

#[tokio::test]
async fn the_key_store_answers_as_the_library_reference_does() {
    let reference = transcript(&InMemoryBackend::new()).await;
    assert!(
        reference.len() > 70,
        "the scenarios ran: {} answers",
        reference.len()
    );

    let sqlite = testing::sqlite().await;
    assert_same(&reference, &ours(&sqlite.store).await, "SQLite");

    if let Some(postgres) = testing::postgres().await {
        assert_same(&reference, &ours(&postgres.store).await, "PostgreSQL");
    }
}

#[tokio::test]
async fn keys_survive_a_new_store_handle_and_go_with_their_instance() {
    let sqlite = testing::sqlite().await;
    let store = &sqlite.store;
    let instance = testing::seed_instance(store, "persisted").await;
    let first = KeyStore::new(store.clone(), instance.id.clone());
    first.create().await.unwrap();
    first.put_session("a.0:1", b"ratchet").await.unwrap();
    let device = first.load().await.unwrap().unwrap();
    drop(first);

    let again = KeyStore::new(store.clone(), instance.id.clone());
    assert_eq!(again.create().await.unwrap(), 1);
    assert_eq!(
        json(&again.load().await.unwrap().unwrap()),
        json(&device),
        "same identity"
    );
    assert_eq!(
        again.get_session("a.0:1").await.unwrap().as_deref(),
        Some(&b"ratchet"[..])
    );

    assert!(store.wipe_engine_keys(&instance.id).await.unwrap() >= 2);
    assert!(!again.exists().await.unwrap());
}
