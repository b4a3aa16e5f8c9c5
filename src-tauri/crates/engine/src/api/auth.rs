//! The guard in front of the API: Host, Origin, token.

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;

use super::Access;
use super::ApiError;

/// Paths that need no token.
const PUBLIC: &[&str] = &["/api/v1/health", "/login", "/favicon.svg"];

pub(super) async fn guard(State(access): State<Arc<Access>>, req: Request, next: Next) -> Response {
    if let Err(e) = check_host_and_origin(&access, &req) {
        return before_the_body(&req, e.into_response());
    }
    let path = req.uri().path();
    let public = PUBLIC.contains(&path) || (path == "/metrics" && access.metrics_without_token);
    if !public && !has_token(&access, req.headers()) {
        let refusal = if path.starts_with("/api/") || path == "/metrics" || path.starts_with("/mcp")
        {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing or wrong API token: send `Authorization: Bearer <token>`, or open the \
                 login link that `hooklens serve` printed",
            )
            .into_response()
        } else {
            (StatusCode::UNAUTHORIZED, Html(LOGIN_NEEDED)).into_response()
        };
        return before_the_body(&req, refusal);
    }
    let mut response = next.run(req).await;
    secure_headers(response.headers_mut());
    response
}

/// A refusal sent before the request's body was read: the server then closes the connection
/// (the unread body is still on it), so over HTTP/1 the answer says so, and a client that
/// keeps connections alive does not send its next request down one that is closing.
fn before_the_body(req: &Request, mut refusal: Response) -> Response {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0");
    if has_body && req.version() < http::Version::HTTP_2 {
        refusal
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    refusal
}

const LOGIN_NEEDED: &str = "<!doctype html><meta charset=utf-8><title>Hooklens</title>\
    <p>Open the login link that <code>hooklens serve</code> printed (it ends in \
    <code>/login?token=…</code>). The token is kept in the data directory, in the file \
    <code>api-token</code>.</p>";

fn secure_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name, value| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::CACHE_CONTROL, "no-store");
}

/// Host must name this listener by loopback name or address; Origin, when sent, must be this
/// listener (or a configured extra origin); a browser's cross-site fetch is refused.
fn check_host_and_origin(access: &Access, req: &Request) -> Result<(), ApiError> {
    let port = access.api.port();
    let allowed_host = |host: &str| {
        let host = host.to_ascii_lowercase();
        [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            access.api.to_string(),
        ]
        .contains(&host)
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    match host {
        Some(host) if allowed_host(&host) => {}
        _ => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "the Host header must be 127.0.0.1:{port} or localhost:{port}: the control \
                     API only answers on loopback"
                ),
            ));
        }
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let own = origin.strip_prefix("http://").is_some_and(allowed_host);
        if !own && !access.extra_origins.iter().any(|o| o == origin) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "requests from other web origins are refused",
            ));
        }
    } else if req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "requests from other web sites are refused",
        ));
    }
    Ok(())
}

fn cookie_name(access: &Access) -> String {
    // Cookies are shared across ports; name them by port so two instances don't collide.
    format!("hooklens_{}", access.api.port())
}

fn has_token(access: &Access, headers: &HeaderMap) -> bool {
    let token = access.token.as_bytes();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if bearer.is_some_and(|b| same(b.as_bytes(), token)) {
        return true;
    }
    let name = cookie_name(access);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| k == name && same(v.as_bytes(), token))
}

/// Constant-time comparison, so response timing does not reveal the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    token: Option<String>,
    /// A page of the inspector to go to once logged in (the desktop window opens a request
    /// this way, so a click that comes before the first login finished still lands logged in).
    next: Option<String>,
}

/// `GET /login?token=…[&next=/path]`: sets an HttpOnly, SameSite=Strict cookie and goes to
/// `next`, or `/`.
pub(super) async fn login(
    State(access): State<Arc<Access>>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    if !same(token.as_bytes(), access.token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            Html(
                "<!doctype html><meta charset=utf-8><title>Hooklens</title>\
                 <p>This login link is not valid: the token may have changed. Use the link \
                 that <code>hooklens serve</code> printed last.</p>",
            ),
        )
            .into_response();
    }
    let cookie = format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000",
        cookie_name(&access)
    );
    let mut response = Redirect::to(local_path(q.next.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `next` when it is a path on this server, else `/`: a login link must not send anyone to
/// another site (`//host`, `/\\host` and absolute URLs are refused).
fn local_path(next: Option<&str>) -> &str {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(char::is_control)
    })
    .unwrap_or("/")
}

#[cfg(test)]
mod tests {
    use super::{local_path, same};

    #[test]
    fn login_goes_only_to_local_paths() {
        let cases = [
            (None, "/"),
            (Some("/requests/01ABC"), "/requests/01ABC"),
            (Some("/requests?q=x"), "/requests?q=x"),
            (Some("//evil.example/"), "/"),
            (Some("/\\evil.example/"), "/"),
            (Some("https://evil.example/"), "/"),
            (Some("requests"), "/"),
            (Some("/a\nb"), "/"),
        ];
        for (next, want) in cases {
            assert_eq!(local_path(next), want, "{next:?}");
        }
    }

    #[test]
    fn same_compares_whole_values() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }
}
