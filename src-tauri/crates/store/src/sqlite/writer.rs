//! The single writer: group commit plus idle-time work.
//!
//! Jobs arrive on a channel. The writer takes every job that is waiting, runs each in its own
//! savepoint inside one transaction, commits once, and only then answers each job. A job's
//! error rolls back only that job. When idle, and at least every [`INDEX_EVERY`] under
//! sustained load, it indexes a bounded slice of new requests for full-text search (see
//! [`IndexSchedule`]).
//!
//! The WAL stays bounded. A separate thread copies it into the database (PASSIVE checkpoints)
//! while commits go on, but under a storm that never pauses it can never finish: the writer
//! appends faster than it copies, and SQLite only starts the WAL over once everything in it
//! has been copied. So once the WAL holds [`WAL_CHECKPOINT_FRAMES`], the writer itself
//! checkpoints between two commits (see [`checkpoint_if_due`]): nothing is appended meanwhile,
//! so it copies the rest (little, as the background thread has copied most of it), and its
//! next commit writes the WAL from the start again. Past [`WAL_HARD_FRAMES`] it waits for a
//! background pass in progress (see [`Checkpoints`]) rather than let a slow disk grow the WAL;
//! and an indexing slice, the largest transaction, starts with room (see
//! [`INDEX_ROOM_FRAMES`]).

use std::cell::Cell;
use std::ffi::c_int;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{open_connection, search};
use crate::{Result, StoreError, WriterStats};

/// Most jobs committed in one transaction.
const MAX_BATCH: usize = 1024;
/// Index once the writer has been idle this long.
const INDEX_IDLE_GAP: Duration = Duration::from_millis(10);
/// Under sustained load, index at least this often (a slice is at most 256 requests, so
/// this keeps search within a second of capture up to about 1,000 req/s).
const INDEX_EVERY: Duration = Duration::from_millis(200);
/// [`crate::WAL_CHECKPOINT_MIB`] in frames (4 KiB pages).
const WAL_CHECKPOINT_FRAMES: i64 = (crate::WAL_CHECKPOINT_MIB as i64) << 8;
/// A quarter more: past this the writer's checkpoint waits for the background thread's pass
/// (a slow disk can make that pass outlast many commits) instead of trying again next commit.
const WAL_HARD_FRAMES: i64 = WAL_CHECKPOINT_FRAMES + WAL_CHECKPOINT_FRAMES / 4;
/// An indexing slice starts with at most this in the WAL, or the writer checkpoints first:
/// one slice can write 20 MiB at once (FTS5 merges a full level of segments within it).
const INDEX_ROOM_FRAMES: i64 = WAL_CHECKPOINT_FRAMES / 2;
/// Wait after an indexing failure (disk full, say) before trying again.
const INDEX_RETRY: Duration = Duration::from_secs(1);
/// How often the checkpoint thread moves the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// How soon it goes on when its last pass could not copy everything (writes kept coming).
const CATCH_UP_EVERY: Duration = Duration::from_millis(10);

thread_local! {
    /// Frames in the WAL after the writer's last commit, as SQLite's WAL hook reports them.
    /// Only the writer thread commits on its connection, so only it reads and sets this.
    static WAL_FRAMES: Cell<i64> = const { Cell::new(0) };
}

/// SQLite's WAL hook on the writer connection: runs on the writer thread after each commit.
fn record_wal_frames(_: &rusqlite::hooks::Wal, frames: c_int) -> rusqlite::Result<()> {
    WAL_FRAMES.set(i64::from(frames));
    Ok(())
}

trait Job: Send {
    fn run(&mut self, conn: &Connection);
    fn finish(self: Box<Self>, committed: std::result::Result<(), String>);
}

struct Op<T, F> {
    f: Option<F>,
    /// Runs inside a savepoint of its own (see [`Writer::submit_statement`] for why not).
    savepoint: bool,
    out: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Op<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) {
        let Some(f) = self.f.take() else { return };
        if !self.savepoint {
            self.out = Some(f(conn));
            return;
        }
        let out = match conn
            .prepare_cached("SAVEPOINT job")
            .and_then(|mut s| s.execute([]))
        {
            Ok(_) => {
                let out = f(conn);
                let end = if out.is_ok() {
                    conn.prepare_cached("RELEASE job")
                        .and_then(|mut s| s.execute([]))
                } else {
                    conn.execute_batch("ROLLBACK TO job; RELEASE job")
                        .map(|()| 0)
                };
                end.map_err(StoreError::from).and(out)
            }
            Err(e) => Err(e.into()),
        };
        self.out = Some(out);
    }

    fn finish(self: Box<Self>, committed: std::result::Result<(), String>) {
        let out = match (committed, self.out) {
            (Ok(()), Some(out)) => out,
            (Err(e), _) => Err(StoreError::Closed(format!("commit failed: {e}"))),
            (Ok(()), None) => Err(StoreError::Closed("job did not run".into())),
        };
        let _ = self.reply.send(out);
    }
}

