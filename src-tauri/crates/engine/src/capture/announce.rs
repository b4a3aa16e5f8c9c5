//! Stage 10, announce: tell whoever listens. The request is counted (metrics) and its live
//! event built before it moves into the store; once it is stored, the event goes out, the
//! notifications are raised (the rules', and an invalid signature's when the settings ask),
//! and the forwarder is woken for its deliveries. The event is built only when someone
//! listens: capture stays lean headless.

use hooklens_store::{
    BodyState, DeliveryState, NotificationKind, Request, RequestMeta, SignatureStatus,
};

use super::Pipeline;
use crate::events::Event;
use crate::notify::{Popup, Urgency};

/// What is told once the request is stored.
pub(crate) struct Announcement {
    /// The stored request as `request.captured` tells it, once its position is known.
    captured: Option<Request>,
    popups: Vec<Popup>,
    forwards: bool,
}

impl Announcement {
    /// Counts the request and prepares what is told once it is stored: the live event, and
    /// `popups` (the rules') with the invalid signature's when the settings ask for it.
    pub fn prepare(
        pipeline: &Pipeline,
        meta: &RequestMeta,
        pinned: bool,
        mut popups: Vec<Popup>,
        forwards: bool,
    ) -> Announcement {
        pipeline.metrics.request(
            &meta.endpoint_name,
            meta.provider.as_deref(),
            meta.event_type.as_deref(),
            meta.signature
                .as_ref()
                .map_or(SignatureStatus::Unconfigured, |v| v.status),
            refusal_reason(meta),
        );
        tracing::debug!(
            method = %meta.method,
            path = %meta.path,
            size = meta.size,
            status = meta.response_status,
            "captured"
        );
        if pipeline.notifications.settings().signature_invalid {
            popups.extend(signature_popup(meta));
        }
        let captured = pipeline.events.listened().then(|| Request {
            seq: 0,
            pinned,
            meta: meta.clone(),
            body: None,
            delivery: forwards.then_some(DeliveryState::Pending),
        });
        Announcement {
            captured,
            popups,
            forwards,
        }
    }

    /// The request is stored at `seq`: tells it.
    pub fn tell(self, pipeline: &Pipeline, seq: i64) {
        if let Some(mut request) = self.captured {
            request.seq = seq;
            pipeline
                .events
                .emit(Event::RequestCaptured(Box::new(request)));
        }
        for popup in self.popups {
            pipeline.notifications.raise(popup);
        }
        if self.forwards {
            pipeline.forwarder.wake();
        }
    }
}

/// Why a request was not taken whole, as counted: `too_large`, `timeout` or `incomplete`.
fn refusal_reason(meta: &RequestMeta) -> Option<&'static str> {
    match (meta.body_state, meta.response_status) {
        (BodyState::Complete, _) => None,
        (BodyState::TooLarge, _) => Some("too_large"),
        (BodyState::Incomplete, 408) => Some("timeout"),
        (BodyState::Incomplete, _) => Some("incomplete"),
    }
}

/// The notification for a request whose signature is invalid.
fn signature_popup(meta: &RequestMeta) -> Option<Popup> {
    let verdict = meta
        .signature
        .as_ref()
        .filter(|v| v.status == SignatureStatus::Invalid)?;
    Some(Popup {
        kind: NotificationKind::SignatureInvalid,
        key: meta.endpoint_name.clone(),
        title: format!(
            "Invalid {} signature on {}",
            verdict.scheme.as_deref().unwrap_or("webhook"),
            meta.endpoint_name
        ),
        body: format!("{} {}: {}", meta.method, meta.path, verdict.reason),
        request_id: Some(meta.id.clone()),
        urgency: Urgency::Critical,
    })
}

#[cfg(test)]
mod tests {
    use hooklens_store::SignatureVerdict;

    use super::*;
    use crate::capture::test_meta;

    fn meta(state: BodyState, status: u16, signature: Option<SignatureStatus>) -> RequestMeta {
        RequestMeta {
            id: "01R".into(),
            endpoint_name: "stripe".into(),
            path: "/stripe".into(),
            body_state: state,
            response_status: status,
            signature: signature.map(|status| SignatureVerdict {
                status,
                scheme: Some("stripe".into()),
                reason: "timestamp is 9 min old, tolerance 5 min".into(),
            }),
            ..test_meta()
        }
    }

    #[test]
    fn refusals_are_counted_by_reason() {
        let cases = [
            (BodyState::Complete, 200, None),
            (BodyState::Complete, 500, None),
            (BodyState::TooLarge, 413, Some("too_large")),
            (BodyState::Incomplete, 408, Some("timeout")),
            (BodyState::Incomplete, 400, Some("incomplete")),
        ];
        for (state, status, want) in cases {
            assert_eq!(
                refusal_reason(&meta(state, status, None)),
                want,
                "{state:?} {status}"
            );
        }
    }

    #[test]
    fn only_an_invalid_signature_notifies() {
        let popup = signature_popup(&meta(
            BodyState::Complete,
            200,
            Some(SignatureStatus::Invalid),
        ))
        .expect("invalid notifies");
        assert_eq!(popup.kind, NotificationKind::SignatureInvalid);
        assert_eq!(popup.title, "Invalid stripe signature on stripe");
        assert_eq!(
            popup.body,
            "POST /stripe: timestamp is 9 min old, tolerance 5 min"
        );
        assert_eq!(popup.request_id.as_deref(), Some("01R"));
        for status in [
            None,
            Some(SignatureStatus::Valid),
            Some(SignatureStatus::Missing),
            Some(SignatureStatus::Unconfigured),
        ] {
            assert!(signature_popup(&meta(BodyState::Complete, 200, status)).is_none());
        }
    }
}
