//! The request list's filter semantics, checked on both backends against the shared table in
//! `tests/fixtures/filters.json`, which the UI's live list is checked against too
//! (`ui/src/lib/filter.test.ts`): a request the server lists under a filter is one the UI
//! keeps when it streams in, and the other way round, whichever database holds it.

use hooklens_store::{
    Attempt, AttemptOutcome, BodyState, Capture, DeliveryFilter, DeliveryKind, DeliverySpec,
    DeliveryState, EventDelivery, FirstDelivery, NewDelivery, RequestFilter, RequestMeta,
    SignatureStatus, SignatureVerdict, Store, Via,
};
use serde::Deserialize;

use crate::{both, until_found};

const TABLE: &str = include_str!("../../../../../tests/fixtures/filters.json");

#[derive(Deserialize)]
struct Table {
    times: Vec<(String, Option<i64>)>,
    requests: Vec<Item>,
    cases: Vec<Case>,
}

/// A request shaped like an item of the list API, with the body the store indexes.
#[derive(Deserialize)]
struct Item {
    id: String,
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: String,
    endpoint: String,
    endpoint_id: Option<String>,
    provider: Option<String>,
    event_type: Option<String>,
    signature: Option<Verdict>,
    tags: Vec<String>,
    pinned: bool,
    delivery: Option<String>,
    /// The first delivery's id, on a repeat.
    #[serde(default)]
    duplicate_of: Option<String>,
    received_at_us: i64,
}

#[derive(Deserialize)]
struct Verdict {
    status: SignatureStatus,
    reason: String,
}

/// The list API's query parameters, as text.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct Params {
    q: Option<String>,
    endpoint: Option<String>,
    method: Option<String>,
    provider: Option<String>,
    event_type: Option<String>,
    signature: Option<String>,
    tag: Option<String>,
    pinned: Option<String>,
    delivery: Option<String>,
    duplicate: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    filter: Params,
    matches: Vec<String>,
    why: String,
}

fn table() -> Table {
    serde_json::from_str(TABLE).expect("tests/fixtures/filters.json")
}

fn capture(item: &Item) -> Capture {
    Capture {
        meta: RequestMeta {
            id: item.id.clone(),
            received_at_us: item.received_at_us,
            duration_us: 1,
            endpoint_id: item.endpoint_id.clone(),
            endpoint_name: item.endpoint.clone(),
            method: item.method.clone(),
            path: item.path.clone(),
            query: item.query.clone(),
            http_version: "HTTP/1.1".into(),
            remote_addr: None,
            headers: item
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), v.as_bytes().to_vec()))
                .collect(),
            body_state: BodyState::Complete,
            body_note: None,
            size: item.body.len() as u64,
            response_status: 200,
            provider: item.provider.clone(),
            event_type: item.event_type.clone(),
            signature: item.signature.as_ref().map(|v| SignatureVerdict {
                status: v.status,
                scheme: None,
                reason: v.reason.clone(),
            }),
            tags: item.tags.clone(),
            rules: Vec::new(),
            via: Via::Direct,
            event: item.duplicate_of.as_ref().map(|first| EventDelivery {
                id: format!("evt_{first}"),
                occurrence: 2,
                first: Some(FirstDelivery {
                    id: first.clone(),
                    received_at_us: 0,
                }),
            }),
            handshake: None,
        },
        body: item.body.clone().into_bytes(),
        pinned: item.pinned,
        deliveries: item
            .delivery
            .iter()
            .map(|_| NewDelivery {
                id: format!("{}-delivery", item.id),
                kind: DeliveryKind::Auto,
                target: "http://127.0.0.1:3000".into(),
                url: format!("http://127.0.0.1:3000{}", item.path),
                spec: DeliverySpec::default(),
                next_attempt_at_us: item.received_at_us,
            })
            .collect(),
    }
}

/// Stores every request of the table, its delivery brought to the state it names by an
/// attempt, as the forwarder would, and waits until all are searchable (every request of the
/// table is JSON).
async fn store(store: &Store, items: &[Item]) {
    for item in items {
        store.insert_request(capture(item)).await.expect("insert");
        let Some(state) = item.delivery.as_deref().map(DeliveryState::parse) else {
            continue;
        };
        if state == DeliveryState::Pending {
            continue;
        }
        let filter = DeliveryFilter {
            request_id: Some(item.id.clone()),
            limit: 1,
            ..DeliveryFilter::default()
        };
        let delivery = store.list_deliveries(filter).await.expect("deliveries");
        let attempt = Attempt {
            n: 1,
            started_at_us: item.received_at_us,
            duration_us: 1,
            status: Some(if state == DeliveryState::Succeeded {
                200
            } else {
                410
            }),
            response_headers: Vec::new(),
            response_body: Vec::new(),
            response_size: Some(0),
            error_kind: None,
            error: None,
        };
        let outcome = AttemptOutcome {
            state,
            next_attempt_at_us: None,
            summary: None,
        };
        store
            .record_attempt(delivery[0].seq, attempt, outcome)
            .await
            .expect("attempt");
    }
    until_found(store, "application/json", items.len()).await;
}

/// µs, or RFC 3339 (weak: a space for the `T`, no offset meaning UTC), as the list API reads
/// `since` and `until` (`api::requests::parse_time` in the engine).
fn time(text: &str) -> Option<i64> {
    if let Ok(us) = text.parse() {
        return Some(us);
    }
    humantime::parse_rfc3339_weak(text)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_micros() as i64)
}

/// The store filter the list API makes of `params`.
fn filter(params: &Params) -> RequestFilter {
    let delivery = params.delivery.as_deref().map(|d| match d {
        "none" => None,
        state => Some(DeliveryState::parse(state)),
    });
    RequestFilter {
        endpoint: params.endpoint.clone(),
        method: params.method.clone(),
        provider: params.provider.clone(),
        event_type: params.event_type.clone(),
        signature: params.signature.clone(),
        tag: params.tag.clone(),
        q: params.q.clone(),
        since_us: params.since.as_deref().map(|t| time(t).expect("a time")),
        until_us: params.until.as_deref().map(|t| time(t).expect("a time")),
        pinned: params.pinned.as_deref().map(|p| p == "true"),
        delivery,
        duplicate: params.duplicate.as_deref().map(|d| d == "true"),
        limit: 1000,
        ..RequestFilter::default()
    }
}

both! {
    async fn the_list_filters_as_the_shared_table_says(db: Db) {
        let table = table();
        let s = db.open().await;
        store(&s, &table.requests).await;
        for case in &table.cases {
            let mut got: Vec<String> = s
                .list_requests(filter(&case.filter))
                .await
                .expect("list")
                .items
                .into_iter()
                .map(|r| r.meta.id)
                .collect();
            got.sort();
            assert_eq!(got, case.matches, "{:?}: {}", case.filter, case.why);
        }
        s.close().await.expect("close");
    }
}

#[test]
fn times_read_as_the_shared_table_says() {
    for (text, us) in &table().times {
        assert_eq!(time(text), *us, "{text:?}");
    }
}
