//! Extractors whose refusals are API errors: a body or query string that does not parse
//! gets the documented `400 {"error": {"code": "invalid", …}}` saying what is wrong, not
//! axum's plain-text 400/415/422.

use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::ApiError;

/// A JSON request body.
pub struct JsonBody<T>(pub T);

fn body_error(rejection: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError::invalid(format!(
        "{}; send a JSON body with Content-Type: application/json",
        rejection.body_text()
    ))
}

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        <axum::Json<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(|axum::Json(value)| JsonBody(value))
            .map_err(body_error)
    }
}

/// No body (and no JSON content type) is `None`; a body that does not parse is an error.
impl<T, S> OptionalFromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        <axum::Json<T> as OptionalFromRequest<S>>::from_request(req, state)
            .await
            .map(|found| found.map(|axum::Json(value)| JsonBody(value)))
            .map_err(body_error)
    }
}

/// Query-string parameters.
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| QueryParams(value))
            .map_err(|rejection| ApiError::invalid(rejection.body_text()))
    }
}