enum Msg {
    Job(Box<dyn Job>),
    Close(oneshot::Sender<Result<()>>),
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Msg>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Writer {
    pub(crate) fn start(
        conn: Connection,
        path: PathBuf,
        stats: Arc<WriterStats>,
    ) -> Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let checkpoint_conn = open_connection(&path, false)?;
        // The checkpointer flushes the copies it made to disk itself (see `checkpoint_loop`).
        let db_file = std::fs::File::open(&path).map_err(|source| StoreError::DataDir {
            dir: path.parent().unwrap_or(&path).to_path_buf(),
            source,
        })?;
        let spawn_err = |e: std::io::Error| StoreError::Closed(format!("cannot start thread: {e}"));
        let checkpoint_stop = stop.clone();
        let turns = Arc::new(Checkpoints::default());
        let checkpoint_turns = turns.clone();
        let checkpointer = std::thread::Builder::new()
            .name("hooklens-checkpoint".into())
            .spawn(move || {
                checkpoint_loop(
                    checkpoint_conn,
                    &db_file,
                    checkpoint_stop,
                    &checkpoint_turns,
                )
            })
            .map_err(spawn_err)?;
        let wake_checkpointer = checkpointer.thread().clone();
        let writer = std::thread::Builder::new()
            .name("hooklens-writer".into())
            .spawn(move || {
                run(conn, rx, &stats, &turns);
                stop.store(true, Ordering::Release);
                wake_checkpointer.unpark();
            })
            .map_err(spawn_err)?;
        Ok(Writer {
            tx,
            threads: Arc::new(Mutex::new(vec![writer, checkpointer])),
        })
    }

    /// Runs `f` in the next batch, inside a savepoint of its own, so that its failure undoes
    /// only its own changes; resolves once that batch is committed.
    pub(crate) async fn submit<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.enqueue(f, true).await
    }

    /// Like [`Writer::submit`] for an `f` that changes the database with one statement at
    /// most: SQLite applies a statement whole or not at all, so it needs no savepoint. A
    /// savepoint copies every page the job touches before changing it (the table's and each
    /// index's last leaf, for a capture), which was a tenth of the writer's time under a storm.
    pub(crate) async fn submit_statement<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.enqueue(f, false).await
    }

    async fn enqueue<T, F>(&self, f: F, savepoint: bool) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job = Box::new(Op {
            f: Some(f),
            savepoint,
            out: None,
            reply,
        });
        self.tx
            .send(Msg::Job(job))
            .map_err(|_| StoreError::Closed("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Closed("the writer stopped before committing".into()))?
    }

    /// Commits what is queued, stops both threads and checkpoints. Blocking.
    pub(crate) fn close(&self) -> Result<()> {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::Close(reply)).is_err() {
            return Ok(()); // already closed
        }
        let out = rx
            .blocking_recv()
            .unwrap_or_else(|_| Err(StoreError::Closed("writer thread died".into())));
        let threads = std::mem::take(
            &mut *self
                .threads
                .lock()
                .map_err(|_| StoreError::Closed("writer thread list poisoned".into()))?,
        );
        for thread in threads {
            let _ = thread.join();
        }
        out
    }
}

/// When the writer next feeds the search index. Capture comes first: the index is fed once
/// the writer has been idle for [`INDEX_IDLE_GAP`], and under sustained load only every
/// [`INDEX_EVERY`], so a storm defers indexing (and its CPU) until it passes.
#[derive(Debug, Clone, Copy)]
struct IndexSchedule {
    /// Unindexed requests may exist.
    behind: bool,
    last_commit: Instant,
    last_index: Instant,
    /// After a failure, not before this.
    retry_at: Option<Instant>,
}

