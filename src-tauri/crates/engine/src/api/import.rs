//! `/api/v1/import`: captures from a file (HAR or NDJSON) brought back in through the capture
//! pipeline — what `hooklens import` sends to a running Hooklens, and what dropping a file on
//! the window does.

use std::sync::Arc;

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::QueryParams;
use super::types::ErrorBody;
use super::{Api, ApiError, ApiResult};
use crate::capture::Pipeline;
use crate::capture::import::ImportReport;
use crate::import::{self, Format};

/// Largest file an import takes through the API.
pub const MAX_IMPORT_BYTES: usize = 512 << 20;

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(import_file))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// `har` or `ndjson`; default: told from the content.
    format: Option<String>,
    /// Forward the imported requests as if they had just arrived (default false).
    #[serde(default)]
    forward: bool,
}

/// Stores the requests of a HAR or NDJSON file (the body, at most 512 MiB) through the
/// capture pipeline: each keeps its id (when the file has one), time and bytes; one whose id
/// is stored already is skipped. A malformed file is refused (400) naming its line (NDJSON)
/// or entry (HAR), and nothing of it is stored.
#[utoipa::path(post, path = "/api/v1/import", params(ImportQuery),
    request_body(content = Vec<u8>, description = "the HAR or NDJSON file", content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody),
        (status = 413, description = "the file is over 512 MiB")))]
async fn import_file(
    State(pipeline): State<Arc<Pipeline>>,
    QueryParams(query): QueryParams<ImportQuery>,
    file: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let format = match query.format.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(
            Format::parse(f)
                .ok_or_else(|| ApiError::invalid("format must be `har` or `ndjson`"))?,
        ),
        None => None,
    };
    let records = tokio::task::spawn_blocking(move || import::read(&file, format))
        .await
        .map_err(|e| ApiError::invalid(format!("the file could not be read: {e}")))?
        .map_err(ApiError::invalid)?;
    Ok(Json(pipeline.import(records, query.forward).await?))
}
