//! Fills a store with realistic, varied webhook requests, quickly, through the store's own
//! API (group commits of up to 1,024 captures), then waits for the search index to catch up.
//! Used by `tests/bench/search.sh` and `tests/bench/storage.sh`.
//!
//! Usage: `fill DATA_DIR COUNT [--retention] [--every N] [--database postgres://…]`
//!
//! - With `--database`, the requests go to that PostgreSQL database (`DATA_DIR` unused);
//!   sizes are the database's (`pg_database_size`), with no WAL column.
//! - Without `--retention`, retention is turned off in the store's settings (so that a
//!   `hooklens serve` started on the store later keeps all COUNT requests).
//! - With `--retention`, the default retention settings stay on (100,000 requests, 30 days,
//!   2 GiB) and are applied every 10,000 requests, as the engine applies them on a timer.
//!
//! Every N requests (default COUNT / 10) it prints a row: requests written, requests
//! stored, database and WAL size, bytes per stored request, write rate. Requests are spread
//! over the last COUNT × 50 ms, from Stripe, GitHub, Shopify, Slack and unknown senders, with
//! bodies of 200 B to 6 KiB built from a vocabulary (so full-text queries hit a realistic
//! share of them) and a deterministic pseudo-random sequence (same input, same store).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hooklens_store::{BodyState, Capture, RequestMeta, Store};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Captures in flight at once: one full writer batch.
const IN_FLIGHT: usize = 1024;
/// Retention runs every this many requests when on.
const RETENTION_EVERY: u64 = 10_000;
/// Time between two generated requests.
const SPACING_US: i64 = 50_000;

const WORDS: &[&str] = &[
    "invoice",
    "payment",
    "refund",
    "customer",
    "subscription",
    "renewal",
    "checkout",
    "shipment",
    "order",
    "cart",
    "coupon",
    "trial",
    "upgrade",
    "downgrade",
    "cancel",
    "dispute",
    "payout",
    "balance",
    "transfer",
    "account",
    "session",
    "review",
    "deploy",
    "release",
    "branch",
    "commit",
    "merge",
    "issue",
    "comment",
    "label",
    "milestone",
    "workflow",
    "runner",
    "artifact",
    "package",
    "channel",
    "message",
    "reaction",
    "thread",
    "webhook",
    "retry",
    "timeout",
    "latency",
    "warehouse",
    "inventory",
    "fulfillment",
    "tracking",
    "address",
    "billing",
    "tax",
    "discount",
    "currency",
    "europe",
    "pacific",
];

/// xorshift64*: deterministic, fast, good enough to vary test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
    /// Body size: mostly around 1 KiB, some small, a few large (200 B to 6 KiB).
    fn body_len(&mut self) -> usize {
        match self.below(100) {
            0..=19 => 200 + self.below(400),
            20..=89 => 700 + self.below(900),
            _ => 2000 + self.below(4200),
        }
    }
}

type Headers = Vec<(String, Vec<u8>)>;

