//! TLS on a relay process: `--tls-cert`/`--tls-key` with a certificate signed by a private
//! CA made here (rcgen), a subscriber that trusts that CA with `--relay-ca`, and one that
//! does not, which must stop at its first attempt with one line saying what to pass.

use std::path::{Path, PathBuf};

use crate::common::*;
use crate::{Api, Listen, free_port, relay_token, start_subscriber};

#[test]
fn a_relay_with_a_private_ca_is_mirrored_with_relay_ca_and_refused_at_once_without() {
    let (relay_dir, sub_dir, listen_dir, certs) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let pem = private_ca(certs.path());
    let port = free_port();
    let relay = Serve::start_with(
        relay_dir.path(),
        &[
            "--relay-listen",
            &format!("127.0.0.1:{port}"),
            "--tls-cert",
            path(&pem.cert),
            "--tls-key",
            path(&pem.key),
        ],
        &[],
    );
    assert!(
        relay.receiver.starts_with("https://127.0.0.1:"),
        "the receiver speaks TLS too: {}",
        relay.receiver
    );
    let token = relay_token(relay_dir.path(), &["create", "laptop"]);
    let url = format!("https://127.0.0.1:{port}");

    let sub = start_subscriber(sub_dir.path(), &url, &token, &["--relay-ca", path(&pem.ca)]);
    let api = Api::of(&sub);
    // Past connecting and the catch-up (even an empty one): online, or an error to show.
    let status = api.until("/api/v1/relay", "past connecting and catching up", |s| {
        !matches!(s["state"].as_str(), Some("connecting" | "catching_up"))
    });
    assert_eq!(status["state"], "online", "{status}");
    let id = post_over_tls(&relay.receiver, &pem.ca, "/over-tls", "secret payload");
    let copy = api.until(
        &format!("/api/v1/requests/{id}"),
        "the webhook mirrored",
        |r| r["id"] == id.as_str(),
    );
    assert_eq!(
        (copy["body_text"].as_str(), copy["via"].as_str()),
        (Some("secret payload"), Some("relay"))
    );

    // Without --relay-ca the system's CAs do not know this one: the first attempt stops the
    // subscription (no retrying), with one line that names the flag.
    let (target, _paths, _service) = service();
    let listen = Listen::start(
        listen_dir.path(),
        &target,
        &["--relay-from", &url, "--relay-token", token.trim()],
    );
    let ready = listen.line_with("(inspector: ");
    let login = ready
        .split_once("(inspector: ")
        .map(|(_, l)| l.trim_end_matches(')'))
        .expect("a login link");
    let said = loop {
        let line = listen.line_with(&format!("relay {url}: "));
        if !line.ends_with(": connecting") {
            break line;
        }
    };
    assert!(
        said.contains("the relay's TLS certificate does not verify")
            && said.ends_with(
                "if a private CA signed it, trust that CA with --relay-ca FILE (or the CA file \
                 field in Settings → Relay)"
            ),
        "{said}"
    );
    let status = Api::at(login).get("/api/v1/relay");
    assert_eq!(status["state"], "error", "{status}");
    let error = status["error"].as_str().unwrap_or_default();
    assert!(!error.contains('\n'), "one line: {error:?}");
    assert_eq!(said, format!("relay {url}: {error}"));
    assert!(listen.stop().success());
}

/// The PEM files of a private CA and of a certificate it signed for 127.0.0.1.
struct Pem {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn private_ca(dir: &Path) -> Pem {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Hooklens test CA");
    let ca = ca.self_signed(&ca_key).expect("ca");
    let key = KeyPair::generate().expect("key");
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "hooklens relay");
    let leaf = leaf.signed_by(&key, &ca, &ca_key).expect("leaf");
    let pem = Pem {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&pem.ca, ca.pem()).expect("write");
    std::fs::write(&pem.cert, leaf.pem()).expect("write");
    std::fs::write(&pem.key, key.serialize_pem()).expect("write");
    pem
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

/// Posts `body` to `path` on an https receiver whose certificate `ca` signed; the id.
fn post_over_tls(receiver: &str, ca: &Path, path: &str, body: &'static str) -> String {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).expect("ca")).expect("pem");
        let client = reqwest::Client::builder()
            .add_root_certificate(ca)
            .build()
            .expect("client");
        let answer: serde_json::Value = client
            .post(format!("{receiver}{path}"))
            .body(body)
            .send()
            .await
            .expect("the https receiver answers")
            .json()
            .await
            .expect("json");
        answer["id"].as_str().expect("id").to_string()
    })
}
