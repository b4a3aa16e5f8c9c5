//! Upgrades keep everything: a database made by Hooklens 0.1.0 (`tests/fixtures/v0.1.0`,
//! made by its `make.py`) opens in this store, is migrated, and still holds everything 0.1.0
//! showed of it (its `manifest.json`: what 0.1.0's API answered). A database from a newer
//! Hooklens is refused and left as it was.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hooklens_store::{SCHEMA_VERSION, Store, StoreError};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/v0.1.0")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(fixture().join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

/// A copy of the fixture's database in a data directory of its own.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixture().join("hooklens.db"),
        dir.path().join(hooklens_store::DB_FILE),
    )
    .expect("copy the fixture");
    dir
}

fn items<'a>(manifest: &'a Value, key: &str) -> &'a Vec<Value> {
    manifest[key].as_array().expect(key)
}

fn bytes(base64: &Value) -> Vec<u8> {
    BASE64
        .decode(base64.as_str().unwrap_or_default())
        .expect("base64")
}

/// Everything `shown` holds, `got` holds too (a newer Hooklens may add fields). A secret shown
/// masked (`whsec_…_new`) must be one that starts and ends so.
fn holds(got: &Value, shown: &Value, at: &str) {
    match (got, shown) {
        (Value::Object(got), Value::Object(shown)) => {
            for (key, value) in shown {
                let got = got.get(key).unwrap_or(&Value::Null);
                holds(got, value, &format!("{at}.{key}"));
            }
        }
        (Value::Array(got), Value::Array(shown)) => {
            assert_eq!(got.len(), shown.len(), "{at}: {got:?} against {shown:?}");
            for (i, (got, shown)) in got.iter().zip(shown).enumerate() {
                holds(got, shown, &format!("{at}[{i}]"));
            }
        }
        (Value::String(got), Value::String(shown)) if shown.contains('…') => {
            let (head, tail) = shown.split_once('…').expect("a mask");
            assert!(
                got.starts_with(head) && got.ends_with(tail) && got.len() > shown.len() - 3,
                "{at}: {got:?} is not the secret shown as {shown:?}"
            );
        }
        _ => assert_eq!(got, shown, "{at}"),
    }
}

/// The headers as 0.1.0 listed them: `headers_base64` when a value is not UTF-8.
fn headers(request: &Value) -> Vec<(String, Vec<u8>)> {
    let (key, raw) = match request.get("headers_base64") {
        Some(list) if !list.is_null() => (list, true),
        _ => (&request["headers"], false),
    };
    key.as_array()
        .expect("headers")
        .iter()
        .map(|pair| {
            let name = pair[0].as_str().expect("name").to_string();
            let value = if raw {
                bytes(&pair[1])
            } else {
                pair[1].as_str().expect("value").as_bytes().to_vec()
            };
            (name, value)
        })
        .collect()
}

async fn check_requests(store: &Store, manifest: &Value) {
    let shown = items(manifest, "requests");
    assert_eq!(
        store.count_requests().await.expect("count"),
        shown.len() as u64
    );
    for r in shown {
        let id = r["id"].as_str().expect("id");
        let got = store.get_request(id).await.expect("still stored");
        let m = &got.meta;
        let at = format!("request {id} ({} {})", r["method"], r["path"]);
        assert_eq!(got.body.expect("body"), bytes(&r["body_base64"]), "{at}");
        assert_eq!(m.headers, headers(r), "{at}");
        let via = m.via.as_str();
        let fields = serde_json::json!({
            "method": m.method, "path": m.path, "query": m.query, "size": m.size,
            "body_state": m.body_state, "body_note": m.body_note,
            "received_at_us": m.received_at_us, "endpoint": m.endpoint_name,
            "endpoint_id": m.endpoint_id, "remote_addr": m.remote_addr,
            "http_version": m.http_version, "response_status": m.response_status,
            "pinned": got.pinned, "provider": m.provider, "event_type": m.event_type,
            "signature": m.signature.as_ref().map(|s| serde_json::json!({
                "status": s.status, "scheme": s.scheme, "reason": s.reason })),
            "tags": m.tags, "rules": m.rules, "via": via, "delivery": got.delivery,
        });
        let shown: serde_json::Map<String, Value> = r
            .as_object()
            .expect("request")
            .iter()
            .filter(|(key, _)| fields.get(key.as_str()).is_some())
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        holds(&fields, &Value::Object(shown), &at);
    }
}

