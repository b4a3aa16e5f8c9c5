//! A start that cannot use its database stops with one line saying what to do: the server
//! unreachable, the login refused, a database a newer Hooklens made; never the password.

use std::process::Command;

use hooklens_test_postgres::{PASSWORD_USER, TestPostgres};

use crate::{database, name_of};

const BIN: &str = env!("CARGO_BIN_EXE_hooklens");

/// `hooklens serve` on `database` (the flag, or the variable when `env`); its one line.
fn refused(database: &str, env: bool) -> String {
    let data = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new(BIN);
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .env("HOOKLENS_LOG", "warn");
    if env {
        command.env("HOOKLENS_DATABASE", database);
    } else {
        command.args(["--database", database]);
    }
    let out = command.output().expect("run hooklens");
    assert_eq!(out.status.code(), Some(1), "{database}");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    lines[0].to_string()
}

#[test]
fn a_database_it_cannot_use_is_a_one_line_error() {
    let server = TestPostgres::shared();
    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let line = refused(
        &format!("postgres://hooklens@127.0.0.1:{port}/relay"),
        false,
    );
    assert!(
        line.starts_with(&format!(
            "error: cannot reach PostgreSQL at 127.0.0.1:{port}/relay: error connecting to server"
        )) && line
            .ends_with("is it running, and does the URL name it? (--database, HOOKLENS_DATABASE)"),
        "{line}"
    );

    let db = database();
    let wrong = server.url_as(&format!("{PASSWORD_USER}:hunter2"), name_of(&db));
    let line = refused(&wrong, true);
    assert!(
        line.starts_with("error: PostgreSQL at ")
            && line.contains("refused the login: password authentication failed")
            && line.ends_with(
                "check the user and password in the URL (--database, HOOKLENS_DATABASE)"
            ),
        "{line}"
    );
    assert!(
        !line.contains("hunter2"),
        "the password is never shown: {line}"
    );

    let line = refused("mysql://hooklens:hunter2@db/relay", false);
    assert!(line.contains("is not a PostgreSQL URL"), "{line}");
    assert!(
        !line.contains("hunter2"),
        "the password is never shown: {line}"
    );

    server.query(
        name_of(&db),
        "CREATE TABLE hooklens_schema (version integer PRIMARY KEY, applied_at timestamptz);
         INSERT INTO hooklens_schema (version) VALUES (999)",
    );
    let line = refused(&db, true);
    assert!(
        line.starts_with("error: database ")
            && line.ends_with(&format!(
                "was made by a newer Hooklens (schema 999; this one knows {}): upgrade \
                 Hooklens or use another --database",
                hooklens_store::PG_SCHEMA_VERSION
            )),
        "{line}"
    );
}
