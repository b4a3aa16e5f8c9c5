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
    #[error(
        "database {path} was made by a newer Hooklens (schema {found}; this one knows {known}): upgrade Hooklens or use another --data-dir"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
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
}
