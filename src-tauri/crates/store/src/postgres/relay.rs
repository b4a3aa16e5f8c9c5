//! The relay's rows on PostgreSQL (see `sqlite::relay`). The instances sharing a database
//! are one relay: one `relay_id`, one set of tokens. A mirrored capture is stored with its
//! cursor in one transaction, and skipped by its id when stored already, so two subscribing
//! instances mirroring the same relay store each capture once.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::PgStore;
use super::writer::{INSERT_NEW, Values};
use crate::model::{Capture, Mirrored, RelayCursor, RelayToken};
use crate::{Result, StoreError};

const TOKEN_COLUMNS: &str = "name, hash, created_at_us, last_used_us, revoked_at_us";

impl PgStore {
    pub async fn relay_id(&self) -> Result<String> {
        let conn = self.conn().await?;
        conn.query_opt("SELECT value FROM meta WHERE key = 'relay_id'", &[])
            .await?
            .map(|row| row.get(0))
            .ok_or_else(|| StoreError::NotFound("relay id".into()))
    }

    pub async fn relay_tokens(&self) -> Result<Vec<RelayToken>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                &format!("SELECT {TOKEN_COLUMNS} FROM relay_tokens ORDER BY created_at_us, name"),
                &[],
            )
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// In a transaction holding the token's row (or, for a new name, its key) locked, so two
    /// instances making the same name at once make one.
    pub async fn create_relay_token(&self, name: &str, hash: Vec<u8>) -> Result<RelayToken> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('relay_token:' || $1))",
            &[&name],
        )
        .await?;
        if let Some(old) = token(&tx, name).await?
            && old.revoked_at_us.is_none()
        {
            return Err(StoreError::Conflict(format!(
                "an active relay token named {name:?}"
            )));
        }
        let row = tx
            .query_one(
                &format!(
                    "INSERT INTO relay_tokens (name, hash, created_at_us) VALUES ($1, $2, $3)
                     ON CONFLICT (name) DO UPDATE SET hash = excluded.hash,
                        created_at_us = excluded.created_at_us, last_used_us = NULL,
                        revoked_at_us = NULL
                     RETURNING {TOKEN_COLUMNS}"
                ),
                &[&name, &hash, &crate::now_us()],
            )
            .await?;
        let made = token_from_row(&row)?;
        tx.commit().await?;
        Ok(made)
    }

    pub async fn revoke_relay_token(&self, name: &str) -> Result<RelayToken> {
        let conn = self.conn().await?;
        conn.execute(
            "UPDATE relay_tokens SET revoked_at_us = $2 WHERE name = $1 AND revoked_at_us IS NULL",
            &[&name, &crate::now_us()],
        )
        .await?;
        token(&conn, name).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "relay token {name:?} (`hooklens relay token list` shows them)"
            ))
        })
    }

    pub async fn touch_relay_token(&self, name: &str, at_us: i64) -> Result<()> {
        let conn = self.conn().await?;
        conn.execute(
            "UPDATE relay_tokens SET last_used_us = $2 WHERE name = $1",
            &[&name, &at_us],
        )
        .await?;
        Ok(())
    }

    pub async fn relay_cursor(&self, relay: &str) -> Result<Option<RelayCursor>> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                "SELECT relay, position, last_id, updated_at_us FROM relay_cursors
                 WHERE relay = $1",
                &[&relay],
            )
            .await?;
        Ok(row.map(|r| RelayCursor {
            relay: r.get(0),
            position: r.get(1),
            last_id: r.get(2),
            updated_at_us: r.get(3),
        }))
    }

    /// The capture goes in with `ON CONFLICT (id) DO NOTHING`, so a capture stored already
    /// (by this instance or another, even one committing at the same moment) is skipped
    /// without failing the transaction; the cursor moves either way. The sequencer numbers
    /// a stored capture once this commits, as any other.
    pub async fn mirror_capture(&self, capture: Capture, cursor: RelayCursor) -> Result<Mirrored> {
        let values = Values::of(&capture, self.inner.instance)?;
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let stored = tx.query_opt(INSERT_NEW, &values.params()).await?;
        tx.execute(
            "INSERT INTO relay_cursors (relay, position, last_id, updated_at_us)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (relay) DO UPDATE SET position = excluded.position,
                last_id = excluded.last_id, updated_at_us = excluded.updated_at_us
             WHERE excluded.position > relay_cursors.position",
            &[
                &cursor.relay,
                &cursor.position,
                &cursor.last_id,
                &cursor.updated_at_us,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(match stored {
            Some(row) => {
                self.inner.sequence.notify_one();
                Mirrored::Stored(row.try_get(0)?)
            }
            None => Mirrored::Duplicate,
        })
    }
}

fn token_from_row(r: &Row) -> Result<RelayToken> {
    Ok(RelayToken {
        name: r.try_get(0)?,
        hash: r.try_get(1)?,
        created_at_us: r.try_get(2)?,
        last_used_us: r.try_get(3)?,
        revoked_at_us: r.try_get(4)?,
    })
}

async fn token(client: &impl GenericClient, name: &str) -> Result<Option<RelayToken>> {
    let row = client
        .query_opt(
            &format!("SELECT {TOKEN_COLUMNS} FROM relay_tokens WHERE name = $1"),
            &[&name],
        )
        .await?;
    row.as_ref().map(token_from_row).transpose()
}
