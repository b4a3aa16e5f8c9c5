//! `--relay-behind-proxy`: what it changes. Without TLS a relay refuses to serve the stream
//! off loopback (it carries every capture and the tokens); the flag says a reverse proxy in
//! front terminates TLS, so the stream is served over plain HTTP there, and the limit on
//! refused attempts counts per client of the proxy — the last `X-Forwarded-For` address,
//! the one the proxy added — instead of per connection (the proxy itself). Without the flag
//! `X-Forwarded-For` is not believed: a client cannot dodge the limit by writing one.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;

use crate::common::*;
use crate::{WAIT, free_port, relay_token, start_relay};

#[test]
fn plain_http_off_loopback_is_refused_at_start_unless_a_proxy_terminates_tls() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let listen = format!("0.0.0.0:{port}");
    let refused = exits(Serve::command(
        dir.path(),
        &["--relay-listen", &listen],
        &[],
    ));
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        format!(
            "error: refusing to serve the relay stream over plain HTTP on {listen}, off this \
             machine: pass --tls-cert and --tls-key, or --relay-behind-proxy when a reverse \
             proxy in front terminates TLS (--relay-listen, HOOKLENS_RELAY_LISTEN)\n"
        ),
        "one line that names the flags"
    );

    // Behind a proxy: served over plain HTTP off loopback. (The test is the proxy: it
    // reaches the port on loopback and writes X-Forwarded-For as a proxy would.)
    let relay = Serve::start_with(
        dir.path(),
        &["--relay-listen", &listen, "--relay-behind-proxy"],
        &[],
    );
    let token = relay_token(dir.path(), &["create", "laptop"]);
    let http = Stream::at(port);
    let hello = http.handshake();
    assert_eq!(hello["service"], "hooklens-relay", "{hello}");
    assert_eq!(http.open(token.trim(), Some("203.0.113.1")), 200);

    // Ten refusals for one client of the proxy hold that client back (whatever it writes
    // before the proxy's own entry), and only that one.
    for _ in 0..10 {
        assert_eq!(
            http.open("hlr_wrong", Some("198.51.100.7, 203.0.113.1")),
            401
        );
    }
    assert_eq!(http.open(token.trim(), Some("203.0.113.1")), 429);
    assert_eq!(
        http.open(token.trim(), Some("203.0.113.2, 203.0.113.1")),
        429,
        "an address written before the proxy's does not count"
    );
    assert_eq!(
        http.open(token.trim(), Some("203.0.113.2")),
        200,
        "another client of the proxy goes on"
    );
    drop(relay);
}

#[test]
fn without_relay_behind_proxy_x_forwarded_for_is_not_believed() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let _relay = start_relay(dir.path(), port);
    let token = relay_token(dir.path(), &["create", "laptop"]);
    let http = Stream::at(port);
    for _ in 0..10 {
        assert_eq!(http.open("hlr_wrong", Some("203.0.113.1")), 401);
    }
    // Every attempt came from 127.0.0.1, whatever the header said: held back, token or not.
    assert_eq!(http.open(token.trim(), Some("203.0.113.2")), 429);
    assert_eq!(http.open(token.trim(), None), 429);
}

/// Runs `command` to its end (killed, and failed, if it is still running after [`WAIT`]).
fn exits(mut command: Command) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hooklens");
    let pid = child.id().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(WAIT) {
        Ok(output) => output.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("hooklens serve still running after {WAIT:?}: it should refuse to start");
        }
    }
}

/// Requests to a relay listener on loopback.
struct Stream {
    base: String,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Stream {
    fn at(port: u16) -> Stream {
        Stream {
            base: format!("http://127.0.0.1:{port}"),
            runtime: tokio::runtime::Runtime::new().expect("runtime"),
            http: reqwest::Client::new(),
        }
    }

    fn handshake(&self) -> serde_json::Value {
        self.runtime.block_on(async {
            self.http
                .get(format!("{}/relay/v1", self.base))
                .send()
                .await
                .expect("the relay listener answers")
                .json()
                .await
                .expect("json")
        })
    }

    /// Opens the stream with `token`, through a proxy that forwarded `forwarded_for`; the
    /// answer's status (the stream, when it opens, is dropped at once).
    fn open(&self, token: &str, forwarded_for: Option<&str>) -> u16 {
        self.runtime.block_on(async {
            let mut request = self
                .http
                .get(format!("{}/relay/v1/stream", self.base))
                .bearer_auth(token);
            if let Some(value) = forwarded_for {
                request = request.header("x-forwarded-for", value);
            }
            let answer = request.send().await.expect("the relay listener answers");
            answer.status().as_u16()
        })
    }
}
