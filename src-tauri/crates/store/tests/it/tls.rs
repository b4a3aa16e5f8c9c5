//! TLS to PostgreSQL with libpq's meaning of `sslmode` and `sslrootcert`, against a real
//! server on a loopback port whose certificate (for `localhost`) a CA made for the run signed.

use hooklens_store::{Store, StoreError};
use hooklens_test_postgres::{PASSWORD_USER, TestPostgres};

use crate::capture;

/// How many of the store's connections to `database` are encrypted, and how many are not.
fn encrypted(server: &TestPostgres, database: &str) -> (u32, u32) {
    let out = server.query(
        "postgres",
        &format!(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
             WHERE a.datname = '{database}' AND a.application_name = 'hooklens'"
        ),
    );
    let (yes, no) = out.split_once('|').expect("two counts");
    (yes.parse().expect("count"), no.parse().expect("count"))
}

/// Opens the store at `url`, stores and reads back a capture; how its connections went.
async fn works(server: &TestPostgres, database: &str, url: &str) -> (u32, u32) {
    let store = Store::open_postgres(url)
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let id = format!("tls-{}", ulid::Ulid::new());
    store
        .insert_request(capture(&id, "over the wire"))
        .await
        .expect("insert");
    assert_eq!(
        store.get_request(&id).await.expect("get").body.as_deref(),
        Some(&b"over the wire"[..])
    );
    let seen = encrypted(server, database);
    store.close().await.expect("close");
    seen
}

async fn refused(url: &str) -> String {
    match Store::open_postgres(url).await {
        Ok(_) => panic!("{url} must be refused"),
        Err(err) => {
            assert!(matches!(err, StoreError::Tls { .. }), "{url}: {err:?}");
            err.to_string()
        }
    }
}

#[test]
fn sslmode_means_what_it_means_to_libpq() {
    crate::block_on(async {
        let server = TestPostgres::tls();
        let db = server.database_name();
        server.execute(&format!("CREATE DATABASE {db}"));
        let ca = format!(
            "sslrootcert={}",
            form_urlencoded::byte_serialize(server.ca_file().to_string_lossy().as_bytes())
                .collect::<String>()
        );
        let url = |host: &str, query: &str| server.tcp_url("postgres", host, &db, query);

        // Encrypted, whoever answers (the CA is not trusted): require, and prefer by default.
        let (tls, plain) = works(server, &db, &url("127.0.0.1", "sslmode=require")).await;
        assert!(
            tls > 0 && plain == 0,
            "require: {tls} encrypted, {plain} not"
        );
        let (tls, plain) = works(server, &db, &url("127.0.0.1", "")).await;
        assert!(
            tls > 0 && plain == 0,
            "prefer: {tls} encrypted, {plain} not"
        );
        let (tls, plain) = works(server, &db, &url("127.0.0.1", "sslmode=disable")).await;
        assert!(
            tls == 0 && plain > 0,
            "disable: {tls} encrypted, {plain} not"
        );

        // The chain: any host name with verify-ca, the certificate's with verify-full.
        works(
            server,
            &db,
            &url("127.0.0.1", &format!("sslmode=verify-ca&{ca}")),
        )
        .await;
        works(
            server,
            &db,
            &url("localhost", &format!("sslmode=verify-full&{ca}")),
        )
        .await;
        let err = refused(&url("127.0.0.1", &format!("sslmode=verify-full&{ca}"))).await;
        assert!(
            err.contains("certificate not valid for name \"127.0.0.1\""),
            "{err}"
        );
        // The system's CAs do not know the test's.
        let err = refused(&url("localhost", "sslmode=verify-full")).await;
        assert!(err.contains("UnknownIssuer"), "{err}");
        assert!(
            err.ends_with("check sslmode and sslrootcert in the URL"),
            "{err}"
        );
        let err = refused(&url("localhost", "sslrootcert=system")).await;
        assert!(
            err.contains("UnknownIssuer"),
            "system implies verify-full: {err}"
        );
        // Naming a CA makes require check the chain, as libpq does.
        let other = format!(
            "sslmode=require&sslrootcert={}",
            server.other_ca_file().display()
        );
        let err = refused(&url("localhost", &other)).await;
        assert!(err.contains("UnknownIssuer"), "require with a CA: {err}");

        // A wrong password over TLS is still a refused login.
        let wrong = server.tcp_url(
            &format!("{PASSWORD_USER}:wrong"),
            "localhost",
            &db,
            &format!("sslmode=verify-full&{ca}"),
        );
        let err = Store::open_postgres(&wrong).await.err().expect("refused");
        assert!(matches!(err, StoreError::AuthFailed { .. }), "{err}");
    })
}

#[test]
fn require_against_a_server_without_tls_says_so() {
    crate::block_on(async {
        // The shared server listens on its socket only, where PostgreSQL has no TLS.
        let url = format!("{}?sslmode=require", TestPostgres::shared().database());
        let err = refused(&url).await;
        assert!(err.contains("server does not support TLS"), "{err}");
    })
}
