//! One fixture of (query, the ids it finds), checked on both backends: full-text search
//! means the same on SQLite's FTS5 index and on PostgreSQL's `tsvector` one.

use hooklens_store::{Capture, RequestFilter};

use crate::{both, capture, search, until_found};

/// `(id, path, query, extra header, body)`; every request also has the headers of `capture`
/// (`content-type: application/json`).
type Doc = (
    &'static str,
    &'static str,
    Option<&'static str>,
    (&'static str, &'static str),
    &'static str,
);

const DOCS: &[Doc] = &[
    (
        "stripe",
        "/stripe/events",
        None,
        ("stripe-signature", "t=1,v1=abc"),
        r#"{"type":"payment_intent.payment_failed","amount":1999}"#,
    ),
    (
        "github",
        "/github",
        Some("delivery=42"),
        ("x-github-event", "pull_request"),
        r#"{"action":"opened","number":7,"title":"Fix invoice rounding"}"#,
    ),
    (
        "shopify",
        "/shop/orders",
        None,
        ("x-shopify-topic", "orders/create"),
        r#"{"email":"anne@example.com","note":"Café crème, livraison à Zürich"}"#,
    ),
    (
        "slack",
        "/slack",
        Some("team=T1&channel=C2"),
        ("x-slack-signature", "v0=ff"),
        "payload=%7B%22type%22%3A%22block_actions%22%7D",
    ),
    (
        "binary",
        "/upload",
        None,
        ("content-encoding", "gzip"),
        "\u{1}\u{2}\u{fffd}",
    ),
    (
        "phrases",
        "/misc",
        None,
        ("x-note", "invoice paid"),
        "paid invoice, then an INVOICE_PAID event: evt_1N.x42 and id-123-abc",
    ),
];

/// `(query, ids found, newest first)`.
const CASES: &[(&str, &[&str])] = &[
    ("stripe", &["stripe"]),
    ("payment_fail", &["stripe"]),
    ("payment_intent.payment_failed", &["stripe"]),
    ("intent payment", &["stripe"]),
    (
        "application/json",
        &["phrases", "binary", "slack", "shopify", "github", "stripe"],
    ),
    ("invoice", &["phrases", "github"]),
    ("invoice paid", &["phrases"]),
    ("invoice_paid", &["phrases"]),
    ("paid_invoice", &["phrases"]),
    ("event_invoice", &[]),
    ("invoice pa", &["phrases"]),
    ("INVOICE", &["phrases", "github"]),
    ("inv", &["phrases", "github"]),
    ("cafe", &["shopify"]),
    ("Café crè", &["shopify"]),
    ("zurich", &["shopify"]),
    ("anne@example", &["shopify"]),
    ("example.co", &["shopify"]),
    ("orders/create", &["shopify"]),
    ("orders create", &["shopify"]),
    ("create orders", &["shopify"]),
    ("team=T1", &["slack"]),
    ("block_actions", &[]),
    ("delivery=4", &["github"]),
    ("evt_1N.x4", &["phrases"]),
    ("evt_1n.x42", &["phrases"]),
    ("1n", &["phrases"]),
    ("id-123", &["phrases"]),
    ("123-abc", &["phrases"]),
    ("abc", &["phrases", "stripe"]),
    ("t=1 v1", &["stripe"]),
    ("pull_request opened", &["github"]),
    ("opened pull_req", &["github"]),
    ("\"opened\"", &["github"]),
    ("opened OR nothing", &[]),
    ("gzip", &["binary"]),
    ("zzz", &[]),
    (
        "",
        &["phrases", "binary", "slack", "shopify", "github", "stripe"],
    ),
    (
        "{} -- ,",
        &["phrases", "binary", "slack", "shopify", "github", "stripe"],
    ),
];

both! {
    async fn search_means_the_same_on_both_backends(db: Db) {
        let store = db.open().await;
        for (id, path, query, header, body) in DOCS {
            let mut c: Capture = capture(id, body);
            c.meta.path = path.to_string();
            c.meta.query = query.map(str::to_string);
            c.meta.headers.push((header.0.to_string(), header.1.as_bytes().to_vec()));
            store.insert_request(c).await.expect("insert");
        }
        // Indexed off the capture path: wait until the last one is searchable.
        until_found(&store, "evt_1N", 1).await;
        for (q, want) in CASES {
            assert_eq!(search(&store, q).await, *want, "{q:?}");
        }
        // The full-text query combines with the other filters, and pages.
        let page = store
            .list_requests(RequestFilter {
                q: Some("application".into()),
                limit: 4,
                ..Default::default()
            })
            .await
            .expect("page");
        assert_eq!(page.items.len(), 4);
        let rest = store
            .list_requests(RequestFilter {
                q: Some("application".into()),
                before_seq: page.next,
                limit: 4,
                ..Default::default()
            })
            .await
            .expect("page");
        let ids: Vec<String> = rest.items.into_iter().map(|r| r.meta.id).collect();
        assert_eq!(ids, ["github", "stripe"]);
        assert_eq!(rest.next, None);
    }
}
