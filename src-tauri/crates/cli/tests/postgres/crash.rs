//! `kill -9` of one instance of two: nothing it answered is lost, the other goes on
//! answering, and the deliveries it was sending are sent by the other once their leases
//! lapse.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hooklens_test_postgres::TestPostgres;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::watch;

use crate::serve::{Serve, post};
use crate::{database, name_of};

/// Answered ids, and how many answers have come, for a test to wait on.
#[derive(Clone)]
struct Answered {
    ids: Arc<Mutex<Vec<String>>>,
    count: watch::Sender<usize>,
}

impl Answered {
    fn new() -> Answered {
        Answered {
            ids: Arc::new(Mutex::new(Vec::new())),
            count: watch::Sender::new(0),
        }
    }

    fn add(&self, id: String) {
        self.ids.lock().expect("ids").push(id);
        self.count.send_modify(|n| *n += 1);
    }

    fn ids(&self) -> Vec<String> {
        self.ids.lock().expect("ids").clone()
    }

    /// Waits until `n` answers have come in all; fails after 60 s.
    async fn reach(&self, n: usize) {
        let mut count = self.count.subscribe();
        tokio::time::timeout(Duration::from_secs(60), count.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("{} of {n} answers", *self.count.borrow()))
            .expect("counting");
    }
}

/// Eight senders to each instance, posting until told to stop; A is killed once it has
/// answered 200, and the test goes on until B has answered 300 more. Every request either
/// answered stored is in the database; B answers every one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_mid_burst_on_one_of_two_instances_loses_no_answered_request() {
    let db = database();
    let mut a = Serve::start(&db, &[]);
    let b = Serve::start(&db, &[]);
    let (answered_a, answered_b) = (Answered::new(), Answered::new());
    let (stop, stopped) = watch::channel(false);
    let b_failures = Arc::new(Mutex::new(Vec::new()));
    let mut senders = tokio::task::JoinSet::new();
    let client = reqwest::Client::new();
    for n in 0..16 {
        let (to_a, receiver) = match n % 2 {
            0 => (true, a.receiver.clone()),
            _ => (false, b.receiver.clone()),
        };
        let (answered, failures) = match to_a {
            true => (answered_a.clone(), None),
            false => (answered_b.clone(), Some(b_failures.clone())),
        };
        let (client, stopped) = (client.clone(), stopped.clone());
        senders.spawn(async move {
            for i in 0.. {
                if *stopped.borrow() {
                    return;
                }
                match post(&client, &receiver, &format!("/burst/{n}/{i}")).await {
                    Ok(id) => answered.add(id),
                    // A, once killed, answers nothing: a sender of A keeps trying.
                    Err(e) => match &failures {
                        Some(failures) => failures.lock().expect("failures").push(e),
                        None => tokio::task::yield_now().await,
                    },
                }
            }
        });
    }
    answered_a.reach(200).await;
    a.kill();
    let killed_at_b = answered_b.ids().len();
    answered_b.reach(killed_at_b + 300).await;
    stop.send(true).expect("senders listen");
    while let Some(done) = senders.join_next().await {
        done.expect("sender");
    }

    let failures = b_failures.lock().expect("failures").clone();
    assert!(failures.is_empty(), "B kept answering: {failures:?}");
    let stored: HashSet<String> = TestPostgres::shared()
        .query(name_of(&db), "SELECT id FROM requests")
        .lines()
        .map(str::to_string)
        .collect();
    let (a_ids, b_ids) = (answered_a.ids(), answered_b.ids());
    let lost: Vec<&String> = a_ids
        .iter()
        .chain(&b_ids)
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} answered requests lost",
        lost.len(),
        a_ids.len() + b_ids.len()
    );
}

/// A forward target that holds every request it receives until released, then answers
/// `200` to each (those held included); counts what it received.
struct Target {
    url: String,
    received: watch::Receiver<usize>,
    release: watch::Sender<bool>,
}

