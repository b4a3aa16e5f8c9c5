//! Retention: old unpinned requests go, by count, age and total body size. Deletes run in
//! small chunks with a pause between them, so deleting a large backlog never stalls capture.

use rusqlite::Connection;

use super::SqliteStore;
use crate::model::RetentionSettings;
use crate::{Result, RetentionReport};

/// Rows deleted per writer operation. Captures queued behind a chunk wait for it (with each
/// row go its full-text entries in both indexes, its deliveries and tags), so it stays small.
const CHUNK: i64 = 128;
/// Pause between chunks, so captures get commits of their own while a backlog is deleted.
const BREATHER: std::time::Duration = std::time::Duration::from_millis(10);

impl SqliteStore {
    /// Applies `limits` now, measured against `now_us`. Where each limit cuts is found once,
    /// on a reader, before anything is deleted (finding it means walking the newest rows, or
    /// summing every body size for the size limit); then chunks below the cut go, each a
    /// cheap range on the primary key, so the writer is never held for a scan. Requests that
    /// arrive meanwhile are above the cut: a later pass counts them.
    pub async fn apply_retention(
        &self,
        limits: RetentionSettings,
        now_us: i64,
    ) -> Result<RetentionReport> {
        let cuts = self
            .read(move |conn| Cuts::find(conn, &limits, now_us))
            .await?;
        let mut report = RetentionReport::default();
        if cuts.is_empty() {
            return Ok(report);
        }
        loop {
            let step = self
                .inner
                .writer
                .submit(move |conn| apply_chunk(conn, &cuts))
                .await?;
            report.by_age += step.by_age;
            report.by_count += step.by_count;
            report.by_size += step.by_size;
            if step.total() < CHUNK as u64 {
                return Ok(report);
            }
            tokio::time::sleep(BREATHER).await;
        }
    }
}

/// Where each limit cuts: unpinned requests received before `age_us`, or with a `seq` at or
/// below `count_seq` / `size_seq`, go.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cuts {
    age_us: Option<i64>,
    count_seq: Option<i64>,
    size_seq: Option<i64>,
}

impl Cuts {
    pub(crate) fn find(conn: &Connection, limits: &RetentionSettings, now_us: i64) -> Result<Cuts> {
        use rusqlite::OptionalExtension;
        let age_us = limits
            .max_age_days
            .map(|days| now_us.saturating_sub(days as i64 * 86_400_000_000));
        // The newest `max` unpinned requests stay; the next one down is the cut.
        let count_seq = match limits.max_requests {
            Some(max) => conn
                .query_row(
                    "SELECT seq FROM requests WHERE pinned = 0 ORDER BY seq DESC
                     LIMIT 1 OFFSET ?1",
                    [max as i64],
                    |row| row.get(0),
                )
                .optional()?,
            None => None,
        };
        // The newest requests whose bodies fit stay; the newest one past the budget is the cut.
        // A walk newest first that stops there (or at the count cut, below which everything
        // goes anyway): no sort, no window over the whole table.
        let size_seq = match limits.max_total_mib {
            Some(mib) => {
                let budget = (mib as i64) << 20;
                let mut walk = conn.prepare_cached(
                    "SELECT seq, coalesce(length(body), 0) FROM requests
                     WHERE pinned = 0 AND seq > ?1 ORDER BY seq DESC",
                )?;
                let mut rows = walk.query([count_seq.unwrap_or(0)])?;
                let (mut running, mut cut) = (0i64, None);
                while let Some(row) = rows.next()? {
                    running += row.get::<_, i64>(1)?;
                    if running > budget {
                        cut = Some(row.get(0)?);
                        break;
                    }
                }
                cut
            }
            None => None,
        };
        Ok(Cuts {
            age_us,
            count_seq,
            size_seq,
        })
    }

    fn is_empty(&self) -> bool {
        self.age_us.is_none() && self.count_seq.is_none() && self.size_seq.is_none()
    }
}

/// The oldest unpinned requests received before ?1, at most ?2 of them. Read along the
/// `received_at_us` index, so it costs the rows it deletes: walking the primary key instead
/// checks every row's time, and when nothing is that old (the usual case while the count or
/// size limit deletes) each chunk scanned the whole table on the writer, stalling capture.
const AGE_CHUNK: &str = "DELETE FROM requests WHERE seq IN (
    SELECT seq FROM requests WHERE pinned = 0 AND received_at_us < ?1
    ORDER BY received_at_us LIMIT ?2)";
/// The oldest unpinned requests with a `seq` at or below ?1, at most ?2: a primary-key range.
const SEQ_CHUNK: &str = "DELETE FROM requests WHERE seq IN (
    SELECT seq FROM requests WHERE pinned = 0 AND seq <= ?1 ORDER BY seq LIMIT ?2)";

