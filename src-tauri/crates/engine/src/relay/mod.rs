//! The relay: one Hooklens on a public host stores every webhook and streams it to each
//! subscribed Hooklens (desktop, `serve`, `listen`), which mirrors it into its own store —
//! so nothing is missed while a laptop sleeps, and a team shares one URL.
//!
//! - The relay side is a third listener of its own ([`publish`], `--relay-listen`): the
//!   ordered stream of captures after a cursor, to holders of a relay token ([`tokens`]:
//!   hashed, revocable; failed attempts limited per peer by [`limit`]), never the control
//!   API or the inspector. TLS through `crate::tls`, or a reverse proxy.
//! - The framing ([`wire`]) is binary-safe: bodies and header values as their exact bytes.
//! - The subscriber side ([`subscription`] starts and stops it, [`subscribe`] runs it) hands
//!   each capture to the capture pipeline as one more source, `via: relay`, keeping the
//!   relay's id and receive time; the pipeline stores it with the relay's cursor in one
//!   transaction, skipping an id already stored, so each capture is mirrored exactly once
//!   and a restart resumes after the last one. Its status ([`status`]) is a link like the
//!   tunnel's (`crate::link`): live events, down periods, drop and return notifications.

pub mod limit;
pub(crate) mod publish;
pub(crate) mod status;
pub(crate) mod subscribe;
pub(crate) mod subscription;
pub mod tokens;
pub mod wire;

pub use status::{RelaySpec, RelayState, RelayStatus};
pub use subscription::{RelayError, Relays};
