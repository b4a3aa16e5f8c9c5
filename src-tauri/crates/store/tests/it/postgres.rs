//! What only PostgreSQL has: several instances on one database (migrations, leases,
//! retention), the errors of connecting to a server, and the statement timeout.

use hooklens_store::{
    NotificationKind, PeriodKind, RetentionSettings, Store, StoreError, StoredNotification,
};
use tokio_postgres::error::SqlState;

use crate::db::{Db, TestPostgres, connect};
use crate::{capture, delivery, until_found};

/// The advisory lock a retention pass holds: `(HOOKLENS, LOCK_RETENTION)` in
/// `postgres/mod.rs`.
const RETENTION_LOCK: &str = "pg_advisory_lock(1214999667, 4)";

#[test]
fn instances_starting_at_once_apply_each_migration_once() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let opens = (0..4).map(|_| Store::open_postgres(db.url()));
        let stores = futures_util::future::join_all(opens).await;
        for store in &stores {
            assert!(store.is_ok(), "{:?}", store.as_ref().err());
        }
        let client = connect(db.url()).await;
        let row = client
            .query_one(
                "SELECT count(*), count(DISTINCT version), max(version) FROM hooklens_schema",
                &[],
            )
            .await
            .expect("schema");
        let (rows, distinct, max): (i64, i64, i32) = (row.get(0), row.get(1), row.get(2));
        assert_eq!((rows, distinct), (max as i64, max as i64), "each once");
        for store in stores.into_iter().flatten() {
            store.close().await.expect("close");
        }
    })
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    crate::block_on(async {
        let db = Db::postgres().await;
        db.open().await.close().await.expect("close");
        let client = connect(db.url()).await;
        client
            .execute("INSERT INTO hooklens_schema (version) VALUES (999)", &[])
            .await
            .expect("newer");
        let err = Store::open_postgres(db.url()).await.err().expect("refused");
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
        assert!(
            err.to_string().ends_with(&format!(
                "was made by a newer Hooklens (schema 999; this one knows {}): upgrade \
                 Hooklens or use another --database",
                hooklens_store::PG_SCHEMA_VERSION
            )),
            "{err}"
        );
    })
}

#[test]
fn open_errors_say_what_to_do() {
    crate::block_on(async {
        let server = TestPostgres::shared();
        // Nothing listens on a port just freed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let err = Store::open_postgres(&format!("postgres://u@127.0.0.1:{port}/db"))
            .await
            .err()
            .expect("unreachable");
        assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("cannot reach PostgreSQL at 127.0.0.1"),
            "{err}"
        );

        let url = server.url_as("needs_password:wrong", "postgres");
        let err = Store::open_postgres(&url).await.err().expect("refused");
        assert!(matches!(err, StoreError::AuthFailed { .. }), "{err}");
        assert!(
            !err.to_string().contains("wrong"),
            "the password is never shown: {err}"
        );
        assert!(
            err.to_string().contains("check the user and password"),
            "{err}"
        );

        let err = Store::open_postgres(&server.url_as("postgres", "no_such_db"))
            .await
            .err()
            .expect("no database");
        assert!(err.to_string().contains("no_such_db"), "{err}");

        let err = Store::open_postgres("mysql://u:secret@h/db")
            .await
            .err()
            .expect("not pg");
        assert!(matches!(err, StoreError::DatabaseUrl(..)), "{err}");
    })
}

