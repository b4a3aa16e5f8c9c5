//! The Hooklens store: the only code that writes SQL.
//!
//! One public handle, [`Store`], over two backends: SQLite (`sqlite`, the default, one file
//! in the data directory) and PostgreSQL (`postgres`, for relays that run as several
//! instances on one database). Each public method dispatches to the backend it was opened
//! with (a `match`, no trait object), so the engine never knows which one it has. The data
//! types (`model`) are the same for both, and so are the semantics each method documents;
//! the integration suite (`tests/it`) runs every behaviour test against both.

mod error;
mod fulltext;
pub mod hist;
mod model;
mod postgres;
mod sqlite;
mod store;

pub use error::StoreError;
pub use model::{
    After, Attempt, AttemptErrorKind, AttemptOutcome, BATCH_BUCKETS, BodyState, Capture, Committed,
    Condition, ConditionOp, Delivery, DeliveryFilter, DeliveryKind, DeliverySpec, DeliveryState,
    Endpoint, EndpointResponse, EndpointSpec, EventDelivery, FirstDelivery, ForwardSettings,
    ForwardTarget, Handshake, HandshakeProvider, MAX_DELAY_MS, MAX_FORWARD_TARGETS, MatchMode,
    Mirrored, NewDelivery, NotificationKind, NotificationSettings, Overrides, Page, PathMode,
    Period, PeriodKind, Prior, Relay, RelayCursor, RelayToken, Request, RequestFilter, RequestMeta,
    Resign, RetentionReport, RetentionSettings, RetryPolicy, RollupRow, Rule, RuleAction, RuleSpec,
    Settings, SettingsPatch, SignatureScheme, SignatureSpec, SignatureStatus, SignatureVerdict,
    StoredNotification, Via, WriterStats, endpoint_for, merge_patch, parse_header_block,
    path_under,
};
pub use postgres::SCHEMA_VERSION as PG_SCHEMA_VERSION;
pub use sqlite::SCHEMA_VERSION;
pub use store::Store;

/// File name of the SQLite database inside the data directory.
pub const DB_FILE: &str = "hooklens.db";

/// WAL size past which the SQLite writer checkpoints between two commits, so that its next
/// commit starts the WAL over: under a storm that never pauses, the WAL stays about this big.
/// The pause is two fsyncs (WAL, then database) plus copying what the background
/// checkpointer has not copied yet: a few to a few tens of ms on the disks measured, once
/// per 32 MiB.
pub const WAL_CHECKPOINT_MIB: u64 = 32;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Microseconds since the Unix epoch, now.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// RFC 3339 in UTC with microseconds.
pub fn format_us(us: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(us.max(0) as u64);
    humantime::format_rfc3339_micros(t).to_string()
}