/// Deletes at most about [`CHUNK`] rows per limit, oldest first, below its cut.
pub(crate) fn apply_chunk(conn: &Connection, cuts: &Cuts) -> Result<RetentionReport> {
    let mut report = RetentionReport::default();
    if let Some(cutoff) = cuts.age_us {
        report.by_age = conn.execute(AGE_CHUNK, [cutoff, CHUNK])? as u64;
    }
    for (cut, removed) in [
        (cuts.count_seq, &mut report.by_count),
        (cuts.size_seq, &mut report.by_size),
    ] {
        if let Some(seq) = cut {
            *removed = conn.execute(SEQ_CHUNK, [seq, CHUNK])? as u64;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::requests::{insert, tests::capture};
    use crate::sqlite::test_conn;

    const DAY: i64 = 86_400_000_000;

    fn ids(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT id FROM requests ORDER BY seq")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    fn seed(conn: &Connection) {
        // r0 is 10 days old, r1 5 days, r2 1 day, r3 now; r0 is pinned. 1 KiB bodies.
        let now = 100 * DAY;
        for (i, age) in [10, 5, 1, 0].into_iter().enumerate() {
            let mut c = capture(&format!("r{i}"), "/", &[b'x'; 1024]);
            c.meta.received_at_us = now - age * DAY;
            insert(conn, &c).expect("insert");
        }
        conn.execute("UPDATE requests SET pinned = 1 WHERE id = 'r0'", [])
            .expect("pin");
    }

    #[test]
    fn limits_table() {
        let none = RetentionSettings {
            max_requests: None,
            max_age_days: None,
            max_total_mib: None,
        };
        let cases: &[(RetentionSettings, &[&str])] = &[
            (none.clone(), &["r0", "r1", "r2", "r3"]),
            (
                RetentionSettings {
                    max_age_days: Some(2),
                    ..none.clone()
                },
                &["r0", "r2", "r3"],
            ),
            (
                RetentionSettings {
                    max_requests: Some(1),
                    ..none.clone()
                },
                &["r0", "r3"],
            ),
            (
                RetentionSettings {
                    max_requests: Some(10),
                    ..none.clone()
                },
                &["r0", "r1", "r2", "r3"],
            ),
        ];
        for (limits, want) in cases {
            let conn = test_conn();
            seed(&conn);
            let cuts = Cuts::find(&conn, limits, 100 * DAY).expect("cuts");
            apply_chunk(&conn, &cuts).expect("retention");
            assert_eq!(ids(&conn), *want, "{limits:?}");
        }
    }

    /// Each chunk reads only the rows it deletes: every step on `requests` is an index or
    /// primary-key search, never a scan, and nothing is sorted.
    #[test]
    fn chunks_search_never_scan() {
        let conn = test_conn();
        seed(&conn);
        for sql in [AGE_CHUNK, SEQ_CHUNK] {
            let plan = crate::sqlite::query_plan(&conn, sql, [0, CHUNK]);
            assert!(
                plan.iter()
                    .all(|step| !step.starts_with("SCAN") && !step.contains("TEMP B-TREE")),
                "{sql}: {plan:?}"
            );
        }
    }

    #[test]
    fn size_limit_keeps_the_newest_that_fit() {
        let conn = test_conn();
        for i in 0..4 {
            insert(
                &conn,
                &capture(&format!("r{i}"), "/", &vec![0u8; 600 << 10]),
            )
            .expect("insert");
        }
        let limits = RetentionSettings {
            max_requests: None,
            max_age_days: None,
            max_total_mib: Some(1),
        };
        let cuts = Cuts::find(&conn, &limits, 0).expect("cuts");
        let report = apply_chunk(&conn, &cuts).expect("retention");
        assert_eq!(report.by_size, 3);
        assert_eq!(ids(&conn), ["r3"]);
    }

    #[test]
    fn size_and_count_limits_together_keep_what_both_allow() {
        let conn = test_conn();
        for i in 0..5 {
            insert(
                &conn,
                &capture(&format!("r{i}"), "/", &vec![0u8; 600 << 10]),
            )
            .expect("insert");
        }
        // The count keeps r2..r4; of those the size budget keeps only r4.
        let limits = RetentionSettings {
            max_requests: Some(3),
            max_age_days: None,
            max_total_mib: Some(1),
        };
        let cuts = Cuts::find(&conn, &limits, 0).expect("cuts");
        let report = apply_chunk(&conn, &cuts).expect("retention");
        assert_eq!((report.by_count, report.by_size), (2, 2));
        assert_eq!(ids(&conn), ["r4"]);
        // A budget the rows above the count cut fit in sets no size cut.
        let limits = RetentionSettings {
            max_total_mib: Some(2),
            ..limits
        };
        let cuts = Cuts::find(&conn, &limits, 0).expect("cuts");
        assert_eq!(cuts.size_seq, None);
    }
}
