//! Repeated deliveries: what came before a delivery of a provider's event at an endpoint.
//! Providers deliver at least once, so the same event id arriving again is a repeat; the
//! capture pipeline asks here before it commits, and marks the repeat `duplicate_of` the first.

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::Result;
use crate::model::{FirstDelivery, Prior};

impl SqliteStore {
    /// What came before a delivery of the provider's event `event_id` at an endpoint (`None`:
    /// the default one), or `None` when this is its first delivery there.
    pub async fn prior_delivery(
        &self,
        endpoint_id: Option<&str>,
        provider: &str,
        event_id: &str,
    ) -> Result<Option<Prior>> {
        let key = (
            endpoint_id.map(str::to_string),
            provider.to_string(),
            event_id.to_string(),
        );
        self.read(move |conn| prior(conn, key.0.as_deref(), &key.1, &key.2))
            .await
    }
}

/// What came before a delivery of event `event_id` from `provider` at the endpoint
/// `endpoint_id` (`None`: the default endpoint): its first delivery and the last occurrence
/// stored. When retention deleted the first, the oldest stored delivery still knows it.
pub(crate) fn prior(
    conn: &Connection,
    endpoint_id: Option<&str>,
    provider: &str,
    event_id: &str,
) -> Result<Option<Prior>> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(duplicate_of, id), coalesce(first_at_us, received_at_us),
            (SELECT max(occurrence) FROM requests
             WHERE event_id = ?1 AND provider = ?2 AND endpoint_id IS ?3)
         FROM requests WHERE event_id = ?1 AND provider = ?2 AND endpoint_id IS ?3
         ORDER BY seq LIMIT 1",
    )?;
    Ok(stmt
        .query_row(params![event_id, provider, endpoint_id], |row| {
            Ok(Prior {
                first: FirstDelivery {
                    id: row.get(0)?,
                    received_at_us: row.get(1)?,
                },
                last_occurrence: row.get::<_, Option<u32>>(2)?.unwrap_or(1),
            })
        })
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::test_conn;

    #[test]
    fn the_lookup_reads_the_event_index() {
        let conn = test_conn();
        let plan = crate::sqlite::query_plan(
            &conn,
            "SELECT id FROM requests WHERE event_id = ?1 AND provider = ?2 AND endpoint_id IS ?3
             ORDER BY seq LIMIT 1",
            params!["evt_1", "stripe", None::<String>],
        );
        assert!(
            plan.iter().any(|step| step.contains("requests_event")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }
}