/// Two instances leasing from one queue at once take different deliveries; an instance
/// starting up releases the leases of instances gone, not of those running.
#[test]
fn leases_are_shared_out_between_instances_and_outlive_only_their_holder() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let (a, b) = (db.open().await, db.open().await);
        for i in 0..40 {
            let mut c = capture(&format!("r{i}"), "{}");
            c.deliveries = vec![delivery(&format!("d{i}"), "http://t", 100)];
            a.insert_request(c).await.expect("insert");
        }
        let take = || vec![("http://t".to_string(), 30)];
        let (from_a, from_b) = tokio::join!(
            a.lease_due(200, 10_000, take()),
            b.lease_due(200, 10_000, take())
        );
        let (from_a, from_b) = (from_a.expect("lease a"), from_b.expect("lease b"));
        let mut ids: Vec<String> = from_a.iter().chain(&from_b).map(|d| d.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            40,
            "each once: {} + {}",
            from_a.len(),
            from_b.len()
        );

        // b is running: a new instance leaves its leases alone; a's are released once it stops.
        let c = db.open().await;
        assert_eq!(c.release_leases(300).await.expect("release"), 0);
        a.close().await.expect("close a");
        assert_eq!(
            c.release_leases(300).await.expect("release") as usize,
            from_a.len()
        );
        let again = c.lease_due(300, 10_000, take()).await.expect("lease");
        let mut retaken: Vec<String> = again.into_iter().map(|d| d.id).collect();
        let mut want: Vec<String> = from_a.into_iter().map(|d| d.id).collect();
        retaken.sort();
        want.sort();
        assert_eq!(retaken, want, "a's, due again; b's still leased");
    })
}

/// Retention runs on one instance at a time: while another holds the pass, a second pass
/// deletes nothing; afterwards it deletes what the limits say.
#[test]
fn retention_runs_on_one_instance_at_a_time() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let store = db.open().await;
        for i in 0..10 {
            store
                .insert_request(capture(&format!("r{i}"), "x"))
                .await
                .expect("insert");
        }
        let limits = RetentionSettings {
            max_requests: Some(4),
            max_age_days: None,
            max_total_mib: None,
        };
        let other = connect(db.url()).await;
        other
            .execute(&format!("SELECT {RETENTION_LOCK}"), &[])
            .await
            .expect("lock");
        let report = store
            .apply_retention(limits.clone(), hooklens_store::now_us())
            .await
            .expect("retention");
        assert_eq!(report.total(), 0, "another instance runs the pass");
        assert_eq!(store.count_requests().await.expect("count"), 10);
        other
            .execute("SELECT pg_advisory_unlock_all()", &[])
            .await
            .expect("unlock");
        let report = store
            .apply_retention(limits, hooklens_store::now_us())
            .await
            .expect("retention");
        assert_eq!(report.by_count, 6);
        assert_eq!(store.count_requests().await.expect("count"), 4);
    })
}

/// Every statement times out (`-c statement_timeout` in the options every connection starts
/// with, `connect.rs`). A trigger reports the setting a statement ran under: the store's
/// pooled connection has the default, 30 s (the server's own default is none). Then, with a
/// short timeout from the URL's `options` (the same path), a statement that would run for a
/// minute is cancelled by the server, with an error that says why, and leaves nothing behind.
#[test]
fn pooled_connections_cancel_a_statement_past_the_statement_timeout() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let store = db.open().await;
        let client = connect(db.url()).await;
        let trigger = |then: &str| {
            format!(
                "CREATE OR REPLACE FUNCTION note_timeout() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     INSERT INTO seen VALUES (current_setting('statement_timeout'));
                     {then}
                     RETURN NEW;
                 END $$"
            )
        };
        client
            .batch_execute(&format!(
                "CREATE TABLE seen (timeout text NOT NULL);
                 {};
                 CREATE TRIGGER note_timeout BEFORE INSERT ON notifications
                     FOR EACH ROW EXECUTE FUNCTION note_timeout()",
                trigger("")
            ))
            .await
            .expect("trigger");
        let notification = |title: &str| StoredNotification {
            seq: 0,
            at: String::new(),
            at_us: hooklens_store::now_us(),
            kind: NotificationKind::Tunnel,
            key: "tunnel".into(),
            title: title.into(),
            body: String::new(),
            request_id: None,
            shown: true,
        };
        store
            .record_notification(notification("quick"))
            .await
            .expect("record");
        let seen: Vec<String> = client
            .query("SELECT timeout FROM seen", &[])
            .await
            .expect("seen")
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(seen, ["30s"]);

        client
            .batch_execute(&trigger("PERFORM pg_sleep(60);"))
            .await
            .expect("a slow trigger");
        let short = Store::open_postgres(&format!(
            "{}?options=-c%20statement_timeout%3D500",
            db.url()
        ))
        .await
        .expect("open");
        let slow = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            short.record_notification(notification("slow")),
        )
        .await
        .expect("the server cancels the statement; nothing else would");
        let err = slow.expect_err("cancelled");
        assert!(
            matches!(&err, StoreError::Postgres(e) if e.code() == Some(&SqlState::QUERY_CANCELED)),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "database error: canceling statement due to statement timeout: a statement may \
             run 30 s unless the database URL sets another statement_timeout (e.g. \
             ?options=-c%20statement_timeout%3D60000)"
        );
        let titles: Vec<String> = store
            .list_notifications(10)
            .await
            .expect("list")
            .into_iter()
            .map(|n| n.title)
            .collect();
        assert_eq!(titles, ["quick"], "the cancelled insert left nothing");
        short.close().await.expect("close");
        store.close().await.expect("close");
    })
}

