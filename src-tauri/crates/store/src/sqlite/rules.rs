//! Rules, in the order they were created.

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::model::{Rule, RuleSpec};
use crate::{Result, StoreError, format_us, now_us};

impl SqliteStore {
    pub async fn list_rules(&self) -> Result<Vec<Rule>> {
        self.read(list).await
    }

    pub async fn get_rule(&self, id: &str) -> Result<Rule> {
        let id = id.to_string();
        self.read(move |conn| get(conn, &id)).await
    }

    /// Adds a rule after the others. The caller has checked that it compiles.
    pub async fn create_rule(&self, spec: RuleSpec) -> Result<Rule> {
        let id = ulid::Ulid::new().to_string();
        self.inner
            .writer
            .submit(move |conn| {
                conn.execute(
                    "INSERT INTO rules (id, position, spec, created_at_us)
                     VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM rules), ?2, ?3)",
                    params![id, serde_json::to_string(&spec)?, now_us()],
                )?;
                get(conn, &id)
            })
            .await
    }

    pub async fn update_rule(&self, id: &str, spec: RuleSpec) -> Result<Rule> {
        let id = id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                let n = conn.execute(
                    "UPDATE rules SET spec = ?2 WHERE id = ?1",
                    params![id, serde_json::to_string(&spec)?],
                )?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("rule {id}")));
                }
                get(conn, &id)
            })
            .await
    }

    pub async fn delete_rule(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                if conn.execute("DELETE FROM rules WHERE id = ?1", [&id])? == 0 {
                    return Err(StoreError::NotFound(format!("rule {id}")));
                }
                Ok(())
            })
            .await
    }
}

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Result<Rule>> {
    let spec: String = row.get(1)?;
    Ok(match serde_json::from_str(&spec) {
        Ok(spec) => Ok(Rule {
            id: row.get(0)?,
            spec,
            created_at: format_us(row.get(2)?),
        }),
        Err(e) => Err(e.into()),
    })
}

fn list(conn: &Connection) -> Result<Vec<Rule>> {
    let mut stmt =
        conn.prepare("SELECT id, spec, created_at_us FROM rules ORDER BY position, id")?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| r?).collect()
}

fn get(conn: &Connection, id: &str) -> Result<Rule> {
    conn.query_row(
        "SELECT id, spec, created_at_us FROM rules WHERE id = ?1",
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("rule {id}")))?
}
