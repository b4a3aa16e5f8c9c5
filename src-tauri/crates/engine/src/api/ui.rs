//! The web inspector's files, embedded at build time from `ui/dist` (see `build.rs`).
//!
//! Hashed assets (`/assets/…`) never change under a name, so browsers may keep them for a
//! year; `index.html` is never cached, so a new build shows at the next load. Any other
//! page path (`/requests/01…`, `/rules`) is a client route: it gets `index.html` and the UI's
//! router takes over. `/api/…` never falls back to the page.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, Method, header};

use super::Access;
use super::ApiError;

include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));

/// A file of the bundle by its URL path.
fn file(path: &str) -> Option<&'static [u8]> {
    UI_FILES
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|i| UI_FILES[i].1)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json" | "map") => "application/json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves a bundle file, or `index.html` for a client route; `/api/…` and unknown assets are
/// a JSON 404.
pub(super) async fn serve(State(access): State<Arc<Access>>, req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return ApiError::not_found("no such page or API route").into_response();
    }
    if let Some(bytes) = file(path) {
        let mut response = ([(header::CONTENT_TYPE, content_type(path))], bytes).into_response();
        if path.starts_with("/assets/") {
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            );
        }
        return response;
    }
    // A missing hashed asset is an old page asking for a file a new build replaced.
    if path.starts_with("/assets/") {
        return ApiError::not_found("no such file in the inspector's bundle: reload the page")
            .into_response();
    }
    match file("/index.html") {
        Some(index) => Html(index).into_response(),
        None => not_built(&access),
    }
}

/// The page shown when the binary was built without the UI bundle.
fn not_built(access: &Access) -> Response {
    let receiver = format!("http://{}", access.receiver);
    Html(format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Hooklens</title>\
         <link rel=icon href=/favicon.svg>\
         <h1>Hooklens</h1>\
         <p><strong>The inspector UI was not built into this binary.</strong> Build it with \
         <code>make ui-build</code> (needs Node.js 20.19 or newer and npm), then build Hooklens again \
         (<code>make run</code> does both). The API works without it.</p>\
         <p>Send webhooks to <code>{receiver}/</code>, for example:</p>\
         <pre>curl -X POST {receiver}/hello -H 'content-type: application/json' -d '{{\"hello\":\"world\"}}'</pre>\
         <p>Captured requests: <a href=/api/v1/requests>/api/v1/requests</a> · \
         live: <a href=/api/v1/events>/api/v1/events</a> · \
         API description: <a href=/api/v1/openapi.json>/api/v1/openapi.json</a></p></html>"
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::{UI_FILES, content_type};

    #[test]
    fn files_are_sorted_for_lookup() {
        assert!(UI_FILES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type("/assets/index-abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("/assets/index-abc.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("/blob"), "application/octet-stream");
    }
}
