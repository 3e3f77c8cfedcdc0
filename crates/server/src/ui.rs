//! The web dashboard's static assets, built by Vite into `web/dist` and
//! embedded at compile time (`build.rs` generates an `include_bytes!`
//! table: no disk reads at run time). `/` serves `index.html`; every other
//! embedded file is served at its path with its content type. Vite names
//! files under `assets/` by content hash, so they are cached for a year;
//! `index.html` is revalidated every time. The assets need no token (they
//! hold no data: every number comes from the API, which does). Unknown
//! paths fall through to the API's JSON 404.

use crate::Shared;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// Served at `/` when `web/dist` was missing at build time.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lodestone: UI not built</title></head>\
<body><h1>The web dashboard was not built into this binary</h1>\
<p>Build it with <code>scripts/run serve</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then rebuild <code>lodestone</code>). \
The JSON API under <code>/api/v1</code> works without it (docs/server.md).</p></body></html>";

pub(crate) fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        Some("map") => "application/json",
        _ => "application/octet-stream",
    }
}

fn asset(path: &'static str, body: &'static [u8]) -> Response {
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    ([(header::CONTENT_TYPE, content_type(path)), (header::CACHE_CONTROL, cache)], body).into_response()
}

pub(crate) fn routes() -> Router<Shared> {
    let mut r = Router::new();
    if !BUILT {
        return r.route("/", get(|| async { ([(header::CACHE_CONTROL, "no-cache")], axum::response::Html(NOT_BUILT)) }));
    }
    for &(path, body) in ASSETS {
        // A route pattern treats `{`, `}` and `*` as captures (and refuses
        // some of them at start-up): such a file is not served rather than
        // stopping the server. Vite's names never contain them.
        if path.contains(['{', '}', '*']) {
            eprintln!("web dashboard: not serving `{path}` (its name holds a route pattern character)");
            continue;
        }
        if path == "index.html" {
            r = r.route("/", get(move || async move { asset(path, body) }));
        }
        r = r.route(&format!("/{path}"), get(move || async move { asset(path, body) }));
    }
    r
}
