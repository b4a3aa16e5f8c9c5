//! Stage 2, read: the body, within the size limit, the memory budget, and the stall and total
//! timeouts. A body that cannot be taken whole is still a capture: what arrived is kept with
//! a note saying why, and the refusal's status is decided here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use futures_util::FutureExt;
use hooklens_store::BodyState;
use http::HeaderMap;
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::BodyLimits;
use crate::human_bytes;

/// A body as read.
pub(crate) struct Received {
    /// What arrived: all of it, part of it (incomplete), or nothing (too large).
    pub bytes: Vec<u8>,
    pub state: BodyState,
    /// Why it is not complete, for a person.
    pub note: Option<String>,
    /// Bytes received, or announced by the sender when refused.
    pub size: u64,
    /// The refusal's status: 413 too large, 408 stalled, 400 broken off; `None` when whole.
    pub refusal: Option<u16>,
    /// The memory budget this body holds, until it is committed.
    pub held: Option<OwnedSemaphorePermit>,
}

/// Reads `body` of a request with `headers` that started at `started`.
pub(crate) async fn read(
    body: Body,
    headers: &HeaderMap,
    started: Instant,
    limits: BodyLimits,
    budget: &Arc<Semaphore>,
) -> Received {
    let announced = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let mut held = None;
    let outcome = read_body(
        body,
        Limits {
            max: limits.max,
            announced,
            stall: limits.stall,
            deadline: started + limits.total,
            budget,
        },
        &mut held,
    )
    .await;
    received(outcome, limits.max, held)
}

/// How reading ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Complete(Vec<u8>),
    TooLarge {
        size: u64,
        announced: bool,
    },
    Incomplete {
        partial: Vec<u8>,
        why: String,
        stalled: bool,
    },
}

/// What an outcome means for the capture: its state, note, size and refusal.
fn received(outcome: Outcome, max: u64, held: Option<OwnedSemaphorePermit>) -> Received {
    let (bytes, size, state, note, refusal) = match outcome {
        Outcome::Complete(bytes) => {
            let size = bytes.len() as u64;
            (bytes, size, BodyState::Complete, None, None)
        }
        Outcome::TooLarge { size, announced } => {
            let what = if announced {
                format!("the request announced {}", human_bytes(size))
            } else {
                format!("the request sent more than {}", human_bytes(size))
            };
            let note = format!(
                "{what}, over the {} body limit; raise the limit with --max-body (HOOKLENS_MAX_BODY)",
                human_bytes(max)
            );
            (Vec::new(), size, BodyState::TooLarge, Some(note), Some(413))
        }
        Outcome::Incomplete {
            partial,
            why,
            stalled,
        } => {
            let size = partial.len() as u64;
            let status = if stalled { 408 } else { 400 };
            (
                partial,
                size,
                BodyState::Incomplete,
                Some(why),
                Some(status),
            )
        }
    };
    Received {
        bytes,
        state,
        note,
        size,
        refusal,
        held,
    }
}

struct Limits<'a> {
    max: u64,
    announced: Option<u64>,
    stall: Duration,
    deadline: Instant,
    /// Bytes all bodies in flight may hold together; a body waits for room (the sender
    /// sees back-pressure) and counts as stalled if none frees up.
    budget: &'a Arc<Semaphore>,
}

