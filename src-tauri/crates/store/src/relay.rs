//! The relay's rows. On a relay: its tokens (hashes only) and its own id. On a subscriber:
//! how far each relay has been mirrored, moved in the same transaction as the mirrored
//! capture, and the capture itself, skipped when its id is already stored.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::Capture;
use crate::requests::insert;
use crate::{Result, Store, StoreError};

/// A relay token as stored: its name and the SHA-256 of the secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayToken {
    pub name: String,
    pub hash: Vec<u8>,
    pub created_at_us: i64,
    /// When it last opened a stream.
    pub last_used_us: Option<i64>,
    /// When it was revoked; a revoked token opens nothing.
    pub revoked_at_us: Option<i64>,
}

/// How far a relay's stream has been mirrored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayCursor {
    /// The relay's id (its `relay_id`), not its URL.
    pub relay: String,
    /// The relay's position of the last capture mirrored.
    pub position: i64,
    /// That capture's id.
    pub last_id: Option<String>,
    pub updated_at_us: i64,
}

/// What became of a mirrored capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirrored {
    /// Stored at this position of the local store.
    Stored(i64),
    /// A request with its id was stored already: nothing stored, the cursor moved.
    Duplicate,
}

impl Store {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BodyState, RequestMeta, Via};

    fn capture(id: &str) -> Capture {
        Capture {
            meta: RequestMeta {
                id: id.into(),
                received_at_us: 1,
                duration_us: 0,
                endpoint_id: None,
                endpoint_name: "default".into(),
                method: "POST".into(),
                path: "/".into(),
                query: None,
                http_version: "HTTP/1.1".into(),
                remote_addr: None,
                headers: Vec::new(),
                body_state: BodyState::Complete,
                body_note: None,
                size: 2,
                response_status: 200,
                provider: None,
                event_type: None,
                signature: None,
                tags: Vec::new(),
                rules: Vec::new(),
                via: Via::Relay,
                event: None,
                handshake: None,
            },
            body: b"{}".to_vec(),
            pinned: false,
            deliveries: Vec::new(),
        }
    }

    fn cursor(position: i64, id: &str) -> RelayCursor {
        RelayCursor {
            relay: "r1".into(),
            position,
            last_id: Some(id.into()),
            updated_at_us: position,
        }
    }

    #[tokio::test]
    async fn a_mirrored_capture_moves_the_cursor_with_it_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        assert_eq!(store.relay_cursor("r1").await.expect("read"), None);
        let first = store
            .mirror_capture(capture("a"), cursor(7, "a"))
            .await
            .expect("mirror");
        assert!(matches!(first, Mirrored::Stored(_)), "{first:?}");
        let again = store
            .mirror_capture(capture("a"), cursor(8, "a"))
            .await
            .expect("mirror");
        assert_eq!(again, Mirrored::Duplicate);
        assert_eq!(store.count_requests().await.expect("count"), 1);
        let at = store.relay_cursor("r1").await.expect("read").expect("kept");
        assert_eq!((at.position, at.last_id.as_deref()), (8, Some("a")));
        // An older position never moves it back.
        store
            .mirror_capture(capture("b"), cursor(3, "b"))
            .await
            .expect("mirror");
        let at = store.relay_cursor("r1").await.expect("read").expect("kept");
        assert_eq!(at.position, 8);
        let stored = store.get_request("a").await.expect("stored");
        assert_eq!(stored.meta.via, Via::Relay);
        store.close().await.expect("close");
    }

    #[tokio::test]
    async fn tokens_are_made_revoked_and_made_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let made = store
            .create_relay_token("laptop", vec![1; 32])
            .await
            .expect("create");
        assert_eq!((made.hash.len(), made.revoked_at_us), (32, None));
        let twice = store.create_relay_token("laptop", vec![2; 32]).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        let revoked = store.revoke_relay_token("laptop").await.expect("revoke");
        assert!(revoked.revoked_at_us.is_some());
        let again = store.revoke_relay_token("laptop").await.expect("again");
        assert_eq!(again.revoked_at_us, revoked.revoked_at_us, "unchanged");
        assert!(matches!(
            store.revoke_relay_token("nobody").await,
            Err(StoreError::NotFound(_))
        ));
        let remade = store
            .create_relay_token("laptop", vec![3; 32])
            .await
            .expect("a revoked name is free again");
        assert_eq!((remade.hash, remade.revoked_at_us), (vec![3; 32], None));
        store.touch_relay_token("laptop", 42).await.expect("touch");
        let all = store.relay_tokens().await.expect("list");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].last_used_us, Some(42));
        let id = store.relay_id().await.expect("id");
        assert_eq!(id.len(), 32);
        store.close().await.expect("close");
        let reopened = Store::open(dir.path()).expect("reopen");
        assert_eq!(reopened.relay_id().await.expect("id"), id, "kept");
        reopened.close().await.expect("close");
    }

    #[tokio::test]
    async fn captures_follow_in_commit_order_and_wake_the_watch() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let mut commits = store.watch_commits();
        assert_eq!(*commits.borrow_and_update(), 0);
        for id in ["a", "b", "c"] {
            store.insert_request(capture(id)).await.expect("insert");
        }
        assert!(commits.has_changed().expect("open"));
        assert_eq!(*commits.borrow_and_update(), 3);
        let all = store.captures_after(0, 10).await.expect("read");
        let seen: Vec<(i64, &str)> = all
            .iter()
            .map(|c| (c.position, c.request.meta.id.as_str()))
            .collect();
        assert_eq!(seen, [(1, "a"), (2, "b"), (3, "c")]);
        assert_eq!(all[0].request.body.as_deref(), Some(&b"{}"[..]));
        assert_eq!(store.count_captures_after(1).await.expect("count"), 2);
        store.delete_request("b").await.expect("delete");
        let positions: Vec<i64> = store
            .captures_after(0, 10)
            .await
            .expect("read")
            .iter()
            .map(|c| c.position)
            .collect();
        assert_eq!(positions, [1, 3], "a deleted capture leaves a gap");
        store.close().await.expect("close");
        let reopened = Store::open(dir.path()).expect("reopen");
        assert_eq!(*reopened.watch_commits().borrow(), 3);
        reopened.close().await.expect("close");
    }
}
