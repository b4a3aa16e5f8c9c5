//! The record of notifications raised.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Result, Store, format_us};

/// A notification as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoredNotification {
    #[serde(skip)]
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    #[serde(skip)]
    pub at_us: i64,
    pub kind: crate::NotificationKind,
    /// What it is about: a rule id, a target, an endpoint.
    pub key: String,
    pub title: String,
    pub body: String,
    pub request_id: Option<String>,
    /// Whether a popup showed it (otherwise it was folded into a summary).
    pub shown: bool,
}

impl Store {
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
