//! Where a delivery goes: the target URL mapping (the guard that keeps it on loopback is
//! `guard.rs`).

use hooklens_store::{ForwardTarget, PathMode};
use reqwest::Url;

/// The URL a captured request goes to: with `keep`, the target URL plus the captured path
/// after the endpoint's prefix; with `fixed`, the target URL. The captured raw query is
/// appended in both cases (after the target's own query, if it has one).
pub fn map_url(
    target: &ForwardTarget,
    prefix: Option<&str>,
    path: &str,
    query: Option<&str>,
) -> Result<String, BadTarget> {
    let base = Url::parse(target.url.trim()).map_err(|source| BadTarget::Parse {
        url: target.url.clone(),
        source,
    })?;
    if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
        return Err(BadTarget::NotHttp(target.url.clone()));
    }
    let mut out = format!("{}://{}", base.scheme(), authority(&base));
    let base_path = base.path().trim_end_matches('/');
    out.push_str(base_path);
    let rest = match target.path {
        PathMode::Keep => prefix.and_then(|p| path.strip_prefix(p)).unwrap_or(path),
        PathMode::Fixed => "",
    };
    if rest.len() > 1 {
        out.push_str(rest);
    } else if base_path.is_empty() {
        out.push('/');
    }
    let queries: Vec<&str> = [base.query(), query]
        .into_iter()
        .flatten()
        .filter(|q| !q.is_empty())
        .collect();
    if !queries.is_empty() {
        out.push('?');
        out.push_str(&queries.join("&"));
    }
    Ok(out)
}

fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// A forward target the forwarder cannot send to.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadTarget {
    #[error("forward target {url:?} is not a usable URL: {source}")]
    Parse {
        url: String,
        source: url::ParseError,
    },
    #[error("forward target {0:?} is not a usable URL: use http:// or https:// and a host")]
    NotHttp(String),
}

/// `scheme://host:port` of a URL: the unit the breaker and concurrency limits work on.
pub fn origin(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => format!("{}://{}", u.scheme(), authority(&u)),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, path: PathMode) -> ForwardTarget {
        ForwardTarget {
            url: url.into(),
            path,
            headers: Vec::new(),
            resign: None,
        }
    }

    #[test]
    fn map_url_table() {
        use PathMode::{Fixed, Keep};
        // (target URL, path mode, endpoint prefix, captured path, captured query, want)
        type Case<'a> = (
            &'a str,
            PathMode,
            Option<&'a str>,
            &'a str,
            Option<&'a str>,
            &'a str,
        );
        let cases: &[Case] = &[
            (
                "http://localhost:3000",
                Keep,
                None,
                "/hooks/a",
                Some("x=1"),
                "http://localhost:3000/hooks/a?x=1",
            ),
            (
                "http://localhost:3000/",
                Keep,
                None,
                "/",
                None,
                "http://localhost:3000/",
            ),
            (
                "http://localhost:3000/api/",
                Keep,
                Some("/stripe"),
                "/stripe/events",
                None,
                "http://localhost:3000/api/events",
            ),
            (
                "http://localhost:3000/api",
                Keep,
                Some("/stripe"),
                "/stripe",
                None,
                "http://localhost:3000/api",
            ),
            (
                "http://localhost:3000/wh",
                Fixed,
                Some("/stripe"),
                "/stripe/x",
                Some("a=b"),
                "http://localhost:3000/wh?a=b",
            ),
            (
                "http://localhost:3000/wh?k=1",
                Fixed,
                None,
                "/x",
                Some("a=b"),
                "http://localhost:3000/wh?k=1&a=b",
            ),
            (
                "https://127.0.0.1:8443",
                Fixed,
                None,
                "/x",
                None,
                "https://127.0.0.1:8443/",
            ),
            (
                "http://[::1]:9000/p",
                Keep,
                None,
                "/%F0%9F%98%80",
                None,
                "http://[::1]:9000/p/%F0%9F%98%80",
            ),
        ];
        for (url, mode, prefix, path, query, want) in cases {
            assert_eq!(
                map_url(&target(url, *mode), *prefix, path, *query).as_deref(),
                Ok(*want),
                "{url} {path}"
            );
        }
        assert!(map_url(&target("ftp://x", Keep), None, "/", None).is_err());
        assert!(map_url(&target("not a url", Keep), None, "/", None).is_err());
    }
}
