//! The relay's records: its tokens (on a relay) and how far each relay has been mirrored (on
//! a subscriber).

/// A relay token as stored: its name and the SHA-256 of the secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayToken {
    pub name: String,
    pub hash: Vec<u8>,
    pub created_at_us: i64,
    /// When it last opened a stream.
    pub last_used_us: Option<i64>,
    /// When it was revoked; a revoked token opens nothing.
    pub revoked_at_us: Option<i64>,
}

/// How far a relay's stream has been mirrored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayCursor {
    /// The relay's id (its `relay_id`), not its URL.
    pub relay: String,
    /// The relay's position of the last capture mirrored.
    pub position: i64,
    /// That capture's id.
    pub last_id: Option<String>,
    pub updated_at_us: i64,
}

/// What became of a mirrored capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirrored {
    /// Stored at this position of the local store.
    Stored(i64),
    /// A request with its id was stored already: nothing stored, the cursor moved.
    Duplicate,
}
