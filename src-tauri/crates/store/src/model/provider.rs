//! What a provider's request says about itself beyond its signature: the id the provider gave
//! what it delivered (so a repeat is recognised), and whether it was a verification handshake
//! Hooklens answered for the developer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::HandshakeProvider;

/// The provider's id for an event or a delivery (Stripe's `evt_…`, `X-GitHub-Delivery`,
/// `webhook-id`, …), and which delivery of it a request is at its endpoint. Providers deliver
/// at least once: the same id arriving again is the same event, not a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDelivery {
    pub id: String,
    /// 1 for the first delivery of `id` at this endpoint, 2 for the second, …
    pub occurrence: u32,
    /// The first delivery, on a repeat (`occurrence` > 1).
    pub first: Option<FirstDelivery>,
}

/// The first delivery of an event: the capture every repeat points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstDelivery {
    /// Its capture's id.
    pub id: String,
    pub received_at_us: i64,
}

/// What came before a delivery of an event at an endpoint, as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub first: FirstDelivery,
    /// The highest `occurrence` stored.
    pub last_occurrence: u32,
}

impl EventDelivery {
    /// The delivery after `prior` (the first when there is none).
    pub fn after(id: String, prior: Option<Prior>) -> EventDelivery {
        match prior {
            None => EventDelivery {
                id,
                occurrence: 1,
                first: None,
            },
            Some(prior) => EventDelivery {
                id,
                occurrence: prior.last_occurrence.saturating_add(1),
                first: Some(prior.first),
            },
        }
    }
}

/// A verification handshake: a provider checking, before it sends events, that the URL
/// answers for the developer. Hooklens answers it (or refuses it as the provider expects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Handshake {
    pub provider: HandshakeProvider,
    /// Answered as the provider asks; `false`: refused (the status says how).
    pub answered: bool,
    /// Why, for a person: "echoed Slack's challenge", "hub.verify_token is not the endpoint's
    /// verify token".
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_counts_on_from_what_came_before() {
        let first = EventDelivery::after("evt_1".into(), None);
        assert_eq!((first.occurrence, first.first), (1, None));
        let prior = Prior {
            first: FirstDelivery {
                id: "01A".into(),
                received_at_us: 5,
            },
            last_occurrence: 2,
        };
        let third = EventDelivery::after("evt_1".into(), Some(prior.clone()));
        assert_eq!(third.occurrence, 3);
        assert_eq!(third.first, Some(prior.first));
    }
}