/// One generated request, shaped like what its provider sends.
fn capture(rng: &mut Rng, received_at_us: i64) -> Capture {
    let kind = rng.below(100);
    let (provider, path, event_type, mut headers): (Option<&str>, String, Option<String>, Headers) =
        match kind {
            0..=39 => {
                let event = rng.pick(&[
                    "payment_intent.succeeded",
                    "payment_intent.payment_failed",
                    "invoice.paid",
                    "invoice.payment_failed",
                    "customer.subscription.updated",
                    "charge.refunded",
                    "checkout.session.completed",
                ]);
                let sig = format!("t=1718000000,v1={}", rng.hex(64));
                (
                    Some("stripe"),
                    "/stripe/webhook".into(),
                    Some(event.into()),
                    vec![
                        (
                            "user-agent".into(),
                            b"Stripe/1.0 (+https://stripe.com/docs/webhooks)".to_vec(),
                        ),
                        ("stripe-signature".into(), sig.into_bytes()),
                    ],
                )
            }
            40..=64 => {
                let event =
                    rng.pick(&["push", "pull_request", "issues", "workflow_run", "release"]);
                (
                    Some("github"),
                    "/github/events".into(),
                    Some(event.into()),
                    vec![
                        ("user-agent".into(), b"GitHub-Hookshot/a1b2c3d".to_vec()),
                        ("x-github-event".into(), event.as_bytes().to_vec()),
                        ("x-github-delivery".into(), rng.hex(32).into_bytes()),
                        (
                            "x-hub-signature-256".into(),
                            format!("sha256={}", rng.hex(64)).into_bytes(),
                        ),
                    ],
                )
            }
            65..=79 => {
                let topic = rng.pick(&[
                    "orders/create",
                    "orders/paid",
                    "products/update",
                    "carts/update",
                ]);
                (
                    Some("shopify"),
                    "/shopify".into(),
                    Some(topic.into()),
                    vec![
                        ("x-shopify-topic".into(), topic.as_bytes().to_vec()),
                        (
                            "x-shopify-shop-domain".into(),
                            b"bench-shop.myshopify.com".to_vec(),
                        ),
                        ("x-shopify-hmac-sha256".into(), rng.hex(44).into_bytes()),
                    ],
                )
            }
            80..=89 => (
                Some("slack"),
                "/slack/events".into(),
                Some("event_callback".into()),
                vec![
                    ("x-slack-request-timestamp".into(), b"1718000000".to_vec()),
                    (
                        "x-slack-signature".into(),
                        format!("v0={}", rng.hex(64)).into_bytes(),
                    ),
                ],
            ),
            _ => (
                None,
                format!("/hooks/{}/{}", rng.pick(WORDS), rng.below(1000)),
                None,
                vec![("user-agent".into(), b"curl/8.5.0".to_vec())],
            ),
        };
    headers.insert(0, ("host".into(), b"127.0.0.1:8787".to_vec()));
    headers.push(("content-type".into(), b"application/json".to_vec()));
    let target = rng.body_len();
    let mut text = String::with_capacity(target + 64);
    while text.len() < target {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(rng.pick(WORDS));
    }
    let body = serde_json::json!({
        "id": format!("evt_{}", rng.hex(24)),
        "type": event_type.as_deref().unwrap_or("custom"),
        "created": received_at_us / 1_000_000,
        "data": {"amount": rng.below(100_000), "currency": rng.pick(&["usd", "eur", "gbp"]),
                 "customer": format!("cus_{}", rng.hex(14)), "note": text},
    })
    .to_string()
    .into_bytes();
    headers.push(("content-length".into(), body.len().to_string().into_bytes()));
    let id = ulid::Ulid::from_parts((received_at_us / 1000) as u64, u128::from(rng.next()));
    Capture {
        meta: RequestMeta {
            id: id.to_string(),
            received_at_us,
            duration_us: 40 + rng.below(400) as i64,
            endpoint_id: None,
            endpoint_name: "default".into(),
            method: "POST".into(),
            path,
            query: None,
            http_version: "HTTP/1.1".into(),
            remote_addr: Some(format!("127.0.0.1:{}", 40_000 + rng.below(20_000))),
            headers,
            body_state: BodyState::Complete,
            body_note: None,
            size: body.len() as u64,
            response_status: 200,
            provider: provider.map(str::to_string),
            event_type,
            signature: None,
            tags: Vec::new(),
            rules: Vec::new(),
            via: hooklens_store::Via::Direct,
            event: None,
            handshake: None,
        },
        body,
        pinned: false,
        deliveries: Vec::new(),
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The database filled: its sizes, when its index has caught up, where its space went.
enum Filled {
    Sqlite { db: PathBuf, wal: PathBuf },
    Postgres(tokio_postgres::Client),
}

impl Filled {
    async fn new(dir: &Path, database: Option<&str>) -> Result<Filled, Error> {
        let Some(url) = database else {
            let db = dir.join(hooklens_store::DB_FILE);
            let wal = PathBuf::from(format!("{}-wal", db.display()));
            return Ok(Filled::Sqlite { db, wal });
        };
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        Ok(Filled::Postgres(client))
    }

    /// Bytes of the database and of its WAL (SQLite's; none on PostgreSQL).
    async fn sizes(&self) -> Result<(u64, u64), Error> {
        match self {
            Filled::Sqlite { db, wal } => Ok((file_len(db), file_len(wal))),
            Filled::Postgres(client) => {
                let row = client
                    .query_one("SELECT pg_database_size(current_database())", &[])
                    .await?;
                Ok((row.get::<_, i64>(0) as u64, 0))
            }
        }
    }

    /// Waits until every stored request is in the full-text index (filled off the write
    /// path: by SQLite's writer when idle, by PostgreSQL's indexer task).
    async fn wait_for_index(&self) -> Result<(), Error> {
        let deadline = Instant::now() + Duration::from_secs(3600);
        loop {
            let (indexed, newest) = match self {
                Filled::Sqlite { db, .. } => {
                    let conn = rusqlite::Connection::open_with_flags(
                        db,
                        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                    )?;
                    conn.query_row(
                        "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta
                                          WHERE key = 'fts_seq'), 0),
                                coalesce((SELECT max(seq) FROM requests), 0)",
                        [],
                        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
                    )?
                }
                Filled::Postgres(client) => {
                    let row = client
                        .query_one(
                            "SELECT coalesce((SELECT value::bigint FROM meta
                                              WHERE key = 'fts_position'), 0),
                                    (SELECT last FROM capture_counter)",
                            &[],
                        )
                        .await?;
                    (row.get(0), row.get(1))
                }
            };
            if indexed >= newest {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "search index still behind after an hour ({indexed} of {newest})"
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Space per table and index, largest first.
    async fn breakdown(&self) -> Result<(), Error> {
        println!("{:<28} {:>10}", "table or index", "MiB");
        match self {
            Filled::Sqlite { db, .. } => breakdown(db),
            Filled::Postgres(client) => {
                let rows = client
                    .query(
                        "SELECT c.relname::text, pg_relation_size(c.oid)
                           + coalesce(pg_relation_size(c.reltoastrelid), 0) AS bytes
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')
                         ORDER BY bytes DESC LIMIT 8",
                        &[],
                    )
                    .await?;
                for row in rows {
                    let (name, bytes): (String, i64) = (row.get(0), row.get(1));
                    println!("{name:<28} {:>10.1}", bytes as f64 / 1048576.0);
                }
                Ok(())
            }
        }
    }
}

/// The command line.
struct Args {
    dir: PathBuf,
    count: u64,
    retention: bool,
    every: u64,
    database: Option<String>,
}

impl Args {
    fn parse() -> Result<Args, Error> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let usage =
            "usage: fill DATA_DIR COUNT [--retention] [--every N] [--database postgres://…]";
        let value = |flag: &str| args.iter().position(|a| a == flag).map(|i| args.get(i + 1));
        let (dir, count) = match (
            args.first(),
            args.get(1).and_then(|c| c.parse::<u64>().ok()),
        ) {
            (Some(dir), Some(count)) if count > 0 => (PathBuf::from(dir), count),
            _ => return Err(usage.into()),
        };
        let every = match value("--every") {
            Some(n) => n
                .and_then(|n| n.parse::<u64>().ok())
                .filter(|n| *n > 0)
                .ok_or(usage)?,
            None => (count / 10).max(1),
        };
        let database = match value("--database") {
            Some(url) => Some(url.ok_or(usage)?.clone()),
            None => None,
        };
        Ok(Args {
            dir,
            count,
            retention: args.iter().any(|a| a == "--retention"),
            every,
            database,
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let Args {
        dir,
        count,
        retention,
        every,
        database,
    } = Args::parse()?;
    let database = database.as_deref();
    let store = Store::connect(&dir, database).await?;
    let filled = Filled::new(&dir, database).await?;
    let settings = if retention {
        serde_json::json!({})
    } else {
        serde_json::json!({"retention": {"max_requests": null, "max_age_days": null, "max_total_mib": null}})
    };
    let limits = store.patch_settings(settings).await?.retention;

    println!(
        "{:>10} {:>10} {:>10} {:>9} {:>9} {:>9}",
        "written", "stored", "db MiB", "wal MiB", "B/stored", "req/s"
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let first_at = hooklens_store::now_us() - count as i64 * SPACING_US;
    let started = Instant::now();
    let mut window = Instant::now();
    let mut written = 0u64;
    let mut row_written = 0u64;
    while written < count {
        let round = (count - written).min(IN_FLIGHT as u64);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..round {
            let c = capture(&mut rng, first_at + (written + i) as i64 * SPACING_US);
            let store = store.clone();
            tasks.spawn(async move { store.insert_request(c).await });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        let before = written;
        written += round;
        if retention && written / RETENTION_EVERY > before / RETENTION_EVERY {
            let newest = first_at + written as i64 * SPACING_US;
            store.apply_retention(limits.clone(), newest).await?;
        }
        if written / every > before / every || written == count {
            let stored = store.count_requests().await?;
            let (db_len, wal_len) = filled.sizes().await?;
            println!(
                "{:>10} {:>10} {:>10.1} {:>9.1} {:>9.0} {:>9.0}",
                written,
                stored,
                db_len as f64 / 1048576.0,
                wal_len as f64 / 1048576.0,
                (db_len + wal_len) as f64 / stored.max(1) as f64,
                (written - row_written) as f64 / window.elapsed().as_secs_f64(),
            );
            (window, row_written) = (Instant::now(), written);
        }
    }
    let wrote_in = started.elapsed();
    filled.wait_for_index().await?;
    let indexed_in = started.elapsed();
    let stored = store.count_requests().await?;
    store.close().await?;
    let (db_len, _) = filled.sizes().await?;
    println!();
    println!(
        "wrote {written} requests in {:.1} s ({:.0} req/s); search index caught up after {:.1} s",
        wrote_in.as_secs_f64(),
        written as f64 / wrote_in.as_secs_f64(),
        indexed_in.as_secs_f64()
    );
    println!(
        "closed: {stored} stored, database {:.1} MiB, {:.0} bytes per stored request",
        db_len as f64 / 1048576.0,
        db_len as f64 / stored.max(1) as f64
    );
    filled.breakdown().await
}

/// Space per table and index (SQLite's dbstat), largest first.
fn breakdown(db: &Path) -> Result<(), Error> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (name, bytes) = row?;
        println!("{name:<28} {:>10.1}", bytes as f64 / 1048576.0);
    }
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    println!(
        "{:<28} {:>10.1}",
        "(free pages)",
        (free * page) as f64 / 1048576.0
    );
    Ok(())
}
