//! The web dashboard's static assets (built by Vite, embedded in the binary).

use crate::Shared;
use axum::Router;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
}