impl IndexSchedule {
    fn due_at(&self) -> Option<Instant> {
        if !self.behind {
            return None;
        }
        let due = (self.last_commit + INDEX_IDLE_GAP).min(self.last_index + INDEX_EVERY);
        Some(self.retry_at.map_or(due, |retry| due.max(retry)))
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Msg>, stats: &WriterStats, turns: &Checkpoints) {
    conn.wal_hook(Some(record_wal_frames));
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    let start = Instant::now();
    let mut index = IndexSchedule {
        behind: true, // requests stored by an earlier run may await indexing
        last_commit: start,
        last_index: start,
        retry_at: None,
    };
    loop {
        let wait = index.due_at().map_or(Duration::from_secs(3600), |at| {
            at.saturating_duration_since(Instant::now())
        });
        let mut close = None;
        match rx.recv_timeout(wait) {
            Ok(Msg::Job(job)) => batch.push(job),
            Ok(Msg::Close(reply)) => close = Some(reply),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        while close.is_none() && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Msg::Job(job)) => batch.push(job),
                Ok(Msg::Close(reply)) => close = Some(reply),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit(&conn, &mut batch, stats);
            index.behind = true;
            index.last_commit = Instant::now();
        }
        checkpoint_if_due(&conn, turns);
        if let Some(reply) = close {
            let _ = reply.send(finish(&conn));
            return;
        }
        if index.due_at().is_some_and(|at| at <= Instant::now()) {
            if WAL_FRAMES.get() >= INDEX_ROOM_FRAMES {
                checkpoint(&conn, turns, true);
            }
            index.last_index = Instant::now();
            match search::index_slice(&conn, search::RECENT_ROWS) {
                Ok(slice) => {
                    (index.behind, index.retry_at) = (slice.more, None);
                    stats.fts_lag.store(slice.lag, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "search indexing failed; retrying in a second");
                    index.retry_at = Some(Instant::now() + INDEX_RETRY);
                }
            }
            checkpoint_if_due(&conn, turns);
        }
    }
    let _ = finish(&conn);
}

fn commit(conn: &Connection, batch: &mut Vec<Box<dyn Job>>, stats: &WriterStats) {
    let started = Instant::now();
    let result = conn
        .execute_batch("BEGIN IMMEDIATE")
        .and_then(|()| {
            for job in batch.iter_mut() {
                job.run(conn);
            }
            conn.execute_batch("COMMIT")
        })
        .map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            tracing::error!(error = %e, jobs = batch.len(), "store commit failed");
            e.to_string()
        });
    stats.batch(
        batch.len(),
        started.elapsed().as_micros() as u64,
        result.is_ok(),
    );
    for job in batch.drain(..) {
        job.finish(result.clone());
    }
}

