//! Settings kept in the store as one JSON document.

use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use crate::Result;
use crate::model::{Settings, SettingsPatch};

impl SqliteStore {
    /// Current settings; defaults where none were saved.
    pub async fn settings(&self) -> Result<Settings> {
        self.read(get).await
    }

    /// Applies a JSON merge patch, validates and saves; returns the new settings.
    pub async fn patch_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        self.inner
            .writer
            .submit(move |conn| {
                let next = get(conn)?.patched(&patch)?;
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('settings', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [serde_json::to_string(&next)?],
                )?;
                Ok(next)
            })
            .await
    }
}

fn get(conn: &Connection) -> Result<Settings> {
    let json: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'settings'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match json {
        Some(json) => serde_json::from_str(&json)?,
        None => Settings::default(),
    })
}
