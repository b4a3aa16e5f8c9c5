//! The PostgreSQL backend: for relays that run as several `hooklens serve` instances on one
//! database (managed or replicated), where SQLite's one file cannot be shared.
//!
//! Every call takes a connection from this instance's pool and commits before it returns,
//! so "2xx means stored" holds as on SQLite; PostgreSQL groups concurrent commits into one
//! WAL flush itself. What must happen once per database rather than once per instance runs
//! under an advisory lock: migrations (`migrate`), numbering captures in commit order
//! (`order`), feeding the search index (`search`) and retention (`retention`). A listener
//! connection per instance hears every instance's new positions (LISTEN/NOTIFY) and holds
//! the advisory lock that says this instance is alive, so that one starting up releases
//! only the leases of instances that are gone (`deliveries`).

mod after;
mod config;
mod connect;
mod deliveries;
mod filter;
mod imports;
mod migrate;
mod order;
mod relay;
mod repeats;
mod requests;
mod retention;
mod search;
mod stats;
mod tls;
mod writer;

use std::sync::{Arc, Mutex};

use deadpool_postgres::{Object, Pool, PoolError};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{Result, StoreError, WriterStats};

pub use migrate::SCHEMA_VERSION;

/// Advisory locks taken by Hooklens are `(HOOKLENS, purpose)` pairs…
const HOOKLENS: i32 = 0x486b_6c73; // "Hkls"
/// …and instance locks `(INSTANCE, instance number)`.
const INSTANCE: i32 = HOOKLENS + 1;
const LOCK_MIGRATE: i32 = 1;
const LOCK_SEQUENCE: i32 = 2;
const LOCK_INDEX: i32 = 3;
const LOCK_RETENTION: i32 = 4;

/// The PostgreSQL store. Cheap to clone; all clones share one pool and one set of tasks.
#[derive(Clone)]
pub(crate) struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// Where the database is, for messages: host, port and name, never the password.
    database: String,
    /// This instance's number (see `order::listen`).
    instance: i64,
    stats: Arc<WriterStats>,
    /// The last position committed on any instance, as far as this one knows.
    committed: watch::Sender<i64>,
    /// Wakes this instance's sequencer: a capture committed here.
    sequence: Arc<Notify>,
    /// Captures waiting to be committed (see `writer`).
    writer: writer::Writer,
    cancel: CancellationToken,
    /// The writer's workers, which stop once the queue is closed and empty.
    workers: Mutex<Vec<JoinHandle<()>>>,
    /// The listener, sequencer and indexer, which stop when `cancel` is cancelled.
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl PgStore {
    pub(crate) async fn open(url: &str) -> Result<PgStore> {
        let target = connect::Target::parse(url)?;
        let pool = target.pool()?;
        let mut conn = pool.get().await.map_err(|e| target.open_error(e))?;
        migrate::apply(&mut conn, &target.database).await?;
        let instance: i64 = conn
            .query_one("SELECT nextval('instances')", &[])
            .await?
            .get(0);
        let last: i64 = conn
            .query_one("SELECT last FROM capture_counter", &[])
            .await?
            .get(0);
        drop(conn);
        let inner = Arc::new(Inner {
            pool,
            database: target.database.clone(),
            instance,
            stats: Arc::new(WriterStats::default()),
            committed: watch::Sender::new(last),
            sequence: Arc::new(Notify::new()),
            writer: writer::Writer::new(),
            cancel: CancellationToken::new(),
            workers: Mutex::new(Vec::new()),
            tasks: Mutex::new(Vec::new()),
        });
        let store = PgStore { inner };
        let listening = order::listen(&store, target).await?;
        let sequencer = tokio::spawn(order::sequencer(store.clone()));
        let indexer = tokio::spawn(search::indexer(store.clone()));
        if let Ok(mut tasks) = store.inner.tasks.lock() {
            tasks.extend([listening, sequencer, indexer]);
        }
        if let Ok(mut workers) = store.inner.workers.lock() {
            workers
                .extend((0..writer::WORKERS).map(|_| tokio::spawn(writer::worker(store.clone()))));
        }
        Ok(store)
    }

    /// `HOST:PORT/DB`, for messages.
    pub(crate) fn database(&self) -> &str {
        &self.inner.database
    }

    pub(crate) fn writer_stats(&self) -> &WriterStats {
        &self.inner.stats
    }

    pub(crate) fn watch_commits(&self) -> watch::Receiver<i64> {
        self.inner.committed.subscribe()
    }

    /// Records that positions up to `last` are committed.
    fn committed_up_to(&self, last: i64) {
        self.inner.committed.send_if_modified(|known| {
            let newer = last > *known;
            if newer {
                *known = last;
            }
            newer
        });
    }

    /// A pooled connection.
    async fn conn(&self) -> Result<Object> {
        self.inner.pool.get().await.map_err(|e| match e {
            PoolError::Backend(e) => StoreError::Postgres(e),
            PoolError::Closed => StoreError::Closed("the store was closed".into()),
            PoolError::Timeout(_) => StoreError::Closed(format!(
                "no connection to {} within the timeout (all busy, or the server is down)",
                self.inner.database
            )),
            other => StoreError::Closed(other.to_string()),
        })
    }

    /// Commits the captures queued, stops the listener, sequencer and indexer, then closes
    /// the pool: later calls fail with [`StoreError::Closed`].
    pub(crate) async fn close(&self) -> Result<()> {
        self.inner.writer.close();
        for task in take(&self.inner.workers) {
            let _ = task.await;
        }
        self.inner.cancel.cancel();
        for task in take(&self.inner.tasks) {
            let _ = task.await;
        }
        self.inner.pool.close();
        Ok(())
    }

    /// Every call but a capture commits before it returns; a capture is queued for the
    /// writer (see `writer`) and its call returns once committed.
    pub(crate) async fn flush(&self) -> Result<()> {
        if self.inner.pool.is_closed() {
            return Err(StoreError::Closed("the store was closed".into()));
        }
        self.inner.writer.flush().await;
        Ok(())
    }
}

/// The tasks in `tasks`, leaving it empty.
fn take(tasks: &Mutex<Vec<JoinHandle<()>>>) -> Vec<JoinHandle<()>> {
    match tasks.lock() {
        Ok(mut tasks) => std::mem::take(&mut *tasks),
        Err(_) => Vec::new(),
    }
}
