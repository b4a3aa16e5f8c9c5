//! Group commit for captures on PostgreSQL. A commit waits for its WAL to reach the disk
//! (PostgreSQL's default durability, which "2xx means stored" needs), and one capture per
//! commit made that wait the limit: about 3,000 captures a second measured, however many
//! connections. So captures queue, and each of a few workers takes every capture waiting,
//! sends all their statements at once (pipelined on one connection) in one transaction,
//! commits once, and only then answers each. If the transaction fails (a duplicate id, say),
//! each capture of the batch is stored again alone, so one bad capture fails only itself.

use std::sync::{Arc, Mutex as SyncMutex};

use deadpool_postgres::Object;
use tokio::sync::{Mutex, OwnedRwLockReadGuard, RwLock, mpsc, oneshot};
use tokio_postgres::types::ToSql;

use super::PgStore;
use crate::model::header_block;
use crate::{Capture, HandshakeProvider, Result, SignatureStatus, StoreError, now_us};

/// Captures committed in one transaction, at most.
const MAX_BATCH: usize = 256;
/// Workers, each committing a batch on a connection of its own: while one waits for its
/// commit to reach the disk, another gathers the next batch.
pub(crate) const WORKERS: usize = 4;

/// The request, its place in the queue for numbering, and its deliveries, in one statement;
/// `$on_conflict` goes after the request's VALUES.
macro_rules! insert_sql {
    ($on_conflict:literal) => {
        concat!(
            "WITH r AS (
        INSERT INTO requests (id, received_at_us, duration_us, endpoint_id, endpoint_name,
            method, path, query, http_version, remote_addr, headers, body, body_state,
            body_note, size, response_status, provider, event_type, sig_status, sig_scheme,
            sig_reason, tags, matched_rules, pinned, via, instance, event_id, occurrence,
            duplicate_of, first_at_us, handshake, handshake_answered, handshake_reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19, $20, $21, $22, $23, $24, $25, $33, $34, $35, $36, $37, $38, $39, $40)",
            $on_conflict,
            "
        RETURNING seq
    ), queued AS (
        INSERT INTO capture_queue (seq) SELECT seq FROM r
    ), delivered AS (
        INSERT INTO deliveries (id, request_seq, request_id, kind, target, url, spec, state,
            next_attempt_at_us, created_at_us, updated_at_us)
        SELECT d.id, r.seq, $1, d.kind, d.target, d.url, d.spec, 'pending', d.due, $26, $26
        FROM r, unnest($27::text[], $28::text[], $29::text[], $30::text[], $31::text[],
            $32::bigint[]) AS d (id, kind, target, url, spec, due)
    )
    SELECT seq FROM r"
        )
    };
}

/// Stores a capture: one row, its `seq`.
const INSERT: &str = insert_sql!("");
/// Stores a capture unless one with its id is stored already: one row (its `seq`) or none.
pub(super) const INSERT_NEW: &str = insert_sql!("\n        ON CONFLICT (id) DO NOTHING");

struct Job {
    capture: Capture,
    reply: oneshot::Sender<Result<i64>>,
    /// Held until the job is answered (see [`Writer::flush`]).
    _pending: OwnedRwLockReadGuard<()>,
}

/// The queue of captures to commit.
pub(crate) struct Writer {
    /// `None` once the store is closing: the workers commit what is queued, then stop.
    jobs: SyncMutex<Option<mpsc::UnboundedSender<Job>>>,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>,
    /// Each job holds a read guard until answered; a flush waits for the write guard.
    pending: Arc<RwLock<()>>,
}

impl Writer {
    pub(crate) fn new() -> Writer {
        let (jobs, queue) = mpsc::unbounded_channel();
        Writer {
            jobs: SyncMutex::new(Some(jobs)),
            queue: Arc::new(Mutex::new(queue)),
            pending: Arc::new(RwLock::new(())),
        }
    }

    /// Waits until every capture submitted before this call is committed (or failed).
    pub(crate) async fn flush(&self) {
        let _all_answered = self.pending.write().await;
    }

    /// Takes no more captures; the workers stop once they have committed those queued.
    pub(crate) fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
    }

    /// Resolves with the capture's `seq` once its batch is committed.
    pub(crate) async fn submit(&self, capture: Capture) -> Result<i64> {
        let jobs = self.jobs.lock().ok().and_then(|jobs| jobs.clone());
        let closed = || StoreError::Closed("the store was closed".into());
        let (reply, answer) = oneshot::channel();
        let pending = self.pending.clone().read_owned().await;
        jobs.ok_or_else(closed)?
            .send(Job {
                capture,
                reply,
                _pending: pending,
            })
            .map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| StoreError::Closed("the store closed before committing".into()))?
    }
}

/// One worker: takes every capture waiting (after the first, which it waits for), commits
/// them together, answers each; until the store closes and the queue is empty.
pub(crate) async fn worker(store: PgStore) {
    let queue = store.inner.writer.queue.clone();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else {
                return;
            };
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        commit(&store, &mut batch).await;
    }
}

