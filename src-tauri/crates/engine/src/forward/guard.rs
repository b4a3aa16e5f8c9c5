//! The guard that keeps forwarding on loopback unless remote targets are allowed: a webhook
//! sender must not be able to make Hooklens call into your network.
//!
//! One rule, checked twice. When a target is asked for (a replay, an endpoint's, a rule's or
//! the window's forward targets) [`Guard::admit`] refuses it at once, so the API answers 400
//! instead of queueing a delivery that can only fail. And the HTTP client resolves every name
//! through the guard, so a name whose DNS changes later cannot point a delivery elsewhere:
//! that attempt fails as `blocked` (and is not retried until the setting changes).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use reqwest::Url;

/// Turns a host name into addresses. The system's resolver in production; tests give a
/// fixed table ([`FixedResolver`]) so that names can resolve to documentation addresses.
pub trait Resolver: Send + Sync + 'static {
    fn lookup(&self, host: &str) -> BoxFuture<'static, io::Result<Vec<IpAddr>>>;
}

/// The operating system's resolver.
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn lookup(&self, host: &str) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> {
        let host = host.to_string();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// Names from a table that can change while the engine runs (DNS that moves a name).
/// A name not in the table does not resolve.
#[derive(Default)]
pub struct FixedResolver {
    names: Mutex<HashMap<String, Vec<IpAddr>>>,
}

impl FixedResolver {
    /// Makes `name` resolve to `addrs` from now on.
    pub fn set(&self, name: &str, addrs: &[IpAddr]) {
        self.names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(name.to_ascii_lowercase(), addrs.to_vec());
    }
}

impl Resolver for FixedResolver {
    fn lookup(&self, host: &str) -> BoxFuture<'static, io::Result<Vec<IpAddr>>> {
        let found = self
            .names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&host.to_ascii_lowercase())
            .cloned();
        let host = host.to_string();
        Box::pin(async move {
            found.ok_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, format!("{host}: no such host"))
            })
        })
    }
}

/// Refuses non-loopback destinations unless remote targets are allowed.
#[derive(Clone)]
pub struct Guard {
    allow_remote: Arc<AtomicBool>,
    resolver: Arc<dyn Resolver>,
}

/// Raised when the guard refuses a destination.
#[derive(Debug, thiserror::Error)]
#[error(
    "{host} is not a loopback address ({addrs}); turn on the setting allow_remote_targets to forward there"
)]
pub struct Blocked {
    pub host: String,
    pub addrs: String,
}

impl Guard {
    pub fn new(resolver: Arc<dyn Resolver>, allow_remote: bool) -> Guard {
        Guard {
            allow_remote: Arc::new(AtomicBool::new(allow_remote)),
            resolver,
        }
    }

    pub fn set_allow_remote(&self, allow: bool) {
        self.allow_remote.store(allow, Ordering::Relaxed);
    }

    pub fn allows_remote(&self) -> bool {
        self.allow_remote.load(Ordering::Relaxed)
    }

    /// Checks a URL whose host is an IP literal (names are checked when resolved).
    pub fn check_url(&self, url: &Url) -> Result<(), Blocked> {
        check_literal(url, self.allows_remote())
    }

    /// Whether a target may be asked for now: its literal address, or what its name resolves
    /// to, must include a loopback address (connections then use only those). A name that
    /// does not resolve passes: its attempts will say so, and it may resolve later. URLs
    /// that do not parse pass too; mapping them says what is wrong.
    pub async fn admit(&self, url: &str) -> Result<(), Blocked> {
        self.admit_with(url, self.allows_remote()).await
    }

    /// [`Guard::admit`] as if `allow_remote_targets` were `allow_remote` (a settings change
    /// is checked against the settings it makes).
    pub async fn admit_with(&self, url: &str, allow_remote: bool) -> Result<(), Blocked> {
        if allow_remote {
            return Ok(());
        }
        let Ok(url) = Url::parse(url.trim()) else {
            return Ok(());
        };
        check_literal(&url, false)?;
        let Some(url::Host::Domain(name)) = url.host() else {
            return Ok(());
        };
        match self.resolver.lookup(name).await {
            Ok(addrs) if !addrs.is_empty() && !addrs.iter().any(IpAddr::is_loopback) => {
                Err(Blocked {
                    host: name.to_string(),
                    addrs: join(&addrs),
                })
            }
            _ => Ok(()),
        }
    }
}

