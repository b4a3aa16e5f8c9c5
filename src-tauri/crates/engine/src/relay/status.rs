//! Where a subscription stands (`GET /api/v1/relay`, the `relay.status` live event), and
//! what starts one ([`RelaySpec`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::link::{Link, Phase};

/// Where the relay subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelayState {
    /// No subscription.
    Off,
    /// Reaching the relay for the first time.
    Connecting,
    /// Connected, receiving the captures stored while this side was away.
    CatchingUp,
    /// Connected and up to date: captures arrive as the relay stores them.
    Online,
    /// The connection was lost (or never made); trying again with backoff.
    Reconnecting,
    /// Stopped: the token was refused, the relay is of another version, its certificate does
    /// not verify. `error` says what to do.
    Error,
}

/// What `GET /api/v1/relay` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RelayStatus {
    pub state: RelayState,
    /// The relay listener's base URL (when off: the one kept for next time, if any).
    pub url: Option<String>,
    /// Only this endpoint's captures are mirrored, when set.
    pub endpoint: Option<String>,
    /// Captures stored on the relay and not mirrored here yet, as far as known: counted down
    /// while catching up, 0 once online.
    pub behind: u64,
    /// The id of the last capture mirrored from this relay.
    pub last_id: Option<String>,
    /// What went wrong, in words a person can act on; while online, a note (captures that
    /// expired on the relay before they could be mirrored).
    pub error: Option<String>,
    /// RFC 3339: since when it is in this state.
    pub since: String,
    /// Captures that expired on the relay before they could be mirrored, since this
    /// subscription started.
    pub expired: u64,
}

impl RelayStatus {
    pub fn new(state: RelayState, url: Option<String>) -> RelayStatus {
        RelayStatus {
            state,
            url,
            endpoint: None,
            behind: 0,
            last_id: None,
            error: None,
            since: hooklens_store::format_us(hooklens_store::now_us()),
            expired: 0,
        }
    }

    /// Moves to `state` (and `since` with it, when it changes) saying `error`.
    pub(crate) fn enter(&mut self, state: RelayState, error: Option<String>) {
        if state != self.state {
            self.state = state;
            self.since = hooklens_store::format_us(hooklens_store::now_us());
        }
        self.error = error;
    }
}

/// What to subscribe to.
#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelaySpec {
    /// The relay listener's base URL: `http://HOST:PORT` on loopback or behind a proxy,
    /// `https://HOST[:PORT]` with TLS.
    pub url: String,
    /// A relay token, made on the relay with `hooklens relay token create NAME`. Write-only:
    /// never returned. Default: the one kept for this URL.
    #[serde(default, skip_serializing)]
    pub token: Option<String>,
    /// A PEM file with the certificate of the CA that signed the relay's certificate, when
    /// it is a private one. Default: the system's trusted CAs.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Mirror only this endpoint of the relay (`default` for captures outside any). Default:
    /// everything.
    #[serde(default)]
    pub endpoint: Option<String>,
}

impl std::fmt::Debug for RelaySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelaySpec")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// The subscription as a link: its watcher streams `relay.status`, stores down periods and
/// notifies when an online relay drops, stops or comes back.
impl Link for RelayStatus {
    const NAME: &'static str = "Relay";
    const PERIOD: hooklens_store::PeriodKind = hooklens_store::PeriodKind::RelayDown;
    const NOTIFICATION: hooklens_store::NotificationKind = hooklens_store::NotificationKind::Relay;

    fn phase(&self) -> Phase {
        match self.state {
            RelayState::Off => Phase::Off,
            RelayState::Connecting => Phase::Connecting,
            RelayState::CatchingUp | RelayState::Online => Phase::Up,
            RelayState::Reconnecting => Phase::Down,
            RelayState::Error => Phase::Failed,
        }
    }

    fn subject(&self) -> String {
        self.url.clone().unwrap_or_default()
    }

    fn error(&self) -> Option<String> {
        self.error.clone()
    }

    fn back(&self) -> String {
        match self.behind {
            0 => format!("mirroring {}", self.subject()),
            n => format!("catching up on {n} requests from {}", self.subject()),
        }
    }

    fn event(self) -> crate::Event {
        crate::Event::RelayStatus(Box::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::popup;

    #[test]
    fn a_relay_that_drops_stops_or_comes_back_notifies() {
        let status = |state, error: Option<&str>, behind| RelayStatus {
            error: error.map(String::from),
            behind,
            ..RelayStatus::new(state, Some("https://relay.example".into()))
        };
        let dropped = popup(
            Phase::Up,
            &status(RelayState::Reconnecting, Some("connection reset"), 0),
        )
        .expect("a drop notifies");
        assert_eq!(
            (dropped.title.as_str(), dropped.body.as_str()),
            ("Relay dropped", "connection reset; reconnecting")
        );
        assert_eq!(dropped.key, "https://relay.example");
        let back = popup(Phase::Down, &status(RelayState::CatchingUp, None, 12)).expect("a return");
        assert_eq!(
            (back.title.as_str(), back.body.as_str()),
            (
                "Relay back",
                "catching up on 12 requests from https://relay.example"
            )
        );
        let revoked = popup(Phase::Up, &status(RelayState::Error, Some("revoked"), 0));
        assert_eq!(revoked.map(|p| p.title), Some("Relay stopped".into()));
        assert!(popup(Phase::Up, &status(RelayState::Online, None, 0)).is_none());
        assert!(popup(Phase::Connecting, &status(RelayState::Error, None, 0)).is_none());

        let spec: RelaySpec =
            serde_json::from_str(r#"{"url":"https://r","token":"hlr_s3cret"}"#).expect("spec");
        assert!(
            !serde_json::to_string(&spec)
                .expect("json")
                .contains("s3cret")
        );
        assert!(!format!("{spec:?}").contains("s3cret"));
    }
}
