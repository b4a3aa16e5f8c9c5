use std::path::PathBuf;

/// Everything that can go wrong in the store, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use data directory {dir}: {source} — pass another with --data-dir")]
    DataDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database migration {version} failed: {source}")]
    Migration {
        version: u32,
        source: rusqlite::Error,
    },
    /// A database made by a newer Hooklens (either backend): refused, left as it was.
    #[error(
        "database {database} was made by a newer Hooklens (schema {found}; this one knows {known}): upgrade Hooklens or use another {flag}"
    )]
    TooNew {
        /// The SQLite file's path, or PostgreSQL's `HOST:PORT/DB`.
        database: String,
        found: u32,
        known: u32,
        /// The flag that picks another database: `--data-dir` or `--database`.
        flag: &'static str,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("store is closed: {0}")]
    Closed(String),
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored JSON is corrupt: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0:?} is not a PostgreSQL URL: {1} — pass postgres://USER@HOST:PORT/DB")]
    DatabaseUrl(String, String),
    #[error(
        "cannot reach PostgreSQL at {server}: {reason} — is it running, and does the URL name it?"
    )]
    Unreachable { server: String, reason: String },
    #[error(
        "PostgreSQL at {server} refused the login: {reason} — check the user and password in the URL"
    )]
    AuthFailed { server: String, reason: String },
    #[error(
        "cannot talk TLS to PostgreSQL at {server}: {reason} — check sslmode and sslrootcert in the URL"
    )]
    Tls { server: String, reason: String },
    #[error("PostgreSQL migration {version} failed: {source}")]
    PgMigration {
        version: u32,
        source: tokio_postgres::Error,
    },
    #[error("database error: {}", pg_reason(.0))]
    Postgres(#[from] tokio_postgres::Error),
}

/// What went wrong with PostgreSQL, in its words: the server's message, or tokio-postgres's
/// with its causes ("error performing TLS handshake: invalid peer certificate: …"), which
/// its `Display` leaves out.
pub(crate) fn pg_reason(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        if *db.code() == tokio_postgres::error::SqlState::QUERY_CANCELED
            && db.message().contains("statement timeout")
        {
            return format!(
                "{}: a statement may run 30 s unless the database URL sets another \
                 statement_timeout (e.g. ?options=-c%20statement_timeout%3D60000)",
                db.message()
            );
        }
        return db.message().to_string();
    }
    let mut reason = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        reason.push_str(": ");
        reason.push_str(&c.to_string());
        cause = c.source();
    }
    reason
}
