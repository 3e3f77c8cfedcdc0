//! Read-only views for the web dashboard (overview, commodity, countries,
//! time to survive, ...). Their routes are documented in `ROUTES` and appear
//! in the OpenAPI document beside the core API's.

use crate::openapi::Route;
use crate::Shared;
use axum::Router;

pub(crate) const ROUTES: &[Route] = &[];

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
}
