//! The SQLite backend: the default, on every desktop and for a single relay.
//!
//! One writer thread owns the write connection and commits whatever arrived while the
//! previous transaction was in flight as a single batch (group commit), so capture stays
//! durable without paying one fsync per request. Readers use their own connections (WAL).
//! When the writer is idle it feeds the full-text index, so search never slows capture.
//! The writer is the only one to write, so the order of `seq` is the order of commits: a
//! capture's position in the stream of captures is its `seq`.

mod after;
mod deliveries;
mod endpoints;
mod migrate;
mod notifications;
mod relay;
mod repeats;
mod requests;
mod retention;
mod rules;
mod search;
mod settings;
mod stats;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::watch;

use crate::{DB_FILE, Result, StoreError, WriterStats};
pub use migrate::SCHEMA_VERSION;
use writer::Writer;

/// The SQLite store. Cheap to clone; all clones share one writer.
#[derive(Clone)]
pub(crate) struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Writer,
    stats: Arc<WriterStats>,
    readers: Mutex<Vec<Connection>>,
    /// The last position committed (see [`crate::Store::watch_commits`]).
    committed: watch::Sender<i64>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir`, applies pending migrations and
    /// starts the writer. Fails with a message naming the directory when it cannot be written.
    pub(crate) fn open(data_dir: &Path) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            dir: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let mut conn = open_connection(&path, true)?;
        migrate::apply(&mut conn)?;
        let last = requests::last_position(&conn)?;
        let stats = Arc::new(WriterStats::default());
        let writer = Writer::start(conn, path.clone(), stats.clone())?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                writer,
                stats,
                readers: Mutex::new(Vec::new()),
                committed: watch::Sender::new(last),
            }),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.inner.path
    }

    pub(crate) fn writer_stats(&self) -> &WriterStats {
        &self.inner.stats
    }

    pub(crate) fn watch_commits(&self) -> watch::Receiver<i64> {
        self.inner.committed.subscribe()
    }

    /// A capture at `position` has committed: a batch commits whole, and the next batch's
    /// positions are larger.
    fn committed(&self, position: i64) {
        self.inner.committed.send_if_modified(|last| {
            let newer = position > *last;
            if newer {
                *last = position;
            }
            newer
        });
    }

    /// Runs `f` on a reader connection on the blocking pool.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .map_err(|e| StoreError::Closed(format!("reader task failed: {e}")))?
    }

    /// Runs `f` on a reader connection on this thread.
    fn read_blocking<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self
            .inner
            .readers
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop());
        let conn = match pooled {
            Some(conn) => conn,
            None => open_connection(&self.inner.path, false)?,
        };
        let out = f(&conn);
        if let Ok(mut pool) = self.inner.readers.lock() {
            pool.push(conn);
        }
        out
    }

    pub(crate) async fn close(&self) -> Result<()> {
        let writer = self.inner.writer.clone();
        tokio::task::spawn_blocking(move || writer.close())
            .await
            .map_err(|e| StoreError::Closed(format!("writer task failed: {e}")))?
    }

    pub(crate) async fn flush(&self) -> Result<()> {
        self.inner.writer.submit(|_| Ok(())).await
    }
}

/// Opens a connection with the pragmas every connection needs. `temp_store = MEMORY` keeps
/// the copies a savepoint makes of the pages it changes in memory: past 64 KiB SQLite would
/// spill them to a temporary file, and a capture with deliveries (or a retention chunk) then
/// cost the writer a system call per page it changed. The writer additionally
/// turns off SQLite's automatic checkpoints: a background thread checkpoints, and the writer
/// itself only past [`crate::WAL_CHECKPOINT_MIB`] (see `writer`).
pub(crate) fn open_connection(path: &Path, writer: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    // SQLite's own busy handler sleeps 1, 2, 5, 10… ms between tries; the writer and the
    // checkpointer take turns on the write lock many times a second, so poll finely: a
    // capture then waits microseconds, not milliseconds. Gives up after about 5 s.
    conn.busy_handler(Some(|attempt: i32| {
        std::thread::sleep(std::time::Duration::from_micros(50));
        attempt < 100_000
    }))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA journal_size_limit = 67108864;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if writer {
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
    }
    plan_once(&conn)?;
    Ok(conn)
}

/// Makes each statement prepared once per connection and kept. The default cache (16) is
/// smaller than the writer's set of statements run per capture or per delivery attempt. And
/// SQLite normally plans a `LIMIT ?` (among others) for the value bound, so binding the next
/// value throws the plan away and prepares the statement again on its next step: every
/// lease of due deliveries and every list page did, a tenth of the writer's time while
/// forwarding. With the query planner stability guarantee a plan holds for any value.
fn plan_once(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

#[cfg(test)]
pub(crate) fn test_conn() -> Connection {
    let mut conn = Connection::open_in_memory().expect("in-memory sqlite");
    plan_once(&conn).expect("configure");
    migrate::apply(&mut conn).expect("migrations");
    conn
}

/// The steps of SQLite's plan for `sql` with `params` (the `detail` column of EXPLAIN QUERY
/// PLAN), for tests that check a query searches an index instead of scanning or sorting.
#[cfg(test)]
pub(crate) fn query_plan(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Vec<String> {
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("prepare")
        .query_map(params, |r| r.get(3))
        .expect("plan")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    #[test]
    fn a_statement_keeps_its_plan_whatever_its_limit() {
        let conn = super::test_conn();
        let sql = "SELECT seq FROM requests WHERE pinned = 0 ORDER BY seq DESC LIMIT ?1";
        for limit in [1, 2, 3] {
            let mut stmt = conn.prepare_cached(sql).expect("prepare");
            let rows: Vec<i64> = stmt
                .query_map([limit], |row| row.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows");
            assert!(rows.is_empty());
        }
        let stmt = conn.prepare_cached(sql).expect("prepare");
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
    }

    /// SQLite's temporary files, which it unlinks as soon as it opens them, held open by
    /// this process (their names start with `etilqs_`).
    fn open_temp_files() -> usize {
        std::fs::read_dir("/proc/self/fd")
            .expect("fds")
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .filter(|target| target.to_string_lossy().contains("etilqs_"))
            .count()
    }

    #[test]
    fn a_savepoint_keeps_its_page_copies_in_memory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = super::open_connection(&dir.path().join("t.db"), true).expect("open");
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
             INSERT INTO t SELECT i, zeroblob(3000) FROM n;",
        )
        .expect("seed");
        // Changing 200 pages that exist already copies each into the savepoint journal:
        // 800 KiB, far past SQLite's 64 KiB spill threshold.
        conn.execute_batch("BEGIN; SAVEPOINT job; UPDATE t SET v = randomblob(3000);")
            .expect("update");
        let during = open_temp_files();
        conn.execute_batch("RELEASE job; COMMIT").expect("commit");
        assert_eq!(during, 0, "the savepoint journal went to a temporary file");
    }
}