/// A search looks among the newest 20,000 indexed requests first, then among the older
/// ones (`list_requests`): across that boundary, pages hold every match once, newest first.
#[test]
fn search_pages_run_on_below_the_newest_requests() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let store = db.open().await;
        let client = connect(db.url()).await;
        client
            .batch_execute(
                "WITH r AS (
                     INSERT INTO requests (id, received_at_us, duration_us, endpoint_name, method,
                         path, http_version, headers, body, body_state, size, response_status)
                     SELECT 'g' || lpad(i::text, 5, '0'), i, 0, 'default', 'POST', '/bulk',
                         'HTTP/1.1', '', convert_to(CASE WHEN i % 1000 = 0
                             THEN 'rareword common' ELSE 'common' END, 'UTF8'),
                         'complete', 0, 200
                     FROM generate_series(1, 25000) i
                     RETURNING seq
                 )
                 INSERT INTO capture_queue (seq) SELECT seq FROM r",
            )
            .await
            .expect("bulk insert");
        // Numbered by the sweep, then indexed.
        until_found(&store, "rarew", 25).await;
        let pages = |q: &'static str, limit: usize, from: Option<i64>| {
            let store = store.clone();
            async move {
                let (mut ids, mut cursor) = (Vec::new(), from);
                loop {
                    let page = store
                        .list_requests(hooklens_store::RequestFilter {
                            q: Some(q.into()),
                            before_seq: cursor,
                            limit,
                            ..Default::default()
                        })
                        .await
                        .expect("page");
                    ids.extend(page.items.into_iter().map(|r| r.meta.id));
                    cursor = page.next;
                    if cursor.is_none() || ids.len() >= 30 {
                        return ids;
                    }
                }
            }
        };
        let want: Vec<String> = (1..=25)
            .rev()
            .map(|i| format!("g{:05}", i * 1000))
            .collect();
        assert_eq!(pages("rarew", 7, None).await, want);
        // A common word, from below the newest 20,000.
        let deep: Vec<String> = (4991..=5000).rev().map(|i| format!("g{i:05}")).collect();
        let got = pages("common", 10, Some(5001)).await;
        assert_eq!(got[..10], deep[..]);
    })
}

/// The closed sets are stored as the words the API sends on PostgreSQL too, and a word this
/// build does not know is an error, not a default.
#[test]
fn closed_sets_round_trip_as_words_and_refuse_unknown_ones() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let client = connect(db.url()).await;
        for &kind in NotificationKind::ALL {
            let row = client
                .query_one("SELECT $1::text, $1::text = $2", &[&kind, &kind.as_str()])
                .await
                .expect("round trip");
            assert_eq!(row.get::<_, NotificationKind>(0), kind);
            assert!(row.get::<_, bool>(1), "{kind} is stored as its word");
        }
        let row = client
            .query_one("SELECT 'carrier_pigeon'::text", &[])
            .await
            .expect("select");
        let unknown = row.try_get::<_, PeriodKind>(0);
        assert!(unknown.is_err(), "{unknown:?}");
    })
}
