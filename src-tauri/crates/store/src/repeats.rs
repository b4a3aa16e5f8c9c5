//! Repeated deliveries: what came before a delivery of a provider's event at an endpoint.
//! Providers deliver at least once, so the same event id arriving again is a repeat; the
//! capture pipeline asks here before it commits, and marks the repeat `duplicate_of` the first.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::{FirstDelivery, Prior};
use crate::{Result, Store};

impl Store {
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
    use crate::model::{EventDelivery, RequestFilter};
    use crate::requests::tests::capture;
    use crate::requests::{get, insert, list};
    use crate::test_conn;

    #[test]
    fn repeats_count_on_from_the_first_delivery_at_the_same_endpoint() {
        let conn = test_conn();
        let deliver = |id: &str, endpoint: Option<&str>, at: i64| {
            let prior = prior(&conn, endpoint, "stripe", "evt_1").expect("prior");
            let mut c = capture(id, "/stripe", b"{}");
            c.meta.provider = Some("stripe".into());
            c.meta.endpoint_id = endpoint.map(str::to_string);
            c.meta.received_at_us = at;
            c.meta.event = Some(EventDelivery::after("evt_1".into(), prior));
            insert(&conn, &c).expect("insert");
            get(&conn, id).expect("get").meta.event.expect("event")
        };
        let first = deliver("a", Some("E1"), 10);
        assert_eq!((first.occurrence, first.first), (1, None));
        let second = deliver("b", Some("E1"), 20);
        let first_delivery = FirstDelivery {
            id: "a".into(),
            received_at_us: 10,
        };
        assert_eq!(second.occurrence, 2);
        assert_eq!(second.first.as_ref(), Some(&first_delivery));
        assert_eq!(deliver("c", Some("E1"), 30).occurrence, 3);
        // Another endpoint (another subscription at the provider) is another delivery stream.
        assert_eq!(deliver("d", None, 40).occurrence, 1);
        assert_eq!(
            deliver("e", None, 50).first.map(|f| f.id).as_deref(),
            Some("d")
        );
        // Retention deleted the first: the oldest stored repeat still knows it.
        conn.execute("DELETE FROM requests WHERE id = 'a'", [])
            .expect("delete");
        let fourth = deliver("f", Some("E1"), 60);
        assert_eq!((fourth.occurrence, fourth.first), (4, Some(first_delivery)));
        assert_eq!(
            prior(&conn, Some("E1"), "github", "evt_1").expect("prior"),
            None,
            "another provider's id space"
        );

        let ids = |duplicate| {
            let filter = RequestFilter {
                duplicate: Some(duplicate),
                limit: 10,
                ..Default::default()
            };
            let page = list(&conn, &filter).expect("list");
            page.items
                .into_iter()
                .map(|r| r.meta.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(true), ["f", "e", "c", "b"]);
        assert_eq!(ids(false), ["d"]);
    }

    #[test]
    fn the_lookup_reads_the_event_index() {
        let conn = test_conn();
        let plan = crate::query_plan(
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