async fn check_deliveries(store: &Store, manifest: &Value) {
    for d in items(manifest, "deliveries") {
        let id = d["id"].as_str().expect("id");
        let got = store.get_delivery(id).await.expect("still stored");
        let at = format!("delivery {id}");
        let fields = serde_json::json!({
            "request_id": got.request_id, "kind": got.kind, "target": got.target,
            "url": got.url, "state": got.state, "attempts": got.attempts,
            "last_status": got.last_status, "last_error": got.last_error,
        });
        for key in fields.as_object().expect("fields").keys() {
            assert_eq!(fields[key], d[key], "{at}.{key}");
        }
        let attempts = store.attempts(got.seq).await.expect("attempts");
        let shown = d["attempt_list"].as_array().expect("attempt_list");
        assert_eq!(attempts.len(), shown.len(), "{at}");
        for (got, shown) in attempts.iter().zip(shown) {
            assert_eq!(got.n, shown["n"], "{at}");
            assert_eq!(got.status.map(u64::from), shown["status"].as_u64(), "{at}");
            assert_eq!(
                got.error_kind.map(|k| k.as_str()),
                shown["error_kind"].as_str(),
                "{at}"
            );
            assert_eq!(got.error.as_deref(), shown["error"].as_str(), "{at}");
            assert_eq!(
                got.response_body,
                bytes(&shown["response_body_base64"]),
                "{at}"
            );
        }
    }
}

// Shares the machine with the other tests (`crate::block_on`): the WAL test runs alone.
#[test]
fn a_database_from_0_1_0_is_migrated_and_keeps_everything() {
    crate::block_on(async {
        let manifest = manifest();
        let made_at = manifest["tables"]["user_version"]
            .as_u64()
            .expect("its schema");
        assert!(
            made_at <= SCHEMA_VERSION.into(),
            "0.1.0 made schema {made_at}"
        );
        let dir = copy();
        let store = Store::open(dir.path()).expect("0.1.0's database opens");

        check_requests(&store, &manifest).await;
        check_deliveries(&store, &manifest).await;
        let endpoints = serde_json::to_value(store.list_endpoints().await.expect("endpoints"));
        let mut endpoints = endpoints.expect("JSON");
        sort_by_id(&mut endpoints);
        let mut shown = manifest["endpoints"].clone();
        sort_by_id(&mut shown);
        holds(&endpoints, &shown, "endpoints");
        let mut rules =
            serde_json::to_value(store.list_rules().await.expect("rules")).expect("JSON");
        sort_by_id(&mut rules);
        let mut shown = manifest["rules"].clone();
        sort_by_id(&mut shown);
        holds(&rules, &shown, "rules");
        let settings =
            serde_json::to_value(store.settings().await.expect("settings")).expect("JSON");
        holds(&settings, &manifest["settings"], "settings");
        let notifications = store.list_notifications(1000).await.expect("notifications");
        let notifications = serde_json::to_value(notifications).expect("JSON");
        holds(&notifications, &manifest["notifications"], "notifications");
        let rollups = store
            .rollups(0, i64::MAX / 60_000_000)
            .await
            .expect("rollups");
        assert_eq!(
            rollups.len() as u64,
            manifest["tables"]["stats_minutes"].as_u64().expect("count")
        );
        let periods = store.periods(0, i64::MAX).await.expect("periods");
        assert_eq!(
            periods.len() as u64,
            manifest["tables"]["monitor_periods"]
                .as_u64()
                .expect("count")
        );
        store.close().await.expect("close");

        // Migrated: the file now says this build's schema, and opens again as it is.
        let conn =
            rusqlite::Connection::open(dir.path().join(hooklens_store::DB_FILE)).expect("db");
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("user_version");
        assert_eq!(version, SCHEMA_VERSION);
        drop(conn);
        let again = Store::open(dir.path()).expect("opens again");
        check_requests(&again, &manifest).await;
        again.close().await.expect("close");
    })
}

fn sort_by_id(list: &mut Value) {
    if let Some(items) = list.as_array_mut() {
        items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    }
}

#[test]
fn a_database_from_a_newer_hooklens_is_refused_untouched() {
    crate::block_on(async {
        let dir = copy();
        let path = dir.path().join(hooklens_store::DB_FILE);
        let newer = SCHEMA_VERSION + 1;
        let conn = rusqlite::Connection::open(&path).expect("db");
        conn.pragma_update(None, "user_version", newer)
            .expect("user_version");
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
        drop(conn);
        let before = std::fs::read(&path).expect("read");

        let err = match Store::open(dir.path()) {
            Err(err) => err,
            Ok(_) => panic!("a newer schema must be refused"),
        };
        assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "database {} was made by a newer Hooklens (schema {newer}; this one knows \
                 {SCHEMA_VERSION}): upgrade Hooklens or use another --data-dir",
                path.display()
            )
        );
        assert!(
            std::fs::read(&path).expect("read") == before,
            "left as it was"
        );
    })
}
