//! The order captures committed in, across every instance on the database.
//!
//! `requests.seq` is taken at insert, before commit: capture 11 may commit before capture
//! 10, and a reader that has seen 11 and moves its cursor there skips 10 for good. So a
//! capture commits with a row in `capture_queue`, and positions are handed out afterwards
//! by one sequencer at a time (an advisory lock): it moves every committed queue row to
//! `capture_log` with the next positions and commits, so positions appear in increasing
//! order only, and announces the last one with NOTIFY. Each instance runs a sequencer,
//! woken by its own captures (a capture's own transaction does not NOTIFY: PostgreSQL
//! serialises the commits of transactions that do); since each run waits for the lock and
//! then reads the queue afresh, every capture is numbered by a run that starts after it
//! committed. A sweep every [`SWEEP`] numbers what an instance that died left queued.
//!
//! The listener is a connection of its own per instance: it LISTENs for the positions every
//! sequencer announces and holds this instance's advisory lock, which tells the others
//! that it still runs (see `deliveries`).

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_postgres::AsyncMessage;

use super::connect::Target;
use super::{HOOKLENS, INSTANCE, LOCK_SEQUENCE, PgStore};
use crate::Result;

/// The channel positions are announced on.
const CHANNEL: &str = "hooklens_committed";
/// How often each instance numbers what is queued even if nothing woke it.
const SWEEP: Duration = Duration::from_secs(1);
/// Waits between attempts to reconnect the listener, and after a failed sequencing run.
const RETRY: Duration = Duration::from_millis(500);

/// Numbers every committed capture still queued; returns the last position handed out.
pub(crate) async fn sequence(store: &PgStore) -> Result<i64> {
    let mut conn = store.conn().await?;
    let tx = conn.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&HOOKLENS, &LOCK_SEQUENCE],
    )
    .await?;
    // A statement of its own, so that its snapshot is taken once the lock is held.
    let numbered = tx
        .prepare_cached(
            "WITH moved AS (DELETE FROM capture_queue RETURNING seq),
                  counter AS (SELECT last FROM capture_counter),
                  logged AS (
                      INSERT INTO capture_log (position, seq)
                      SELECT counter.last + row_number() OVER (ORDER BY moved.seq), moved.seq
                      FROM moved, counter
                  )
             UPDATE capture_counter SET last = last + (SELECT count(*) FROM moved)
             RETURNING last, (SELECT count(*) FROM moved)",
        )
        .await?;
    let row = tx.query_one(&numbered, &[]).await?;
    let (last, moved): (i64, i64) = (row.get(0), row.get(1));
    if moved > 0 {
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &last.to_string()])
            .await?;
    }
    tx.commit().await?;
    store.committed_up_to(last);
    Ok(last)
}

/// This instance's sequencer: runs when a capture committed here, and every [`SWEEP`].
pub(crate) async fn sequencer(store: PgStore) {
    let cancel = store.inner.cancel.clone();
    let wake = store.inner.sequence.clone();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(SWEEP) => {}
        }
        if let Err(e) = sequence(&store).await {
            if cancel.is_cancelled() {
                return;
            }
            tracing::warn!(error = %e, "numbering captures failed; retrying");
            wake.notify_one();
            tokio::time::sleep(RETRY).await;
        }
    }
}

/// Connects the listener and takes this instance's lock, then keeps it connected (again
/// after a loss, catching up on the positions announced meanwhile) until the store closes.
pub(crate) async fn listen(store: &PgStore, target: Target) -> Result<JoinHandle<()>> {
    let first = attach(store, &target).await?;
    let store = store.clone();
    Ok(tokio::spawn(async move {
        let cancel = store.inner.cancel.clone();
        let mut attached = Some(first);
        loop {
            if let Some((client, mut driver)) = attached.take() {
                tokio::select! {
                    _ = cancel.cancelled() => {
                        // Unlocked before the connection goes, so that this instance's leases
                        // count as orphaned as soon as close returns.
                        let _ = client
                            .execute("SELECT pg_advisory_unlock_all()", &[])
                            .await;
                        driver.abort();
                        return;
                    }
                    _ = &mut driver => {
                        tracing::warn!(database = %store.inner.database, "lost the listener connection; reconnecting");
                    }
                }
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(RETRY) => {}
            }
            match attach(&store, &target).await {
                Ok(pair) => attached = Some(pair),
                Err(e) => tracing::warn!(error = %e, "cannot reconnect the listener; retrying"),
            }
        }
    }))
}

/// One listener connection: LISTEN, the instance lock, and the position as it stands.
async fn attach(
    store: &PgStore,
    target: &Target,
) -> Result<(tokio_postgres::Client, JoinHandle<()>)> {
    let heard = store.clone();
    let (client, driver) = target
        .connect(move |message| {
            if let AsyncMessage::Notification(n) = message
                && let Ok(last) = n.payload().parse()
            {
                heard.committed_up_to(last);
            }
        })
        .await?;
    client
        .batch_execute(&format!(
            "SET statement_timeout = 0; LISTEN {CHANNEL}; SELECT pg_advisory_lock({INSTANCE}, {});",
            store.inner.instance as i32
        ))
        .await?;
    let last: i64 = client
        .query_one("SELECT last FROM capture_counter", &[])
        .await?
        .get(0);
    store.committed_up_to(last);
    Ok((client, driver))
}