/// Reads the body within the size limit, the memory budget and the stall and total
/// timeouts. `held` keeps the budget this body uses until the request is stored.
async fn read_body(
    mut body: Body,
    limits: Limits<'_>,
    held: &mut Option<OwnedSemaphorePermit>,
) -> Outcome {
    if let Some(size) = limits.announced.filter(|&n| n > limits.max) {
        return Outcome::TooLarge {
            size,
            announced: true,
        };
    }
    let mut buf = Vec::with_capacity(limits.announced.unwrap_or(0).min(1 << 20) as usize);
    let stalled = |buf: Vec<u8>, deadline: Instant| {
        let why = if Instant::now() >= deadline {
            "the body was still arriving when the upload time limit ran out"
        } else {
            "the sender stopped sending the body"
        };
        Outcome::Incomplete {
            why: format!("{why} ({} received)", human_bytes(buf.len() as u64)),
            partial: buf,
            stalled: true,
        }
    };
    loop {
        let wait = limits
            .stall
            .min(limits.deadline.saturating_duration_since(Instant::now()));
        // Most bodies arrived with their headers: take what is ready without arming a timer.
        let next = match body.frame().now_or_never() {
            Some(ready) => Ok(ready),
            None => tokio::time::timeout(wait, body.frame()).await,
        };
        let frame = match next {
            Ok(Some(Ok(frame))) => frame,
            Ok(None) => return Outcome::Complete(buf),
            Ok(Some(Err(e))) => {
                return Outcome::Incomplete {
                    why: format!(
                        "the connection broke after {} of the body: {e}",
                        human_bytes(buf.len() as u64)
                    ),
                    partial: buf,
                    stalled: false,
                };
            }
            Err(_) => return stalled(buf, limits.deadline),
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let total = buf.len() as u64 + data.len() as u64;
        if total > limits.max {
            return Outcome::TooLarge {
                size: total,
                announced: false,
            };
        }
        let room = limits.budget.clone().acquire_many_owned(data.len() as u32);
        match tokio::time::timeout(limits.stall, room).await {
            Ok(Ok(permit)) => match held {
                Some(held) => held.merge(permit),
                None => *held = Some(permit),
            },
            _ => return stalled(buf, limits.deadline),
        }
        buf.extend_from_slice(&data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: u64) -> BodyLimits {
        BodyLimits {
            max,
            stall: Duration::from_secs(5),
            total: Duration::from_secs(5),
        }
    }

    async fn read_all(
        body: &'static [u8],
        headers: &[(&'static str, &'static str)],
        max: u64,
    ) -> Received {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_static(value),
            );
        }
        let budget = Arc::new(Semaphore::new(1 << 20));
        read(Body::from(body), &map, Instant::now(), limits(max), &budget).await
    }

    #[tokio::test]
    async fn a_whole_body_holds_its_budget_until_dropped() {
        let budget = Arc::new(Semaphore::new(100));
        let got = read(
            Body::from(&b"0123456789"[..]),
            &HeaderMap::new(),
            Instant::now(),
            limits(50),
            &budget,
        )
        .await;
        assert_eq!(
            (got.bytes.as_slice(), got.state, got.size, got.refusal),
            (&b"0123456789"[..], BodyState::Complete, 10, None)
        );
        assert_eq!(budget.available_permits(), 90);
        drop(got);
        assert_eq!(budget.available_permits(), 100);
    }

    #[tokio::test]
    async fn too_large_is_refused_with_what_was_announced_or_sent() {
        let announced = read_all(b"", &[("content-length", "2048")], 1024).await;
        assert_eq!(
            (announced.state, announced.size, announced.refusal),
            (BodyState::TooLarge, 2048, Some(413))
        );
        assert_eq!(
            announced.note.as_deref(),
            Some(
                "the request announced 2 KiB, over the 1 KiB body limit; raise the limit with --max-body (HOOKLENS_MAX_BODY)"
            )
        );
        let sent = read_all(&[b'x'; 2000], &[], 1024).await;
        assert_eq!((sent.state, sent.size), (BodyState::TooLarge, 2000));
        assert!(sent.bytes.is_empty(), "nothing of a refused body is kept");
        assert!(
            sent.note
                .is_some_and(|n| n.starts_with("the request sent more than"))
        );
    }

    #[test]
    fn an_incomplete_body_keeps_what_arrived_and_says_why() {
        for (stalled, status) in [(true, 408), (false, 400)] {
            let got = received(
                Outcome::Incomplete {
                    partial: b"{\"a\":".to_vec(),
                    why: "the sender stopped sending the body (5 B received)".into(),
                    stalled,
                },
                1024,
                None,
            );
            assert_eq!(
                (got.bytes.as_slice(), got.state, got.size, got.refusal),
                (&b"{\"a\":"[..], BodyState::Incomplete, 5, Some(status))
            );
            assert_eq!(
                got.note.as_deref(),
                Some("the sender stopped sending the body (5 B received)")
            );
        }
    }
}