fn check_literal(url: &Url, allow_remote: bool) -> Result<(), Blocked> {
    match literal(url) {
        Some(ip) if !allow_remote && !ip.is_loopback() => Err(Blocked {
            host: ip.to_string(),
            addrs: ip.to_string(),
        }),
        _ => Ok(()),
    }
}

fn literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

fn join(addrs: &[IpAddr]) -> String {
    addrs
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_remote = self.allows_remote();
        let host = name.as_str().to_string();
        let lookup = self.resolver.lookup(&host);
        Box::pin(async move {
            let addrs = lookup.await?;
            let keep: Vec<SocketAddr> = addrs
                .iter()
                .filter(|ip| allow_remote || ip.is_loopback())
                .map(|ip| SocketAddr::new(*ip, 0))
                .collect();
            if keep.is_empty() && !allow_remote {
                return Err(Box::new(Blocked {
                    host,
                    addrs: join(&addrs),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(keep.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> Arc<FixedResolver> {
        let names = Arc::new(FixedResolver::default());
        names.set("local.test", &["127.0.0.1".parse().expect("ip")]);
        names.set(
            "both.test",
            &["192.0.2.7".parse().expect("ip"), "::1".parse().expect("ip")],
        );
        names.set(
            "remote.test",
            &[
                "192.0.2.8".parse().expect("ip"),
                "2001:db8::8".parse().expect("ip"),
            ],
        );
        names
    }

    #[test]
    fn literal_addresses_are_checked() {
        let guard = Guard::new(Arc::new(SystemResolver), false);
        let ok = |u: &str| guard.check_url(&Url::parse(u).expect("url")).is_ok();
        assert!(ok("http://127.0.0.1:3000/"));
        assert!(ok("http://127.8.9.10/"));
        assert!(ok("http://[::1]:3000/"));
        assert!(
            ok("http://localhost:3000/"),
            "names are checked when resolved"
        );
        assert!(!ok("http://192.0.2.1/"));
        assert!(!ok("http://169.254.169.254/latest/meta-data"));
        assert!(!ok("http://[::ffff:192.0.2.1]/"));
        assert!(!ok("http://[2001:db8::1]/"));
        guard.set_allow_remote(true);
        assert!(ok("http://192.0.2.1/"));
    }

    #[tokio::test]
    async fn targets_asked_for_must_reach_loopback() {
        let guard = Guard::new(fixed(), false);
        // (URL, admitted while remote targets are off)
        let cases = [
            ("http://127.0.0.1:3000/hooks", true),
            ("http://[::1]:3000", true),
            ("http://local.test:3000", true),
            ("http://both.test:3000", true),
            ("http://unknown.test:3000", true),
            ("not a url", true),
            ("http://192.0.2.1:3000", false),
            ("https://[2001:db8::1]/", false),
            ("http://remote.test:3000", false),
        ];
        for (url, admitted) in cases {
            let got = guard.admit(url).await;
            assert_eq!(got.is_ok(), admitted, "{url}: {got:?}");
            if let Err(blocked) = got {
                assert!(blocked.to_string().contains("allow_remote_targets"));
            }
        }
        let blocked = guard
            .admit("http://remote.test:3000")
            .await
            .expect_err("remote");
        assert_eq!(blocked.addrs, "192.0.2.8, 2001:db8::8");
        guard.set_allow_remote(true);
        for (url, _) in cases {
            assert!(guard.admit(url).await.is_ok(), "{url}");
        }
    }

    #[tokio::test]
    async fn connections_use_only_loopback_addresses() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;
        let names = fixed();
        let guard = Guard::new(names.clone(), false);
        let resolve = |name: &str| guard.resolve(reqwest::dns::Name::from_str(name).expect("name"));
        let both: Vec<SocketAddr> = resolve("both.test").await.expect("resolves").collect();
        assert_eq!(both, [SocketAddr::from(([0u16, 0, 0, 0, 0, 0, 0, 1], 0))]);
        assert!(resolve("remote.test").await.is_err());
        // DNS changes after the target was admitted: the connection is refused.
        names.set("local.test", &["192.0.2.9".parse().expect("ip")]);
        let err = resolve("local.test").await.err().expect("blocked");
        assert!(err.to_string().contains("allow_remote_targets"), "{err}");
        let system = Guard::new(Arc::new(SystemResolver), false);
        let local = system
            .resolve(reqwest::dns::Name::from_str("localhost").expect("name"))
            .await
            .expect("localhost resolves");
        assert!(local.into_iter().all(|a| a.ip().is_loopback()));
    }
}
