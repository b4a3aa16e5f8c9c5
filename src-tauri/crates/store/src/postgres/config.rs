//! What the user configures, on PostgreSQL: endpoints, rules and settings; and the record
//! of notifications. A check-then-write (a unique name, a settings patch) runs in a
//! transaction that locks what it reads, so two instances cannot interleave it.

use tokio_postgres::Row;

use super::PgStore;
use crate::model::{Endpoint, EndpointSpec, Forwarding, Rule, RuleSpec, Settings, SettingsPatch};
use crate::{Result, StoreError, StoredNotification, format_us, now_us};

const ENDPOINT_COLUMNS: &str = "id, name, path, response, forwarding, created_at_us";

impl PgStore {
    pub async fn list_endpoints(&self) -> Result<Vec<Endpoint>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                &format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints ORDER BY path"),
                &[],
            )
            .await?;
        rows.iter().map(endpoint_from_row).collect()
    }

    pub async fn get_endpoint(&self, id: &str) -> Result<Endpoint> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                &format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE id = $1"),
                &[&id],
            )
            .await?;
        match row {
            Some(row) => endpoint_from_row(&row),
            None => Err(StoreError::NotFound(format!("endpoint {id}"))),
        }
    }

    pub async fn create_endpoint(&self, spec: EndpointSpec) -> Result<Endpoint> {
        let spec = spec.validate()?;
        let id = ulid::Ulid::new().to_string();
        self.write_endpoint(&id, spec, true).await
    }

    pub async fn update_endpoint(&self, id: &str, spec: EndpointSpec) -> Result<Endpoint> {
        let spec = spec.validate()?;
        self.write_endpoint(id, spec, false).await
    }

    /// Creates (`create`) or replaces endpoint `id`, in a transaction that holds the
    /// endpoints table against other writers, so the uniqueness check stays true.
    async fn write_endpoint(&self, id: &str, spec: EndpointSpec, create: bool) -> Result<Endpoint> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        tx.batch_execute("LOCK TABLE endpoints IN SHARE ROW EXCLUSIVE MODE")
            .await?;
        if !create
            && tx
                .query_opt("SELECT 1 FROM endpoints WHERE id = $1", &[&id])
                .await?
                .is_none()
        {
            return Err(StoreError::NotFound(format!("endpoint {id}")));
        }
        let clash = tx
            .query_opt(
                "SELECT name, path FROM endpoints
                 WHERE (name = $1 OR path = $2) AND id IS DISTINCT FROM $3 LIMIT 1",
                &[&spec.name, &spec.path, &id],
            )
            .await?;
        if let Some(row) = clash {
            let (name, path): (String, String) = (row.get(0), row.get(1));
            return Err(StoreError::Conflict(if name == spec.name {
                format!("an endpoint named {name:?}")
            } else {
                format!("an endpoint at {path}")
            }));
        }
        let forwarding = serde_json::to_string(&Forwarding {
            forward: spec.forward.clone(),
            retry: spec.retry.clone(),
            relay: spec.relay.clone(),
            signature: spec.signature.clone(),
            public_url: spec.public_url.clone(),
            answer_handshakes: spec.answer_handshakes,
            forward_duplicates: spec.forward_duplicates,
        })?;
        let response = serde_json::to_string(&spec.response)?;
        let row = if create {
            tx.query_one(
                &format!(
                    "INSERT INTO endpoints (id, name, path, response, forwarding, created_at_us)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ENDPOINT_COLUMNS}"
                ),
                &[
                    &id,
                    &spec.name,
                    &spec.path,
                    &response,
                    &forwarding,
                    &now_us(),
                ],
            )
            .await?
        } else {
            let row = tx
                .query_one(
                    &format!(
                        "UPDATE endpoints SET name = $2, path = $3, response = $4, forwarding = $5
                         WHERE id = $1 RETURNING {ENDPOINT_COLUMNS}"
                    ),
                    &[&id, &spec.name, &spec.path, &response, &forwarding],
                )
                .await?;
            tx.execute(
                "UPDATE requests SET endpoint_name = $2 WHERE endpoint_id = $1",
                &[&id, &spec.name],
            )
            .await?;
            row
        };
        let endpoint = endpoint_from_row(&row)?;
        tx.commit().await?;
        Ok(endpoint)
    }

    pub async fn delete_endpoint(&self, id: &str) -> Result<()> {
        let conn = self.conn().await?;
        if conn
            .execute("DELETE FROM endpoints WHERE id = $1", &[&id])
            .await?
            == 0
        {
            return Err(StoreError::NotFound(format!("endpoint {id}")));
        }
        Ok(())
    }

    pub async fn list_rules(&self) -> Result<Vec<Rule>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                "SELECT id, spec, created_at_us FROM rules ORDER BY position, id",
                &[],
            )
            .await?;
        rows.iter().map(rule_from_row).collect()
    }

    pub async fn get_rule(&self, id: &str) -> Result<Rule> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                "SELECT id, spec, created_at_us FROM rules WHERE id = $1",
                &[&id],
            )
            .await?;
        match row {
            Some(row) => rule_from_row(&row),
            None => Err(StoreError::NotFound(format!("rule {id}"))),
        }
    }

    pub async fn create_rule(&self, spec: RuleSpec) -> Result<Rule> {
        let id = ulid::Ulid::new().to_string();
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        // Positions are handed out one rule at a time.
        tx.batch_execute("LOCK TABLE rules IN SHARE ROW EXCLUSIVE MODE")
            .await?;
        let row = tx
            .query_one(
                "INSERT INTO rules (id, position, spec, created_at_us)
                 VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM rules), $2, $3)
                 RETURNING id, spec, created_at_us",
                &[&id, &serde_json::to_string(&spec)?, &now_us()],
            )
            .await?;
        let rule = rule_from_row(&row)?;
        tx.commit().await?;
        Ok(rule)
    }

    pub async fn update_rule(&self, id: &str, spec: RuleSpec) -> Result<Rule> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                "UPDATE rules SET spec = $2 WHERE id = $1 RETURNING id, spec, created_at_us",
                &[&id, &serde_json::to_string(&spec)?],
            )
            .await?;
        match row {
            Some(row) => rule_from_row(&row),
            None => Err(StoreError::NotFound(format!("rule {id}"))),
        }
    }

    pub async fn delete_rule(&self, id: &str) -> Result<()> {
        let conn = self.conn().await?;
        if conn
            .execute("DELETE FROM rules WHERE id = $1", &[&id])
            .await?
            == 0
        {
            return Err(StoreError::NotFound(format!("rule {id}")));
        }
        Ok(())
    }

    pub async fn settings(&self) -> Result<Settings> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt("SELECT value FROM meta WHERE key = 'settings'", &[])
            .await?;
        Ok(match row {
            Some(row) => serde_json::from_str(row.try_get(0)?)?,
            None => Settings::default(),
        })
    }

    pub async fn patch_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        // The row exists, and is locked, before it is read: two patches apply one after
        // the other, neither losing the other's change.
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('settings', $1) ON CONFLICT (key) DO NOTHING",
            &[&serde_json::to_string(&Settings::default())?],
        )
        .await?;
        let row = tx
            .query_one(
                "SELECT value FROM meta WHERE key = 'settings' FOR UPDATE",
                &[],
            )
            .await?;
        let current: Settings = serde_json::from_str(row.try_get(0)?)?;
        let next = current.patched(&patch)?;
        tx.execute(
            "UPDATE meta SET value = $1 WHERE key = 'settings'",
            &[&serde_json::to_string(&next)?],
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    pub async fn record_notification(&self, n: StoredNotification) -> Result<()> {
        let conn = self.conn().await?;
        conn.execute(
            "INSERT INTO notifications (at_us, kind, key, title, body, request_id, shown)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &n.at_us,
                &n.kind,
                &n.key,
                &n.title,
                &n.body,
                &n.request_id,
                &n.shown,
            ],
        )
        .await?;
        Ok(())
    }

    pub async fn list_notifications(&self, limit: usize) -> Result<Vec<StoredNotification>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                "SELECT seq, at_us, kind, key, title, body, request_id, shown
                 FROM notifications ORDER BY seq DESC LIMIT $1",
                &[&(limit.clamp(1, 1000) as i64)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let at_us: i64 = r.try_get(1)?;
                Ok(StoredNotification {
                    seq: r.try_get(0)?,
                    at: format_us(at_us),
                    at_us,
                    kind: r.try_get(2)?,
                    key: r.try_get(3)?,
                    title: r.try_get(4)?,
                    body: r.try_get(5)?,
                    request_id: r.try_get(6)?,
                    shown: r.try_get(7)?,
                })
            })
            .collect()
    }
}

fn endpoint_from_row(row: &Row) -> Result<Endpoint> {
    let response: String = row.try_get(3)?;
    let forwarding: Forwarding = serde_json::from_str(row.try_get(4)?)?;
    Ok(Endpoint {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        path: row.try_get(2)?,
        response: serde_json::from_str(&response)?,
        forward: forwarding.forward,
        retry: forwarding.retry,
        relay: forwarding.relay,
        signature: forwarding.signature,
        public_url: forwarding.public_url,
        answer_handshakes: forwarding.answer_handshakes,
        forward_duplicates: forwarding.forward_duplicates,
        created_at: format_us(row.try_get(5)?),
    })
}

fn rule_from_row(row: &Row) -> Result<Rule> {
    let spec: String = row.try_get(1)?;
    Ok(Rule {
        id: row.try_get(0)?,
        spec: serde_json::from_str(&spec)?,
        created_at: format_us(row.try_get(2)?),
    })
}
