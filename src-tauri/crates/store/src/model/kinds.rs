//! Closed sets of values that the API sends and the database keeps as words. Each is an enum
//! written as the same `snake_case` word on the wire (serde) and in its column (rusqlite on
//! SQLite, tokio-postgres on PostgreSQL, both `text`), so the three cannot drift apart and the
//! generated TypeScript gets a union, not a `string`.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares an enum stored as text: its words, `as_str`, `parse`, and the rusqlite,
/// tokio-postgres and serde conversions (a test checks the serde word is the stored one).
macro_rules! stored_as_text {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &[$name] = &[$($name::$variant,)+];

            /// The word on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value named by `word`, if any.
            pub fn parse(word: &str) -> Option<$name> {
                match word {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let word = value.as_str()?;
                $name::parse(word).ok_or_else(|| {
                    FromSqlError::Other(
                        format!("unknown {} {word:?}", stringify!($name)).into(),
                    )
                })
            }
        }

        impl<'a> tokio_postgres::types::FromSql<'a> for $name {
            fn from_sql(
                ty: &tokio_postgres::types::Type,
                raw: &'a [u8],
            ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                let word = <&str as tokio_postgres::types::FromSql>::from_sql(ty, raw)?;
                $name::parse(word)
                    .ok_or_else(|| format!("unknown {} {word:?}", stringify!($name)).into())
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }

        impl tokio_postgres::types::ToSql for $name {
            fn to_sql(
                &self,
                ty: &tokio_postgres::types::Type,
                out: &mut bytes::BytesMut,
            ) -> std::result::Result<
                tokio_postgres::types::IsNull,
                Box<dyn std::error::Error + Sync + Send>,
            > {
                <&str as tokio_postgres::types::ToSql>::to_sql(&self.as_str(), ty, out)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::ToSql>::accepts(ty)
            }

            tokio_postgres::types::to_sql_checked!();
        }
    };
}

stored_as_text! {
    /// Whether a request's signature checks out.
    pub enum SignatureStatus {
        /// A configured secret signed exactly these bytes, within the tolerance.
        Valid => "valid",
        /// There is a signature, and it does not check out (or the body did not arrive whole).
        Invalid => "invalid",
        /// The endpoint expects a signature and the request carries none.
        Missing => "missing",
        /// The endpoint has no signature check.
        Unconfigured => "unconfigured",
    }
}

stored_as_text! {
    /// Why a delivery attempt got no answer (or was not sent).
    pub enum AttemptErrorKind {
        /// Nothing listens at the target: connection refused.
        Refused => "refused",
        /// The target's host name does not resolve.
        Dns => "dns",
        /// No answer within the attempt's timeout.
        Timeout => "timeout",
        /// The TLS handshake failed.
        Tls => "tls",
        /// The connection was reset or closed mid-answer.
        Reset => "reset",
        /// The target resolves off loopback and remote targets are not allowed (SSRF guard).
        Blocked => "blocked",
        /// The delivery cannot be built (a bad URL, an edited header that is not valid).
        Invalid => "invalid",
        /// Anything else.
        Other => "other",
    }
}

stored_as_text! {
    /// What raised a notification.
    pub enum NotificationKind {
        /// A rule's `notify` action.
        Rule => "rule",
        /// A delivery failed (first failure, or retries exhausted, as the settings say).
        DeliveryFailed => "delivery_failed",
        /// A forward target went down.
        TargetDown => "target_down",
        /// A forward target answers again.
        TargetUp => "target_up",
        /// A request's signature did not check out.
        SignatureInvalid => "signature_invalid",
        /// The tunnel dropped or came back.
        Tunnel => "tunnel",
        /// The relay subscription dropped or came back, or captures expired on the relay
        /// before they could be mirrored.
        Relay => "relay",
        /// The desktop app could not start (shown, never recorded: there is no engine).
        Startup => "startup",
    }
}

stored_as_text! {
    /// What a down period is about.
    pub enum PeriodKind {
        /// A forward target was down (its breaker open).
        TargetDown => "target_down",
        /// The tunnel was reconnecting or failing.
        TunnelDown => "tunnel_down",
        /// The relay subscription was reconnecting or failing.
        RelayDown => "relay_down",
    }
}

stored_as_text! {
    /// How a request reached Hooklens.
    pub enum Via {
        /// Straight to the receiver's listener.
        Direct => "direct",
        /// Through the public tunnel's ingress listener.
        Tunnel => "tunnel",
        /// Mirrored from a relay's stream; it keeps the relay's id and receive time.
        Relay => "relay",
        /// From a file (`hooklens import`, or one dropped on the window).
        Import => "import",
    }
}

stored_as_text! {
    /// A provider whose verification handshake Hooklens answers.
    pub enum HandshakeProvider {
        /// Slack's Events API `url_verification`: the `challenge` echoed.
        Slack => "slack",
        /// Meta's (WhatsApp, Instagram, Messenger) `hub.mode=subscribe` GET: `hub.challenge`
        /// echoed when `hub.verify_token` is the endpoint's.
        Meta => "meta",
        /// Zoom's `endpoint.url_validation`: the `plainToken` and its HMAC.
        Zoom => "zoom",
        /// X's CRC GET: `response_token`, the HMAC of `crc_token`.
        X => "x",
        /// Microsoft Graph's `validationToken`, echoed.
        Msgraph => "msgraph",
        /// Dropbox's `challenge` GET, echoed.
        Dropbox => "dropbox",
        /// Twitch EventSub's `webhook_callback_verification`: the `challenge` echoed.
        Twitch => "twitch",
        /// Discord's interactions PING: `{"type":1}`, only when its signature verifies.
        Discord => "discord",
    }
}

impl Via {
    /// The column's value: NULL for [`Via::Direct`], as in the rows written before the
    /// tunnel existed, the word otherwise.
    pub(crate) fn stored(self) -> Option<Via> {
        (self != Via::Direct).then_some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_words<T: Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
        for &value in all {
            let wire = serde_json::to_value(value).expect("serialises");
            assert_eq!(wire, as_str(value), "the wire word is the stored word");
        }
    }

    #[test]
    fn wire_and_stored_words_agree() {
        serde_words(SignatureStatus::ALL, SignatureStatus::as_str);
        serde_words(AttemptErrorKind::ALL, AttemptErrorKind::as_str);
        serde_words(NotificationKind::ALL, NotificationKind::as_str);
        serde_words(PeriodKind::ALL, PeriodKind::as_str);
        serde_words(Via::ALL, Via::as_str);
        serde_words(HandshakeProvider::ALL, HandshakeProvider::as_str);
        for &kind in AttemptErrorKind::ALL {
            assert_eq!(AttemptErrorKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SignatureStatus::parse("bogus"), None);
    }

    #[test]
    fn columns_round_trip_and_refuse_unknown_words() {
        let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
        for &kind in NotificationKind::ALL {
            let back: NotificationKind = conn
                .query_row("SELECT ?1", [kind], |r| r.get(0))
                .expect("round trip");
            assert_eq!(back, kind);
        }
        let unknown = conn.query_row("SELECT 'carrier_pigeon'", [], |r| r.get::<_, PeriodKind>(0));
        assert!(unknown.is_err(), "{unknown:?}");
        assert_eq!(Via::Direct.stored(), None);
        assert_eq!(Via::Tunnel.stored(), Some(Via::Tunnel));
        assert_eq!(Via::Relay.stored(), Some(Via::Relay));
    }
}