impl Target {
    async fn start() -> Target {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (count, received) = watch::channel(0);
        let (release, released) = watch::channel(false);
        let count = Arc::new(count);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (count, mut released) = (count.clone(), released.clone());
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    while read_request(&mut stream).await {
                        count.send_modify(|n| *n += 1);
                        if released.wait_for(|r| *r).await.is_err() {
                            return;
                        }
                        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                        if stream.get_mut().write_all(ok).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Target {
            url,
            received,
            release,
        }
    }
}

/// Reads one HTTP/1.1 request (a `content-length` body); `false` at the connection's end.
async fn read_request(stream: &mut BufReader<tokio::net::TcpStream>) -> bool {
    let mut length = 0;
    loop {
        let mut line = String::new();
        match stream.read_line(&mut line).await {
            Ok(0) | Err(_) => return false,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.is_ok()
}

/// psql's rows, each split into its columns.
fn rows(text: String) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| line.split('|').map(str::to_string).collect())
        .collect()
}

/// µs since the epoch, as the store keeps times.
fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// A forwards eight requests to a target that holds them, so that A holds their leases (3 s)
/// when it is killed; B, started while A ran, sends them once the leases lapse, not before,
/// and each ends delivered with the one attempt B recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_leased_by_a_killed_instance_are_delivered_by_the_other() {
    const LEASE: &str = "3s";
    // As many as A sends to one target at once, so that all are in flight when it dies.
    const N: usize = 8;
    let mut target = Target::start().await;
    let db = database();
    let server = TestPostgres::shared();
    let mut a = Serve::start(
        &db,
        &["--forward-to", &target.url, "--delivery-lease", LEASE],
    );
    let client = reqwest::Client::new();
    for i in 0..N {
        a.post(&client, &format!("/leased/{i}"))
            .await
            .expect("stored");
    }
    tokio::time::timeout(
        Duration::from_secs(20),
        target.received.wait_for(|n| *n >= N),
    )
    .await
    .expect("A sends them all")
    .expect("target runs");
    // Leased: `next_attempt_at_us` is when each lease ends.
    let leases = rows(server.query(
        name_of(&db),
        "SELECT seq, next_attempt_at_us FROM deliveries WHERE leased = 1 ORDER BY seq",
    ));
    assert_eq!(leases.len(), N, "A holds them all");
    let b = Serve::start(&db, &["--delivery-lease", LEASE]);
    let mut live_b = b.live().await;
    a.kill();
    let killed = (Instant::now(), now_us());
    target.release.send(true).expect("target runs");
    live_b.until_delivered(N, Duration::from_secs(30)).await;
    let delay = killed.0.elapsed();
    let attempts = rows(server.query(
        name_of(&db),
        "SELECT delivery_seq, started_at_us, status FROM attempts ORDER BY delivery_seq, n",
    ));
    assert_eq!(
        attempts.len(),
        N,
        "one recorded attempt each (A recorded none)"
    );
    for (lease, attempt) in leases.iter().zip(&attempts) {
        let (seq, lease_end) = (&lease[0], &lease[1]);
        assert_eq!(&attempt[0], seq, "{attempts:?}");
        assert_eq!(attempt[2], "200", "answered");
        let sent: i64 = attempt[1].parse().expect("µs");
        let ends: i64 = lease_end.parse().expect("µs");
        assert!(
            sent >= ends,
            "delivery {seq} was sent again {} ms before A's lease ended",
            (ends - sent) / 1000
        );
    }
    assert!(*target.received.borrow() >= 2 * N, "sent again by B");
    let last_end: i64 = leases
        .iter()
        .map(|l| l[1].parse::<i64>().expect("µs"))
        .max()
        .unwrap_or(0);
    eprintln!(
        "lapsed lease ({LEASE}): all delivered {delay:?} after the kill, which came {} ms \
         before the last lease ended",
        (last_end - killed.1) / 1000
    );
}
