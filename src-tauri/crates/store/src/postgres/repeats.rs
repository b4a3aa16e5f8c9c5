//! Repeated deliveries on PostgreSQL (see `sqlite::repeats`).

use super::PgStore;
use crate::Result;
use crate::model::{FirstDelivery, Prior};

impl PgStore {
    /// Through the `requests_event` index; `endpoint_id` compared as SQLite's `IS` does (two
    /// NULLs are the same: the default endpoint).
    pub async fn prior_delivery(
        &self,
        endpoint_id: Option<&str>,
        provider: &str,
        event_id: &str,
    ) -> Result<Option<Prior>> {
        let conn = self.conn().await?;
        let stmt = conn
            .prepare_cached(
                "SELECT coalesce(duplicate_of, id), coalesce(first_at_us, received_at_us),
                    (SELECT max(occurrence) FROM requests
                     WHERE event_id = $1 AND provider = $2
                       AND endpoint_id IS NOT DISTINCT FROM $3)
                 FROM requests WHERE event_id = $1 AND provider = $2
                   AND endpoint_id IS NOT DISTINCT FROM $3
                 ORDER BY seq LIMIT 1",
            )
            .await?;
        let row = conn
            .query_opt(&stmt, &[&event_id, &provider, &endpoint_id])
            .await?;
        row.map(|row| {
            Ok(Prior {
                first: FirstDelivery {
                    id: row.try_get(0)?,
                    received_at_us: row.try_get(1)?,
                },
                last_occurrence: row
                    .try_get::<_, Option<i32>>(2)?
                    .map_or(1, |n| n.max(1) as u32),
            })
        })
        .transpose()
    }
}
