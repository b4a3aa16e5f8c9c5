//! [`Store`], the one public handle, and its methods. Each dispatches to the backend the
//! store was opened with; the behaviour each documents holds for both.

use std::path::Path;

use tokio::sync::watch;

use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::{
    After, Attempt, AttemptOutcome, Capture, Committed, Delivery, DeliveryFilter, Endpoint,
    EndpointSpec, Mirrored, NewDelivery, Page, Period, PeriodKind, Prior, RelayCursor, RelayToken,
    Request, RequestFilter, Result, RetentionReport, RetentionSettings, RollupRow, Rule, RuleSpec,
    Settings, SettingsPatch, StoredNotification, WriterStats,
};

/// A handle to the store. Cheap to clone; all clones share one backend (one SQLite writer,
/// or one PostgreSQL connection pool).
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Runs the same call on whichever backend `$store` has.
macro_rules! dispatch {
    ($store:expr, $b:ident => $call:expr) => {
        match &$store.backend {
            Backend::Sqlite($b) => $call,
            Backend::Postgres($b) => $call,
        }
    };
}

impl Store {
    /// Opens (creating if needed) the SQLite database in `data_dir`, applies pending
    /// migrations and starts the writer. Fails with a message naming the directory when it
    /// cannot be written.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Ok(Store {
            backend: Backend::Sqlite(SqliteStore::open(data_dir)?),
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://USER@HOST:PORT/DB`), applies
    /// pending migrations (once, whichever instance gets there first) and starts this
    /// instance's connection pool and listener. Every statement is cut off after 30 s unless
    /// the URL's `options` set another `statement_timeout`. Fails with a message saying what
    /// to do when the server cannot be reached, refuses the credentials, or holds a schema
    /// newer than this build knows.
    pub async fn open_postgres(url: &str) -> Result<Store> {
        Ok(Store {
            backend: Backend::Postgres(PgStore::open(url).await?),
        })
    }

    /// Opens the store `database` names: a `postgres://` URL puts it on PostgreSQL (see
    /// [`Store::open_postgres`]); `None`, the SQLite file in `data_dir` (see [`Store::open`]).
    /// What callers pass on from their configuration, so that they need not know the
    /// backends.
    pub async fn connect(data_dir: &Path, database: Option<&str>) -> Result<Store> {
        match database {
            Some(url) => Store::open_postgres(url).await,
            None => Store::open(data_dir),
        }
    }

