//! Named endpoints: path prefixes with their own response.

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::model::{Endpoint, EndpointSpec, Forwarding};
use crate::{Result, StoreError, format_us, now_us};

impl SqliteStore {
    pub async fn list_endpoints(&self) -> Result<Vec<Endpoint>> {
        self.read(list).await
    }

    /// Creates an endpoint; its name and path must be unused.
    pub async fn create_endpoint(&self, spec: EndpointSpec) -> Result<Endpoint> {
        let spec = spec.validate()?;
        let id = ulid::Ulid::new().to_string();
        self.inner
            .writer
            .submit(move |conn| {
                check_unique(conn, &spec, None)?;
                conn.execute(
                    "INSERT INTO endpoints (id, name, path, response, forwarding, created_at_us)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        id,
                        spec.name,
                        spec.path,
                        serde_json::to_string(&spec.response)?,
                        forwarding_json(&spec)?,
                        now_us()
                    ],
                )?;
                get(conn, &id)
            })
            .await
    }

    /// Replaces an endpoint's spec. Requests captured under its old name are renamed too.
    pub async fn update_endpoint(&self, id: &str, spec: EndpointSpec) -> Result<Endpoint> {
        let spec = spec.validate()?;
        let id = id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                get(conn, &id)?;
                check_unique(conn, &spec, Some(&id))?;
                conn.execute(
                    "UPDATE endpoints SET name = ?2, path = ?3, response = ?4, forwarding = ?5
                     WHERE id = ?1",
                    params![
                        id,
                        spec.name,
                        spec.path,
                        serde_json::to_string(&spec.response)?,
                        forwarding_json(&spec)?
                    ],
                )?;
                conn.execute(
                    "UPDATE requests SET endpoint_name = ?2 WHERE endpoint_id = ?1",
                    params![id, spec.name],
                )?;
                get(conn, &id)
            })
            .await
    }

    /// Deletes an endpoint. Its requests stay, under the name they were captured with.
    pub async fn delete_endpoint(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                if conn.execute("DELETE FROM endpoints WHERE id = ?1", [&id])? == 0 {
                    return Err(StoreError::NotFound(format!("endpoint {id}")));
                }
                Ok(())
            })
            .await
    }

    pub async fn get_endpoint(&self, id: &str) -> Result<Endpoint> {
        let id = id.to_string();
        self.read(move |conn| get(conn, &id)).await
    }
}

fn check_unique(conn: &Connection, spec: &EndpointSpec, except: Option<&str>) -> Result<()> {
    let clash: Option<(String, String)> = conn
        .query_row(
            "SELECT name, path FROM endpoints
             WHERE (name = ?1 OR path = ?2) AND id IS NOT ?3 LIMIT 1",
            params![spec.name, spec.path, except],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match clash {
        Some((name, _)) if name == spec.name => {
            Err(StoreError::Conflict(format!("an endpoint named {name:?}")))
        }
        Some((_, path)) => Err(StoreError::Conflict(format!("an endpoint at {path}"))),
        None => Ok(()),
    }
}

fn forwarding_json(spec: &EndpointSpec) -> Result<String> {
    Ok(serde_json::to_string(&Forwarding {
        forward: spec.forward.clone(),
        retry: spec.retry.clone(),
        relay: spec.relay.clone(),
        signature: spec.signature.clone(),
        public_url: spec.public_url.clone(),
        answer_handshakes: spec.answer_handshakes,
        forward_duplicates: spec.forward_duplicates,
    })?)
}

const COLUMNS: &str = "id, name, path, response, forwarding, created_at_us";

fn row_to_endpoint(row: &rusqlite::Row) -> rusqlite::Result<Result<Endpoint>> {
    let (response, forwarding): (String, String) = (row.get(3)?, row.get(4)?);
    let parsed = serde_json::from_str(&response).and_then(|response| {
        let f: Forwarding = serde_json::from_str(&forwarding)?;
        Ok((response, f))
    });
    let (response, forwarding) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return Ok(Err(e.into())),
    };
    Ok(Ok(Endpoint {
        id: row.get(0)?,
        name: row.get(1)?,
        path: row.get(2)?,
        response,
        forward: forwarding.forward,
        retry: forwarding.retry,
        relay: forwarding.relay,
        signature: forwarding.signature,
        public_url: forwarding.public_url,
        answer_handshakes: forwarding.answer_handshakes,
        forward_duplicates: forwarding.forward_duplicates,
        created_at: format_us(row.get(5)?),
    }))
}

fn list(conn: &Connection) -> Result<Vec<Endpoint>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM endpoints ORDER BY path"))?;
    let rows = stmt.query_map([], row_to_endpoint)?;
    rows.map(|r| r?).collect()
}

fn get(conn: &Connection, id: &str) -> Result<Endpoint> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM endpoints WHERE id = ?1"),
        [id],
        row_to_endpoint,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("endpoint {id}")))?
}
