//! The record of notifications raised.

use rusqlite::params;

use super::SqliteStore;
use crate::{Result, StoredNotification, format_us};

impl SqliteStore {
    pub async fn record_notification(&self, n: StoredNotification) -> Result<()> {
        self.inner
            .writer
            .submit(move |conn| {
                conn.execute(
                    "INSERT INTO notifications (at_us, kind, key, title, body, request_id, shown)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        n.at_us,
                        n.kind,
                        n.key,
                        n.title,
                        n.body,
                        n.request_id,
                        n.shown
                    ],
                )?;
                Ok(())
            })
            .await
    }

    /// The newest notifications first.
    pub async fn list_notifications(&self, limit: usize) -> Result<Vec<StoredNotification>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT seq, at_us, kind, key, title, body, request_id, shown
                 FROM notifications ORDER BY seq DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit.clamp(1, 1000) as i64], |r| {
                let at_us: i64 = r.get(1)?;
                Ok(StoredNotification {
                    seq: r.get(0)?,
                    at: format_us(at_us),
                    at_us,
                    kind: r.get(2)?,
                    key: r.get(3)?,
                    title: r.get(4)?,
                    body: r.get(5)?,
                    request_id: r.get(6)?,
                    shown: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}
