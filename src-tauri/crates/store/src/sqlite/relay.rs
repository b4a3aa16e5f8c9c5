//! The relay's rows. On a relay: its tokens (hashes only) and its own id. On a subscriber:
//! how far each relay has been mirrored, moved in the same transaction as the mirrored
//! capture, and the capture itself, skipped when its id is already stored.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::requests::insert;
use crate::model::{Capture, Mirrored, RelayCursor, RelayToken};
use crate::{Result, StoreError};

impl SqliteStore {
    /// This store's id as a relay: made once, by the migration, and kept.
    pub async fn relay_id(&self) -> Result<String> {
        self.read(|conn| {
            conn.query_row("SELECT value FROM meta WHERE key = 'relay_id'", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound("relay id".into()))
        })
        .await
    }

    /// Every relay token, revoked ones included, oldest first.
    pub async fn relay_tokens(&self) -> Result<Vec<RelayToken>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name, hash, created_at_us, last_used_us, revoked_at_us
                 FROM relay_tokens ORDER BY created_at_us, name",
            )?;
            let rows = stmt.query_map([], token_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// Stores a new token `name` with the hash of its secret. A revoked token's name may be
    /// used again; an active one's may not.
    pub async fn create_relay_token(&self, name: &str, hash: Vec<u8>) -> Result<RelayToken> {
        let name = name.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                if let Some(old) = token(conn, &name)?
                    && old.revoked_at_us.is_none()
                {
                    return Err(StoreError::Conflict(format!(
                        "an active relay token named {name:?}"
                    )));
                }
                let now = crate::now_us();
                conn.execute(
                    "INSERT INTO relay_tokens (name, hash, created_at_us) VALUES (?1, ?2, ?3)
                     ON CONFLICT (name) DO UPDATE SET hash = excluded.hash,
                        created_at_us = excluded.created_at_us, last_used_us = NULL,
                        revoked_at_us = NULL",
                    params![name, hash, now],
                )?;
                token(conn, &name)?
                    .ok_or_else(|| StoreError::NotFound(format!("relay token {name}")))
            })
            .await
    }

    /// Revokes the token `name` (already revoked: unchanged); returns it as stored after.
    pub async fn revoke_relay_token(&self, name: &str) -> Result<RelayToken> {
        let name = name.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                conn.execute(
                    "UPDATE relay_tokens SET revoked_at_us = ?2
                     WHERE name = ?1 AND revoked_at_us IS NULL",
                    params![name, crate::now_us()],
                )?;
                token(conn, &name)?.ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "relay token {name:?} (`hooklens relay token list` shows them)"
                    ))
                })
            })
            .await
    }

    /// Records that the token `name` opened a stream at `at_us`.
    pub async fn touch_relay_token(&self, name: &str, at_us: i64) -> Result<()> {
        let name = name.to_string();
        self.inner
            .writer
            .submit_statement(move |conn| {
                conn.prepare_cached("UPDATE relay_tokens SET last_used_us = ?2 WHERE name = ?1")?
                    .execute(params![name, at_us])?;
                Ok(())
            })
            .await
    }

    /// How far the relay `relay` has been mirrored here, if at all.
    pub async fn relay_cursor(&self, relay: &str) -> Result<Option<RelayCursor>> {
        let relay = relay.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT relay, position, last_id, updated_at_us FROM relay_cursors
                     WHERE relay = ?1",
                )?
                .query_row([relay], |r| {
                    Ok(RelayCursor {
                        relay: r.get(0)?,
                        position: r.get(1)?,
                        last_id: r.get(2)?,
                        updated_at_us: r.get(3)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    /// Stores a capture mirrored from a relay, with its deliveries, and moves that relay's
    /// cursor to `cursor`, in one transaction: a crash either keeps both or neither. A
    /// capture whose id is stored already is skipped (the cursor still moves), so each is
    /// stored exactly once. The cursor never moves back.
    pub async fn mirror_capture(&self, capture: Capture, cursor: RelayCursor) -> Result<Mirrored> {
        let mirrored = self
            .inner
            .writer
            .submit(move |conn| {
                let stored: Option<i64> = conn
                    .prepare_cached("SELECT seq FROM requests WHERE id = ?1")?
                    .query_row([&capture.meta.id], |r| r.get(0))
                    .optional()?;
                let mirrored = match stored {
                    Some(_) => Mirrored::Duplicate,
                    None => Mirrored::Stored(insert(conn, &capture)?),
                };
                move_cursor(conn, &cursor)?;
                Ok(mirrored)
            })
            .await?;
        if let Mirrored::Stored(seq) = mirrored {
            self.committed(seq);
        }
        Ok(mirrored)
    }
}

fn token_from_row(r: &Row) -> rusqlite::Result<RelayToken> {
    Ok(RelayToken {
        name: r.get(0)?,
        hash: r.get(1)?,
        created_at_us: r.get(2)?,
        last_used_us: r.get(3)?,
        revoked_at_us: r.get(4)?,
    })
}

fn token(conn: &Connection, name: &str) -> Result<Option<RelayToken>> {
    Ok(conn
        .prepare_cached(
            "SELECT name, hash, created_at_us, last_used_us, revoked_at_us
             FROM relay_tokens WHERE name = ?1",
        )?
        .query_row([name], token_from_row)
        .optional()?)
}

fn move_cursor(conn: &Connection, c: &RelayCursor) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO relay_cursors (relay, position, last_id, updated_at_us)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (relay) DO UPDATE SET position = excluded.position,
            last_id = excluded.last_id, updated_at_us = excluded.updated_at_us
         WHERE excluded.position > relay_cursors.position",
    )?
    .execute(params![c.relay, c.position, c.last_id, c.updated_at_us])?;
    Ok(())
}