fn finish(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// How the writer and the background thread take turns at checkpointing. SQLite runs one
/// checkpoint at a time, and answers a second one SQLITE_BUSY at once, without calling the
/// busy handler: a checkpoint the writer must run has to wait for the background pass
/// in progress itself, on `pass`.
#[derive(Default)]
struct Checkpoints {
    /// Raised while the writer's checkpoint is due: the background thread starts no pass.
    writers_turn: AtomicBool,
    /// Held for each checkpoint, by whichever thread runs it.
    pass: Mutex<()>,
}

/// Once the WAL holds [`WAL_CHECKPOINT_FRAMES`], checkpoints on the writer connection,
/// between two commits; past [`WAL_HARD_FRAMES`], waiting as needed (see [`checkpoint`]).
fn checkpoint_if_due(conn: &Connection, turns: &Checkpoints) {
    let frames = WAL_FRAMES.get();
    if frames >= WAL_CHECKPOINT_FRAMES {
        checkpoint(conn, turns, frames >= WAL_HARD_FRAMES);
    }
}

/// Checkpoints on the writer connection. It first raises `writers_turn`, so the background
/// thread starts no new pass. Without `wait` it is a PASSIVE checkpoint, which never waits:
/// while the background thread finishes a pass this does nothing and the next commit tries
/// again, then copies what that pass left; while a reader still reads an older snapshot, the
/// frames it needs stay, and the WAL starts over once it is done. With `wait` it waits for
/// that pass to end, then runs a RESTART checkpoint, which waits (through the busy handler)
/// for those readers: captures pause rather than the WAL growing on while the disk is slow.
fn checkpoint(conn: &Connection, turns: &Checkpoints, wait: bool) {
    turns.writers_turn.store(true, Ordering::Release);
    let started = Instant::now();
    let (_pass, mode) = if wait {
        let pass = turns.pass.lock().unwrap_or_else(PoisonError::into_inner);
        (pass, "PRAGMA wal_checkpoint(RESTART)")
    } else {
        match turns.pass.try_lock() {
            Ok(pass) => (pass, "PRAGMA wal_checkpoint(PASSIVE)"),
            Err(TryLockError::Poisoned(pass)) => {
                (pass.into_inner(), "PRAGMA wal_checkpoint(PASSIVE)")
            }
            Err(TryLockError::WouldBlock) => return, // a background pass runs: next commit
        }
    };
    let done = conn.query_row(mode, [], |row| {
        Ok((
            row.get::<_, i64>(0)? == 0,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    match done {
        // Everything copied: the next commit starts the WAL over.
        Ok((true, frames, copied)) if copied >= frames => {
            WAL_FRAMES.set(0);
            turns.writers_turn.store(false, Ordering::Release);
            tracing::debug!(frames, paused = ?started.elapsed(), "writer checkpointed the WAL");
        }
        Ok(_) => {} // a reader holds frames: the next commit tries again
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
    }
}

/// Copies the WAL into the database without blocking the writer (PASSIVE), every
/// [`CHECKPOINT_EVERY`], or every [`CATCH_UP_EVERY`] while writes keep coming.
/// Under steady traffic this is all it takes: writes pause often enough for a pass to copy
/// everything, and SQLite then starts the WAL over (`journal_size_limit` trims the file).
/// Under a storm it keeps copying close behind the writer, so that the writer's own
/// checkpoint has little left to copy; it starts no pass while that one is due.
///
/// SQLite syncs the database file only when a checkpoint copies the whole WAL as it is by
/// then; the copies of a pass that the writer outran stay dirty in the page cache. The
/// writer's own checkpoint then had to flush everything copied since the WAL last started
/// over, holding up captures for 10-40 ms (more with a larger WAL). So after each pass that
/// copied anything this thread flushes the file itself, through `db_file` (an fsync covers
/// the file, whichever descriptor asks), and the writer's pause is a few milliseconds.
fn checkpoint_loop(
    conn: Connection,
    db_file: &std::fs::File,
    stop: Arc<AtomicBool>,
    turns: &Checkpoints,
) {
    let (mut behind, mut last_copied) = (false, 0);
    while !stop.load(Ordering::Acquire) {
        std::thread::park_timeout(if behind {
            CATCH_UP_EVERY
        } else {
            CHECKPOINT_EVERY
        });
        if turns.writers_turn.load(Ordering::Acquire) {
            behind = false;
            continue;
        }
        let pass = turns.pass.lock().unwrap_or_else(PoisonError::into_inner);
        // (frames in the WAL, frames copied)
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        });
        drop(pass);
        match done {
            Ok((frames, copied)) => {
                // `copied` counts from the start of the WAL: it grew, or the WAL started over.
                let progress = copied != last_copied && copied > 0;
                // The counts are as this pass saw them: the writer may have appended since, so
                // a pass that copied anything goes on soon, as one that saw frames left does.
                behind = copied < frames || progress;
                if progress && let Err(e) = db_file.sync_data() {
                    tracing::warn!(error = %e, "cannot flush the database file; will retry");
                }
                last_copied = copied;
            }
            Err(e) => {
                behind = false;
                tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_schedule_table() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let at = |behind, commit: u64, index: u64, retry: Option<u64>| IndexSchedule {
            behind,
            last_commit: t0 + ms(commit),
            last_index: t0 + ms(index),
            retry_at: retry.map(|r| t0 + ms(r)),
        };
        let cases = [
            // nothing to index: never due
            (at(false, 0, 0, None), None),
            // idle after a commit at 100: due 10 ms later
            (at(true, 100, 95, None), Some(110)),
            // sustained load, commits keep coming: due 200 ms after the last slice
            (at(true, 500, 350, None), Some(510)),
            (at(true, 1000, 700, None), Some(900)),
            // a failure pushes it back
            (at(true, 100, 95, Some(1100)), Some(1100)),
        ];
        for (schedule, want) in cases {
            assert_eq!(schedule.due_at(), want.map(|w| t0 + ms(w)), "{schedule:?}");
        }
    }
}