    /// Where the requests are kept, for people: `SQLite PATH` or `PostgreSQL HOST:PORT/DB`
    /// (never a password).
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite(s) => format!("SQLite {}", s.path().display()),
            Backend::Postgres(p) => format!("PostgreSQL {}", p.database()),
        }
    }

    /// Path of the SQLite database file; `None` on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(s) => Some(s.path()),
            Backend::Postgres(_) => None,
        }
    }

    /// Commits everything submitted so far, then stops the store's own work (the SQLite
    /// writer and its checkpoint; the PostgreSQL pool and listener). Later writes fail with
    /// [`crate::StoreError::Closed`].
    pub async fn close(&self) -> Result<()> {
        dispatch!(self, b => b.close().await)
    }

    /// Waits until everything submitted before this call is committed.
    pub async fn flush(&self) -> Result<()> {
        dispatch!(self, b => b.flush().await)
    }

    /// The store's own figures (read without SQL).
    pub fn writer_stats(&self) -> &WriterStats {
        dispatch!(self, b => b.writer_stats())
    }

    // --- requests

    /// Stores a captured request with the deliveries it starts, all or nothing. Resolves
    /// once it is committed: only then may the receiver answer 2xx. Returns its `seq`.
    pub async fn insert_request(&self, capture: Capture) -> Result<i64> {
        dispatch!(self, b => b.insert_request(capture).await)
    }

    /// Up to `limit` (1 to 1,000) captures after `position`, in commit order, with their
    /// bodies. Positions only grow at commit: a capture that commits after a reader has
    /// seen position P gets a position above P, on every instance sharing the database, so
    /// a reader that follows the last position it has seen never skips nor repeats a
    /// capture. Start from 0 for everything stored. A gap between two positions is a
    /// capture deleted since (by retention or by hand).
    pub async fn captures_after(&self, position: i64, limit: usize) -> Result<Vec<Committed>> {
        dispatch!(self, b => b.captures_after(position, limit).await)
    }

    /// The newest position committed, as this instance knows it, updated whenever a capture
    /// commits on any instance sharing the database. Wait on it with `changed()`, then read
    /// [`Store::captures_after`]; it only says when to look, so a reader that misses a
    /// wake-up (the value moved twice) still reads everything.
    pub fn watch_commits(&self) -> watch::Receiver<i64> {
        dispatch!(self, b => b.watch_commits())
    }

    /// The captures another instance sharing the database committed at positions above
    /// `after` and up to `up_to`, in commit order, without bodies, at most `limit` (1 to
    /// 1,000): what this instance must announce although it did not capture them. Read
    /// `up_to` from [`Store::watch_commits`]; when fewer than `limit` come back, every such
    /// capture up to `up_to` has. Always empty on SQLite, where this process is the only
    /// writer.
    pub async fn committed_elsewhere(
        &self,
        after: i64,
        up_to: i64,
        limit: usize,
    ) -> Result<Vec<Committed>> {
        dispatch!(self, b => b.committed_elsewhere(after, up_to, limit).await)
    }

    /// How many captures are stored after `position` (see [`Store::captures_after`]).
    pub async fn count_captures_after(&self, position: i64) -> Result<u64> {
        dispatch!(self, b => b.count_captures_after(position).await)
    }

    /// The newest position so far (0 before the first request): a position before every
    /// request stored from now on. Positions are those of [`Store::captures_after`]: they
    /// only grow at commit (the `seq` on SQLite, the commit order on PostgreSQL).
    pub async fn last_position(&self) -> Result<i64> {
        dispatch!(self, b => b.last_position().await)
    }

    /// The position of request `id` (see [`Store::last_position`]).
    pub async fn position_of(&self, id: &str) -> Result<i64> {
        dispatch!(self, b => b.position_of(id).await)
    }

    /// The oldest request past position `after` that `filter` picks (its `before_seq` and
    /// `limit` do not apply), without its body, and how far the look went: what a waiter for
    /// "the next webhook like this" asks each time the commits move
    /// ([`Store::watch_commits`]). A request the full-text index has not reached yet cannot
    /// match a `q`, so with one the look stops at the index and says more remain.
    pub async fn first_request_after(&self, filter: RequestFilter, after: i64) -> Result<After> {
        dispatch!(self, b => b.first_request_after(filter, after).await)
    }

    /// One request with its body.
    pub async fn get_request(&self, id: &str) -> Result<Request> {
        dispatch!(self, b => b.get_request(id).await)
    }

    /// A page of requests, newest first, without bodies.
    pub async fn list_requests(&self, filter: RequestFilter) -> Result<Page> {
        dispatch!(self, b => b.list_requests(filter).await)
    }

    /// Hands every request matching `filter` (ignoring its limit), oldest first, with its
    /// body, to `each`, one at a time, so exports of any size run in bounded memory.
    /// Blocking: call it from a blocking thread (on PostgreSQL, one of a tokio runtime's,
    /// such as `spawn_blocking`'s).
    pub fn for_each_request_blocking(
        &self,
        filter: &RequestFilter,
        each: impl FnMut(Request) -> Result<()>,
    ) -> Result<()> {
        dispatch!(self, b => b.for_each_request_blocking(filter, each))
    }

    /// Stores captures brought back from a file, in one transaction, skipping any whose id is
    /// stored already (or comes earlier in `captures`): each one's `seq`, or `None` for a
    /// skipped one. The transaction is all or nothing, so a failure leaves none of them
    /// behind.
    pub async fn import_requests(&self, captures: Vec<Capture>) -> Result<Vec<Option<i64>>> {
        dispatch!(self, b => b.import_requests(captures).await)
    }

    /// Deletes the requests with these ids (pinned or not), in one transaction; returns how
    /// many went. An import that fails takes back what it stored with it.
    pub async fn delete_requests(&self, ids: Vec<String>) -> Result<u64> {
        dispatch!(self, b => b.delete_requests(ids).await)
    }

    /// Pins or unpins a request; retention never deletes a pinned one.
    pub async fn set_pinned(&self, id: &str, pinned: bool) -> Result<()> {
        dispatch!(self, b => b.set_pinned(id, pinned).await)
    }

    /// Adds (`on`) or removes a tag by hand; returns the request's tags after.
    pub async fn tag_request(&self, id: &str, tag: &str, on: bool) -> Result<Vec<String>> {
        dispatch!(self, b => b.tag_request(id, tag, on).await)
    }

    /// Deletes one request, pinned or not.
    pub async fn delete_request(&self, id: &str) -> Result<()> {
        dispatch!(self, b => b.delete_request(id).await)
    }

    /// Deletes every unpinned request; returns how many went.
    pub async fn clear_requests(&self) -> Result<u64> {
        dispatch!(self, b => b.clear_requests().await)
    }

    /// Number of stored requests.
    pub async fn count_requests(&self) -> Result<u64> {
        dispatch!(self, b => b.count_requests().await)
    }

    /// Number of requests received at or after `since_us` (µs since the epoch).
    pub async fn count_requests_since(&self, since_us: i64) -> Result<u64> {
        dispatch!(self, b => b.count_requests_since(since_us).await)
    }

    /// What came before a delivery of the provider's event `event_id` at an endpoint (`None`:
    /// the default one), or `None` when this is its first delivery there: its first
    /// delivery and the last occurrence stored. When retention deleted the first, the
    /// oldest stored delivery still knows it.
    pub async fn prior_delivery(
        &self,
        endpoint_id: Option<&str>,
        provider: &str,
        event_id: &str,
    ) -> Result<Option<Prior>> {
        dispatch!(self, b => b.prior_delivery(endpoint_id, provider, event_id).await)
    }

    // --- the relay

    /// This store's id as a relay: made once, by the migration, and kept. The instances
    /// sharing a PostgreSQL database share it: they are one relay.
    pub async fn relay_id(&self) -> Result<String> {
        dispatch!(self, b => b.relay_id().await)
    }

    /// Every relay token, revoked ones included, oldest first.
    pub async fn relay_tokens(&self) -> Result<Vec<RelayToken>> {
        dispatch!(self, b => b.relay_tokens().await)
    }

    /// Stores a new token `name` with the hash of its secret. A revoked token's name may be
    /// used again; an active one's may not.
    pub async fn create_relay_token(&self, name: &str, hash: Vec<u8>) -> Result<RelayToken> {
        dispatch!(self, b => b.create_relay_token(name, hash).await)
    }

    /// Revokes the token `name` (already revoked: unchanged); returns it as stored after.
    pub async fn revoke_relay_token(&self, name: &str) -> Result<RelayToken> {
        dispatch!(self, b => b.revoke_relay_token(name).await)
    }

    /// Records that the token `name` opened a stream at `at_us`.
    pub async fn touch_relay_token(&self, name: &str, at_us: i64) -> Result<()> {
        dispatch!(self, b => b.touch_relay_token(name, at_us).await)
    }

    /// How far the relay `relay` has been mirrored here, if at all.
    pub async fn relay_cursor(&self, relay: &str) -> Result<Option<RelayCursor>> {
        dispatch!(self, b => b.relay_cursor(relay).await)
    }

    /// Stores a capture mirrored from a relay, with its deliveries, and moves that relay's
    /// cursor to `cursor`, in one transaction: a crash either keeps both or neither. A
    /// capture whose id is stored already is skipped (the cursor still moves), so each is
    /// stored exactly once. The cursor never moves back. `Stored` holds the capture's `seq`,
    /// as [`Store::insert_request`] returns it.
    pub async fn mirror_capture(&self, capture: Capture, cursor: RelayCursor) -> Result<Mirrored> {
        dispatch!(self, b => b.mirror_capture(capture, cursor).await)
    }

    // --- deliveries

    /// Queues a delivery of a stored request (replays).
    pub async fn enqueue_delivery(&self, request_id: &str, new: NewDelivery) -> Result<Delivery> {
        dispatch!(self, b => b.enqueue_delivery(request_id, new).await)
    }

    /// Takes up to `n` pending deliveries due by `now_us` of each `(target, n)` in `take`,
    /// oldest due first, and leases them until `lease_until_us`: nobody else takes them
    /// meanwhile (no other instance either), and if the taker stops before recording an
    /// attempt, they are due again when the lease ends (at least once). Which targets may
    /// take how many is the forwarder's call (a down target takes none, a probed one takes
    /// one): nothing in the table is rewritten when a target goes down or comes back.
    pub async fn lease_due(
        &self,
        now_us: i64,
        lease_until_us: i64,
        take: Vec<(String, usize)>,
    ) -> Result<Vec<Delivery>> {
        dispatch!(self, b => b.lease_due(now_us, lease_until_us, take).await)
    }

    /// Makes every leased delivery whose taker is gone due by `now_us`; returns how many.
    /// Called once at start: the leases were held by a process that is gone (a crash, a
    /// kill), so their attempts will never be recorded, and waiting for the leases to lapse
    /// would hold them (and a probing target's whole queue) back for the lease's length. On
    /// PostgreSQL the leases of instances still running are left alone.
    pub async fn release_leases(&self, now_us: i64) -> Result<u64> {
        dispatch!(self, b => b.release_leases(now_us).await)
    }

    /// Each target with pending deliveries, and when its earliest one is due (a leased one
    /// counts as due when its lease ends). One index lookup per target: the targets are
    /// found by skipping through the pending index, not by reading the queue.
    pub async fn due_by_target(&self) -> Result<Vec<(String, i64)>> {
        dispatch!(self, b => b.due_by_target().await)
    }

    /// Records an attempt and moves the delivery on, in one transaction.
    pub async fn record_attempt(
        &self,
        delivery_seq: i64,
        attempt: Attempt,
        outcome: AttemptOutcome,
    ) -> Result<Delivery> {
        dispatch!(self, b => b.record_attempt(delivery_seq, attempt, outcome).await)
    }

    /// Moves one pending delivery's next attempt to `at_us` (ending its lease).
    pub async fn defer_delivery(&self, seq: i64, at_us: i64) -> Result<()> {
        dispatch!(self, b => b.defer_delivery(seq, at_us).await)
    }

    /// Deliveries, newest first.
    pub async fn list_deliveries(&self, filter: DeliveryFilter) -> Result<Vec<Delivery>> {
        dispatch!(self, b => b.list_deliveries(filter).await)
    }

    pub async fn get_delivery(&self, id: &str) -> Result<Delivery> {
        dispatch!(self, b => b.get_delivery(id).await)
    }

    /// The attempts of a delivery, first first.
    pub async fn attempts(&self, delivery_seq: i64) -> Result<Vec<Attempt>> {
        dispatch!(self, b => b.attempts(delivery_seq).await)
    }

    /// Deliveries that failed because their target was not a loopback address while remote
    /// targets were not allowed (their last attempt `blocked`).
    pub async fn count_blocked(&self) -> Result<u64> {
        dispatch!(self, b => b.count_blocked().await)
    }

    /// Queues every blocked delivery (see [`Store::count_blocked`]) again, due at `now_us`;
    /// returns how many. Each keeps its attempts, so its retry schedule goes on from there.
    pub async fn retry_blocked(&self, now_us: i64) -> Result<u64> {
        dispatch!(self, b => b.retry_blocked(now_us).await)
    }

    /// Pending deliveries per target.
    pub async fn pending_by_target(&self) -> Result<Vec<(String, u64)>> {
        dispatch!(self, b => b.pending_by_target().await)
    }

    // --- endpoints, rules, settings, notifications

    pub async fn list_endpoints(&self) -> Result<Vec<Endpoint>> {
        dispatch!(self, b => b.list_endpoints().await)
    }

    /// Creates an endpoint; its name and path must be unused.
    pub async fn create_endpoint(&self, spec: EndpointSpec) -> Result<Endpoint> {
        dispatch!(self, b => b.create_endpoint(spec).await)
    }

    /// Replaces an endpoint's spec. Requests captured under its old name are renamed too.
    pub async fn update_endpoint(&self, id: &str, spec: EndpointSpec) -> Result<Endpoint> {
        dispatch!(self, b => b.update_endpoint(id, spec).await)
    }

    /// Deletes an endpoint. Its requests stay, under the name they were captured with.
    pub async fn delete_endpoint(&self, id: &str) -> Result<()> {
        dispatch!(self, b => b.delete_endpoint(id).await)
    }

    pub async fn get_endpoint(&self, id: &str) -> Result<Endpoint> {
        dispatch!(self, b => b.get_endpoint(id).await)
    }

    /// Rules, in the order they were created.
    pub async fn list_rules(&self) -> Result<Vec<Rule>> {
        dispatch!(self, b => b.list_rules().await)
    }

    pub async fn get_rule(&self, id: &str) -> Result<Rule> {
        dispatch!(self, b => b.get_rule(id).await)
    }

    /// Adds a rule after the others. The caller has checked that it compiles.
    pub async fn create_rule(&self, spec: RuleSpec) -> Result<Rule> {
        dispatch!(self, b => b.create_rule(spec).await)
    }

    pub async fn update_rule(&self, id: &str, spec: RuleSpec) -> Result<Rule> {
        dispatch!(self, b => b.update_rule(id, spec).await)
    }

    pub async fn delete_rule(&self, id: &str) -> Result<()> {
        dispatch!(self, b => b.delete_rule(id).await)
    }

    /// Current settings; defaults where none were saved.
    pub async fn settings(&self) -> Result<Settings> {
        dispatch!(self, b => b.settings().await)
    }

    /// Applies a JSON merge patch, validates and saves; returns the new settings.
    pub async fn patch_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        dispatch!(self, b => b.patch_settings(patch).await)
    }

    pub async fn record_notification(&self, n: StoredNotification) -> Result<()> {
        dispatch!(self, b => b.record_notification(n).await)
    }

    /// The newest notifications first.
    pub async fn list_notifications(&self, limit: usize) -> Result<Vec<StoredNotification>> {
        dispatch!(self, b => b.list_notifications(limit).await)
    }

    // --- retention and statistics

    /// Applies `limits` now, measured against `now_us`: unpinned requests go, oldest first,
    /// by age, count and total body size, in small chunks so capture never stalls. Requests
    /// that arrive meanwhile are kept for a later pass. On PostgreSQL one instance at a time
    /// runs a pass; another instance asking meanwhile returns an empty report.
    pub async fn apply_retention(
        &self,
        limits: RetentionSettings,
        now_us: i64,
    ) -> Result<RetentionReport> {
        dispatch!(self, b => b.apply_retention(limits, now_us).await)
    }

    /// Adds one flush of rolled-up minutes, and forgets minutes and ended periods older
    /// than `forget_before_minute`.
    pub async fn write_rollup(
        &self,
        rows: Vec<RollupRow>,
        forget_before_minute: i64,
    ) -> Result<()> {
        dispatch!(self, b => b.write_rollup(rows, forget_before_minute).await)
    }

    /// Stored minutes from `from_minute` to `to_minute` (inclusive).
    pub async fn rollups(&self, from_minute: i64, to_minute: i64) -> Result<Vec<RollupRow>> {
        dispatch!(self, b => b.rollups(from_minute, to_minute).await)
    }

    /// Starts a down period, ending any still open for the same subject first.
    pub async fn open_period(&self, period: Period) -> Result<()> {
        dispatch!(self, b => b.open_period(period).await)
    }

    /// Ends the open periods of `kind` (any when `None`) for `subject` (any when `None`).
    pub async fn close_period(
        &self,
        kind: Option<PeriodKind>,
        subject: Option<&str>,
        at_us: i64,
    ) -> Result<()> {
        dispatch!(self, b => b.close_period(kind, subject, at_us).await)
    }

    /// Periods that overlap `from_us..=to_us`, oldest first.
    pub async fn periods(&self, from_us: i64, to_us: i64) -> Result<Vec<Period>> {
        dispatch!(self, b => b.periods(from_us, to_us).await)
    }
}
