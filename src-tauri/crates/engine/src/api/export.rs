//! `/api/v1/export`: the filtered requests as a HAR or NDJSON download.

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use hooklens_store::Store;
use http::{HeaderValue, header};
use serde::Deserialize;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::extract::QueryParams;
use super::types::{ErrorBody, RequestQuery};
use super::{ApiError, ApiResult};
use crate::export::{Format, export as write_export};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(export))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `har` (HAR 1.2) or `ndjson` (one request JSON per line, with body).
    format: String,
}

/// Streams every request matching the filters, oldest first, as a download.
#[utoipa::path(get, path = "/api/v1/export", params(ExportQuery, RequestQuery),
    responses((status = 200, description = "the export file"), (status = 400, body = ErrorBody)))]
async fn export(
    State(store): State<Store>,
    QueryParams(format): QueryParams<ExportQuery>,
    QueryParams(query): QueryParams<RequestQuery>,
) -> ApiResult<Response> {
    let format = Format::parse(&format.format)
        .ok_or_else(|| ApiError::invalid("format must be `har` or `ndjson`"))?;
    let filter = query.to_filter()?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let store = store;
    tokio::task::spawn_blocking(move || {
        let errors = tx.clone();
        if let Err(e) = write_export(&store, &filter, format, ChannelWriter(tx)) {
            tracing::warn!(error = %e, "export stopped");
            let _ = errors.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let name = format!(
        "attachment; filename=\"hooklens-{}.{}\"",
        hooklens_store::now_us() / 1_000_000,
        format.extension()
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Feeds the export, which runs on a blocking thread, into the response body.
struct ChannelWriter(tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
