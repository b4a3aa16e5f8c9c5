//! Numbered migrations embedded in the binary; `PRAGMA user_version` records the last one
//! applied. Each runs in its own transaction, so a failure leaves the previous schema intact.

use rusqlite::Connection;

use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_deliveries.sql"),
    include_str!("../../migrations/0003_providers.sql"),
    include_str!("../../migrations/0004_rules.sql"),
    include_str!("../../migrations/0005_notifications.sql"),
    include_str!("../../migrations/0006_tunnel.sql"),
    include_str!("../../migrations/0007_stats.sql"),
    include_str!("../../migrations/0008_leases.sql"),
    include_str!("../../migrations/0009_newest_first.sql"),
    include_str!("../../migrations/0010_pending_by_target.sql"),
    include_str!("../../migrations/0011_fts_merging.sql"),
    include_str!("../../migrations/0012_fts_delete_merge.sql"),
    include_str!("../../migrations/0013_relay.sql"),
    include_str!("../../migrations/0014_provider_deliveries.sql"),
];

/// The SQLite schema this build makes: the number of its migrations. A database whose
/// `user_version` is larger was made by a newer Hooklens and is refused, untouched.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            database: conn.path().unwrap_or_default().to_string(),
            found: current,
            known: SCHEMA_VERSION,
            flag: "--data-dir",
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        let fail = |source| StoreError::Migration { version, source };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_all_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        apply(&mut conn).expect("first run");
        apply(&mut conn).expect("second run is a no-op");
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        conn.pragma_update(None, "user_version", 99).expect("set");
        let err = apply(&mut conn).expect_err("must refuse");
        assert!(
            err.to_string().ends_with(&format!(
                "was made by a newer Hooklens (schema 99; this one knows {SCHEMA_VERSION}): \
                 upgrade Hooklens or use another --data-dir"
            )),
            "{err}"
        );
    }
}
