//! Relay tokens: 32 random bytes, shown once as `hlr_` and 64 hex digits, stored as their
//! SHA-256 only, compared in constant time. The relay keeps the active hashes in memory and
//! reads them again when the API changes one and every [`REFRESH`] — so a token revoked by
//! `hooklens relay token revoke` in another process stops its open streams within about a
//! second — and streams watch them to end when their token goes.

use std::sync::Arc;
use std::time::Duration;

use hooklens_store::{RelayToken, Store, StoreError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How often the relay reads its tokens again, for changes made by another process.
pub const REFRESH: Duration = Duration::from_secs(1);
/// What every token starts with, so a leaked one is recognisable (secret scanners).
pub const PREFIX: &str = "hlr_";

/// Why a token cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "a relay token's name is 1 to 64 letters, digits, `.`, `_` or `-` (e.g. alice-laptop), not {0:?}"
    )]
    BadName(String),
    #[error("no randomness for a relay token: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new secret and its hash.
pub fn generate() -> Result<(String, Vec<u8>), TokenError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    let secret = format!("{PREFIX}{}", hex::encode(bytes));
    let hash = hash(&secret);
    Ok((secret, hash))
}

/// The SHA-256 of a presented secret: what is stored and compared.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.trim().as_bytes()).to_vec()
}

/// Makes the token `name` in `store`: its stored row, and the secret, to show once.
pub async fn issue(store: &Store, name: &str) -> Result<(RelayToken, String), TokenError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        return Err(TokenError::BadName(name.to_string()));
    }
    let (secret, hash) = generate()?;
    let token = store.create_relay_token(name, hash).await?;
    Ok((token, secret))
}

/// The active tokens' names and hashes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Active(Vec<(String, Vec<u8>)>);

impl Active {
    fn of(tokens: &[RelayToken]) -> Active {
        Active(
            tokens
                .iter()
                .filter(|t| t.revoked_at_us.is_none())
                .map(|t| (t.name.clone(), t.hash.clone()))
                .collect(),
        )
    }

    /// The name of the active token whose secret is `secret`. Every hash is compared, each
    /// in constant time, so the time taken says nothing about which one came close.
    pub fn check(&self, secret: &str) -> Option<String> {
        let presented = hash(secret);
        let mut found = None;
        for (name, hash) in &self.0 {
            if bool::from(hash.as_slice().ct_eq(&presented)) {
                found = Some(name.clone());
            }
        }
        found
    }

    /// Whether the token `name` is still active.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

/// The relay's view of its tokens.
pub struct RelayTokens {
    store: Store,
    active: watch::Sender<Arc<Active>>,
}

impl RelayTokens {
    pub async fn load(store: Store) -> Result<RelayTokens, StoreError> {
        let active = Active::of(&store.relay_tokens().await?);
        Ok(RelayTokens {
            store,
            active: watch::Sender::new(Arc::new(active)),
        })
    }

    /// The active tokens now.
    pub fn active(&self) -> Arc<Active> {
        self.active.borrow().clone()
    }

    /// Changes whenever a token is made or revoked.
    pub fn watch(&self) -> watch::Receiver<Arc<Active>> {
        self.active.subscribe()
    }

    /// Reads the tokens again; tells the watchers when they changed.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let now = Active::of(&self.store.relay_tokens().await?);
        self.active.send_if_modified(|old| {
            let changed = **old != now;
            if changed {
                *old = Arc::new(now);
            }
            changed
        });
        Ok(())
    }

    /// Reads the tokens every [`REFRESH`] until `cancel`.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(REFRESH) => {}
            }
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "cannot read the relay tokens; keeping the ones known");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_secret_opens_only_its_active_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let (laptop, secret) = issue(&store, "laptop").await.expect("issue");
        assert!(secret.starts_with(PREFIX) && secret.len() == PREFIX.len() + 64);
        assert_eq!(laptop.hash, hash(&secret));
        assert_ne!(laptop.hash, secret.as_bytes(), "only the hash is kept");
        let (_, other) = issue(&store, "ci.runner_2").await.expect("issue");
        let tokens = RelayTokens::load(store.clone()).await.expect("load");
        let mut changes = tokens.watch();
        let active = tokens.active();
        assert_eq!(active.check(&secret).as_deref(), Some("laptop"));
        assert_eq!(active.check(&other).as_deref(), Some("ci.runner_2"));
        assert_eq!(active.check("hlr_0000").as_deref(), None);
        assert_eq!(active.check("").as_deref(), None);

        store.revoke_relay_token("laptop").await.expect("revoke");
        tokens.refresh().await.expect("refresh");
        assert!(changes.has_changed().expect("open"));
        let active = changes.borrow_and_update().clone();
        assert!(!active.has("laptop") && active.has("ci.runner_2"));
        assert_eq!(active.check(&secret), None, "revoked");
        tokens.refresh().await.expect("refresh");
        assert!(!changes.has_changed().expect("open"), "nothing changed");

        for bad in ["", "has space", "semi;colon", &"x".repeat(65)] {
            assert!(
                matches!(issue(&store, bad).await, Err(TokenError::BadName(_))),
                "{bad:?}"
            );
        }
        store.close().await.expect("close");
    }
}
