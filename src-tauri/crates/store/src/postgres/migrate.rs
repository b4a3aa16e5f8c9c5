//! Numbered migrations (`migrations/postgres/NNNN_*.sql`) embedded in the binary;
//! `hooklens_schema` records each one applied. Several instances may start at once: each
//! migration runs in a transaction that first takes an advisory lock and reads the version
//! again, so whichever instance gets the lock applies it and the others find it applied.

use deadpool_postgres::Object;

use super::{HOOKLENS, LOCK_MIGRATE};
use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_relay_and_provider_deliveries.sql"),
];

/// The PostgreSQL schema this build makes: the number of its migrations. A database that
/// recorded a larger one was made by a newer Hooklens and is refused, untouched.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Applies the migrations `conn`'s database lacks; refuses a database of a newer schema.
pub(crate) async fn apply(conn: &mut Object, database: &str) -> Result<()> {
    let known = SCHEMA_VERSION;
    loop {
        let tx = conn.transaction().await?;
        tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&HOOKLENS, &LOCK_MIGRATE],
        )
        .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS hooklens_schema (
                 version    integer     PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await?;
        let current: i32 = tx
            .query_one("SELECT coalesce(max(version), 0) FROM hooklens_schema", &[])
            .await?
            .get(0);
        let current = current as u32;
        if current > known {
            return Err(StoreError::TooNew {
                database: database.to_string(),
                found: current,
                known,
                flag: "--database",
            });
        }
        let Some(sql) = MIGRATIONS.get(current as usize) else {
            tx.commit().await?;
            return Ok(());
        };
        let version = current + 1;
        let fail = |source| StoreError::PgMigration { version, source };
        tx.batch_execute(sql).await.map_err(fail)?;
        tx.execute(
            "INSERT INTO hooklens_schema (version) VALUES ($1)",
            &[&(version as i32)],
        )
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(version, "applied PostgreSQL migration");
    }
}
