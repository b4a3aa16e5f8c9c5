//! From a `postgres://` URL to a pool, and the errors a person starting Hooklens can act on.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::tls;
use crate::{Result, StoreError};

/// Connections per instance: captures commit concurrently, one connection each.
const POOL_SIZE: usize = 16;
/// A statement running longer is cancelled by the server (unless the URL's `options` set
/// another `statement_timeout`): no query may hold a connection, or locks, indefinitely.
const STATEMENT_TIMEOUT_MS: u64 = 30_000;
/// Giving up on connecting, and on waiting for a free pooled connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A database to connect to.
#[derive(Clone)]
pub(crate) struct Target {
    pub config: Config,
    /// TLS as the URL's `sslmode` and `sslrootcert` ask (see `tls`).
    pub tls: MakeRustlsConnect,
    /// `HOST:PORT/DB`, for messages (the password is never shown).
    pub database: String,
}

impl Target {
    pub(crate) fn parse(url: &str) -> Result<Target> {
        let shown = redact(url);
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::DatabaseUrl(
                shown,
                "it must start with postgres://".into(),
            ));
        }
        let (url, tls) = tls::split(url).map_err(|e| StoreError::DatabaseUrl(shown.clone(), e))?;
        let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
            StoreError::DatabaseUrl(shown.clone(), e.to_string())
        })?;
        config.ssl_mode(tls.mode);
        let connector = tls
            .connector()
            .map_err(|e| StoreError::DatabaseUrl(shown, e))?;
        // A later `-c` wins, so the URL's own options come after the default.
        let options = format!(
            "-c statement_timeout={STATEMENT_TIMEOUT_MS} {}",
            config.get_options().unwrap_or_default()
        );
        config.options(options.trim_end());
        if config.get_application_name().is_none() {
            config.application_name("hooklens");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            Some(Host::Unix(dir)) => dir.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = format!(
            "{host}:{port}/{}",
            config
                .get_dbname()
                .or(config.get_user())
                .unwrap_or("postgres")
        );
        Ok(Target {
            config,
            tls: connector,
            database,
        })
    }

    pub(crate) fn pool(&self) -> Result<Pool> {
        let manager = Manager::from_config(
            self.config.clone(),
            self.tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Closed(format!("cannot build the connection pool: {e}")))
    }

    /// A connection of its own, outside the pool, and the task that drives it; the
    /// connection's messages (notifications) go to `on_message`.
    pub(crate) async fn connect(
        &self,
        on_message: impl FnMut(tokio_postgres::AsyncMessage) + Send + 'static,
    ) -> Result<(Client, tokio::task::JoinHandle<()>)> {
        let (client, mut connection) = self
            .config
            .connect(self.tls.clone())
            .await
            .map_err(|e| self.connect_error(e))?;
        let mut on_message = on_message;
        let driver = tokio::spawn(async move {
            use futures_util::StreamExt;
            let mut messages = futures_util::stream::poll_fn(|cx| connection.poll_message(cx));
            while let Some(Ok(message)) = messages.next().await {
                on_message(message);
            }
        });
        Ok((client, driver))
    }

    /// Why the first connection failed, in words that say what to do.
    pub(crate) fn open_error(&self, e: PoolError) -> StoreError {
        match e {
            PoolError::Backend(e) => self.connect_error(e),
            PoolError::Timeout(_) => StoreError::Unreachable {
                server: self.database.clone(),
                reason: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            },
            other => StoreError::Closed(other.to_string()),
        }
    }

    fn connect_error(&self, e: tokio_postgres::Error) -> StoreError {
        let server = self.database.clone();
        let reason = crate::error::pg_reason(&e);
        match e.code() {
            Some(&SqlState::INVALID_PASSWORD)
            | Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION) => {
                StoreError::AuthFailed { server, reason }
            }
            Some(&SqlState::INVALID_CATALOG_NAME) => StoreError::Unreachable {
                server,
                reason: format!("{reason} (create it first, e.g. with createdb)"),
            },
            _ if reason.contains("password missing") => StoreError::AuthFailed { server, reason },
            // tokio-postgres says so only in words: "error performing TLS handshake: …",
            // "server does not support TLS".
            _ if reason.contains("TLS") => StoreError::Tls { server, reason },
            _ => StoreError::Unreachable { server, reason },
        }
    }
}

/// `url` with its password replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_table() {
        let cases = [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgres://u:p@ss@h/db?x=1", "postgres://u:***@h/db?x=1"),
            ("postgres://h/db", "postgres://h/db"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want, "{url}");
        }
    }

    #[test]
    fn a_url_that_is_not_postgres_is_refused_without_its_password() {
        for url in ["mysql://u:secret@h/db", "postgres://u:secret@h:notaport/db"] {
            let err = Target::parse(url).err().expect("refused").to_string();
            assert!(!err.contains("secret"), "{err}");
            assert!(err.contains("postgres://"), "{err}");
        }
    }

    #[test]
    fn the_statement_timeout_is_set_unless_the_url_sets_one() {
        let target = Target::parse("postgres://u@h:5433/db").expect("parse");
        assert_eq!(
            target.config.get_options(),
            Some("-c statement_timeout=30000")
        );
        assert_eq!(target.database, "h:5433/db");
        let target = Target::parse("postgres://u@h/db?options=-c%20statement_timeout%3D5000")
            .expect("parse");
        assert_eq!(
            target.config.get_options(),
            Some("-c statement_timeout=30000 -c statement_timeout=5000")
        );
    }
}