/// Commits `batch` in one transaction, or each alone if that fails; answers every job.
async fn commit(store: &PgStore, batch: &mut Vec<Job>) {
    let started = std::time::Instant::now();
    let together = match store.conn().await {
        Ok(mut conn) => insert_all(&mut conn, batch, store.inner.instance).await,
        Err(e) => Err(e),
    };
    store.inner.stats.batch(
        batch.len(),
        started.elapsed().as_micros() as u64,
        together.is_ok(),
    );
    match together {
        Ok(seqs) => {
            for (job, seq) in batch.drain(..).zip(seqs) {
                let _ = job.reply.send(Ok(seq));
            }
        }
        Err(e) if batch.len() == 1 => {
            if let Some(job) = batch.pop() {
                let _ = job.reply.send(Err(e));
            }
        }
        Err(_) => {
            for job in batch.drain(..) {
                let alone = match store.conn().await {
                    Ok(mut conn) => {
                        insert_all(&mut conn, std::slice::from_ref(&job), store.inner.instance)
                            .await
                    }
                    Err(e) => Err(e),
                };
                let _ = job.reply.send(alone.map(|seqs| seqs[0]));
            }
        }
    }
    store.inner.sequence.notify_one();
}

/// The bound values of [`INSERT`] for one capture.
pub(super) struct Values<'a> {
    capture: &'a Capture,
    body_state: &'static str,
    sig_status: Option<SignatureStatus>,
    sig_scheme: Option<&'a str>,
    sig_reason: Option<&'a str>,
    size: i64,
    status: i32,
    headers: Vec<u8>,
    now: i64,
    ids: Vec<String>,
    kinds: Vec<&'static str>,
    targets: Vec<&'a str>,
    urls: Vec<&'a str>,
    specs: Vec<String>,
    dues: Vec<i64>,
    /// The instance storing it (see `PgStore::committed_elsewhere`).
    instance: i64,
    event_id: Option<&'a str>,
    occurrence: Option<i32>,
    first_at_us: Option<i64>,
    duplicate_of: Option<&'a str>,
    handshake: Option<HandshakeProvider>,
    handshake_answered: Option<bool>,
    handshake_reason: Option<&'a str>,
}

impl<'a> Values<'a> {
    pub(super) fn of(capture: &'a Capture, instance: i64) -> Result<Values<'a>> {
        let d = &capture.deliveries;
        let signature = capture.meta.signature.as_ref();
        let event = capture.meta.event.as_ref();
        let first = event.and_then(|e| e.first.as_ref());
        let handshake = capture.meta.handshake.as_ref();
        Ok(Values {
            capture,
            body_state: capture.meta.body_state.as_str(),
            sig_status: signature.map(|v| v.status),
            sig_scheme: signature.and_then(|v| v.scheme.as_deref()),
            sig_reason: signature.map(|v| v.reason.as_str()),
            size: capture.meta.size as i64,
            status: i32::from(capture.meta.response_status),
            headers: header_block(&capture.meta.headers),
            now: now_us(),
            ids: d.iter().map(|d| d.id.clone()).collect(),
            kinds: d.iter().map(|d| d.kind.as_str()).collect(),
            targets: d.iter().map(|d| d.target.as_str()).collect(),
            urls: d.iter().map(|d| d.url.as_str()).collect(),
            specs: d
                .iter()
                .map(|d| serde_json::to_string(&d.spec))
                .collect::<serde_json::Result<_>>()?,
            dues: d.iter().map(|d| d.next_attempt_at_us).collect(),
            instance,
            event_id: event.map(|e| e.id.as_str()),
            occurrence: event.map(|e| i32::try_from(e.occurrence).unwrap_or(i32::MAX)),
            first_at_us: first.map(|f| f.received_at_us),
            duplicate_of: first.map(|f| f.id.as_str()),
            handshake: handshake.map(|h| h.provider),
            handshake_answered: handshake.map(|h| h.answered),
            handshake_reason: handshake.map(|h| h.reason.as_str()),
        })
    }

    pub(super) fn params(&self) -> [&(dyn ToSql + Sync); 40] {
        let (m, c) = (&self.capture.meta, self.capture);
        [
            &m.id,
            &m.received_at_us,
            &m.duration_us,
            &m.endpoint_id,
            &m.endpoint_name,
            &m.method,
            &m.path,
            &m.query,
            &m.http_version,
            &m.remote_addr,
            &self.headers,
            &c.body,
            &self.body_state,
            &m.body_note,
            &self.size,
            &self.status,
            &m.provider,
            &m.event_type,
            &self.sig_status,
            &self.sig_scheme,
            &self.sig_reason,
            &m.tags,
            &m.rules,
            &c.pinned,
            &m.via,
            &self.now,
            &self.ids,
            &self.kinds,
            &self.targets,
            &self.urls,
            &self.specs,
            &self.dues,
            &self.instance,
            &self.event_id,
            &self.occurrence,
            &self.duplicate_of,
            &self.first_at_us,
            &self.handshake,
            &self.handshake_answered,
            &self.handshake_reason,
        ]
    }
}

/// Inserts `jobs`' captures in one transaction, their statements pipelined; their `seq`s.
async fn insert_all(conn: &mut Object, jobs: &[Job], instance: i64) -> Result<Vec<i64>> {
    let values = jobs
        .iter()
        .map(|job| Values::of(&job.capture, instance))
        .collect::<Result<Vec<_>>>()?;
    let params: Vec<_> = values.iter().map(Values::params).collect();
    let tx = conn.transaction().await?;
    let stmt = tx.prepare_cached(INSERT).await?;
    let inserts = params.iter().map(|p| tx.query_one(&stmt, p));
    let rows = futures_util::future::try_join_all(inserts).await?;
    tx.commit().await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}
