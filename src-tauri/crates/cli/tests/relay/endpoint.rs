//! `--relay-endpoint NAME`: a subscriber that mirrors one endpoint of the relay, in the
//! catch-up and live.

use serde_json::json;

use crate::common::*;
use crate::{Api, free_port, post, relay_token, start_relay, start_subscriber};

#[test]
fn a_subscriber_with_relay_endpoint_mirrors_that_endpoint_only() {
    let (relay_dir, sub_dir) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let port = free_port();
    let relay = start_relay(relay_dir.path(), port);
    let on_relay = Api::of(&relay);
    for name in ["stripe", "github"] {
        let (status, made) = on_relay.post(
            "/api/v1/endpoints",
            &json!({ "name": name, "path": format!("/{name}") }),
        );
        assert_eq!(status, 201, "{made}");
    }
    let token = relay_token(relay_dir.path(), &["create", "stripe-dev"]);
    // Stored before the subscriber starts (its catch-up): another endpoint's, this one's,
    // and one outside any endpoint.
    let early = [
        post(&relay.receiver, "/github/early", "g"),
        post(&relay.receiver, "/stripe/early", "s"),
        post(&relay.receiver, "/elsewhere/early", "e"),
    ];
    let sub = start_subscriber(
        sub_dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &token,
        &["--relay-endpoint", "stripe"],
    );
    let api = Api::of(&sub);
    let status = api.until("/api/v1/relay", "online", |s| s["state"] == "online");
    assert_eq!(status["endpoint"], "stripe", "{status}");
    assert_eq!(status["last_id"], early[1].as_str(), "{status}");
    // Live: this endpoint's last. The stream is in the relay's order, so once it is here the
    // two before it were skipped, not late.
    let live = [
        post(&relay.receiver, "/github/live", "g"),
        post(&relay.receiver, "/elsewhere/live", "e"),
        post(&relay.receiver, "/stripe/live", "s"),
    ];
    api.until(
        &format!("/api/v1/requests/{}", live[2]),
        "the live stripe capture mirrored",
        |r| r["id"] == live[2].as_str(),
    );
    sub.signal("TERM");
    assert!(sub.wait().success());
    let mirrored = export_ndjson(sub_dir.path());
    let paths: Vec<(&str, &str)> = mirrored
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or(""),
                r["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            (early[1].as_str(), "/stripe/early"),
            (live[2].as_str(), "/stripe/live")
        ],
        "stripe's only"
    );
    assert_eq!(
        export_ids(relay_dir.path()).len(),
        6,
        "the relay stored all six"
    );
}
