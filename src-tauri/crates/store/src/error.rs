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
    #[error("PostgreSQL migration {version} failed: {source}")]
    PgMigration {
        version: u32,
        source: tokio_postgres::Error,
    },
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
}
