//! A catch-up watched step by step. The subscriber reaches the relay through a proxy in this
//! test that passes the stream on only as far as the test allows, so each state on the way
//! holds still until the test has read it: `catching_up` with `behind` counting down as the
//! captures arrive, then `online` with 0. (Left alone, a small backlog may be mirrored
//! between two polls of the status; with the gate no step depends on timing.)

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

use crate::common::*;
use crate::{Api, free_port, post, relay_token, start_subscriber};

/// Each capture's body: large beside its frame's head and the HTTP around it, so a budget of
/// `k` bodies and a half lets exactly `k` whole captures through.
const BODY: u64 = 64 << 10;
const BACKLOG: usize = 10;

#[test]
fn a_subscriber_with_a_backlog_counts_behind_down_while_catching_up_then_goes_online() {
    let (relay_dir, sub_dir) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let port = free_port();
    // The default heartbeat (15 s): the subscriber waits 50 s for a word before it gives up
    // on a stream, far longer than the gate holds one.
    let relay = Serve::start_with(
        relay_dir.path(),
        &["--relay-listen", &format!("127.0.0.1:{port}")],
        &[],
    );
    let token = relay_token(relay_dir.path(), &["create", "laptop"]);
    let ids: Vec<String> = (0..BACKLOG)
        .map(|i| {
            let body = vec![b'a' + i as u8; BODY as usize];
            post(&relay.receiver, &format!("/backlog/{i}"), body)
        })
        .collect();

    let gate = Gate::to(port);
    gate.allow(BODY / 2); // the handshake, the stream's head and its hello; no whole capture
    let sub = start_subscriber(
        sub_dir.path(),
        &format!("http://127.0.0.1:{}", gate.port),
        &token,
        &[],
    );
    let api = Api::of(&sub);
    let at = |behind: usize| {
        let what = format!("catching up, {behind} behind");
        let status = api.until("/api/v1/relay", &what, |s| {
            s["state"] == "catching_up" && s["behind"] == behind
        });
        status["last_id"].as_str().map(String::from)
    };
    assert_eq!(
        at(BACKLOG),
        None,
        "the hello says how many: none mirrored yet"
    );
    for k in [3, 6] {
        gate.allow(k * BODY + BODY / 2);
        let last = at(BACKLOG - k as usize);
        assert_eq!(last.as_deref(), Some(ids[k as usize - 1].as_str()));
    }
    gate.allow(u64::MAX);
    let status = api.until("/api/v1/relay", "online", |s| s["state"] == "online");
    assert_eq!(status["behind"], 0, "{status}");
    assert_eq!(status["last_id"], ids[BACKLOG - 1].as_str(), "{status}");
    assert_eq!(api.get("/api/v1/status")["requests"], BACKLOG);
}

/// A TCP proxy on loopback to `upstream`: what the subscriber sends goes through freely;
/// what comes back, only up to the number of bytes allowed so far (over all connections).
struct Gate {
    port: u16,
    budget: Arc<Budget>,
}

#[derive(Default)]
struct Budget {
    /// (allowed, passed) bytes.
    bytes: Mutex<(u64, u64)>,
    more: Condvar,
}

impl Gate {
    fn to(upstream: u16) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let budget = Arc::new(Budget::default());
        let shared = budget.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let (Ok(mut from_client), Ok(mut to_server)) =
                    (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from_client, &mut to_server);
                    let _ = to_server.shutdown(Shutdown::Write);
                });
                let budget = shared.clone();
                std::thread::spawn(move || budget.pass(server, client));
            }
        });
        Gate { port, budget }
    }

    /// Lets `total` bytes back to the subscriber, counted from the start.
    fn allow(&self, total: u64) {
        if let Ok(mut bytes) = self.budget.bytes.lock() {
            bytes.0 = total;
        }
        self.budget.more.notify_all();
    }
}

impl Budget {
    /// Copies `from` to `to` as the budget allows.
    fn pass(&self, mut from: TcpStream, mut to: TcpStream) {
        let mut buf = vec![0u8; 16 << 10];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut at = 0;
            while at < n {
                let Some(take) = self.take((n - at) as u64) else {
                    return;
                };
                if to.write_all(&buf[at..at + take]).is_err() {
                    return;
                }
                at += take;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    }

    /// Up to `want` bytes of the budget, waiting until there are some.
    fn take(&self, want: u64) -> Option<usize> {
        let mut bytes = self.bytes.lock().ok()?;
        while bytes.1 >= bytes.0 {
            bytes = self.more.wait(bytes).ok()?;
        }
        let take = want.min(bytes.0 - bytes.1);
        bytes.1 += take;
        Some(take as usize)
    }
}
