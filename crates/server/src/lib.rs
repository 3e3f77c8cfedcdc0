//! `lodestone-server`: the shared workspace over HTTP (`lodestone serve`).
//!
//! What it is: a JSON API under `/api/v1` (axum on tokio), bearer-token
//! authentication against the store (every route but `/healthz`), per-party
//! visibility (another party's objects are 404, exactly like missing ones),
//! a request size limit, an OpenAPI 3 document generated from the route
//! table in this file (`/api/v1/openapi.json`), and a background job runner
//! for stress, Monte Carlo and plan runs with progress, cancellation, and
//! re-queueing of jobs a crashed server left running.
//!
//! What it is not (yet): aggregate-only views of other parties'
//! confidential rows in joint results (today a party's uploaded datasets are
//! visible to that party only, and jobs run on the embedded default
//! dataset).

mod api;
mod jobs;
mod openapi;
mod ui;
mod views;

use lodestone_store::Store;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Job runner threads.
    pub workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite:lodestone.db".into(),
            max_body: 64 << 20,
            workers: 1,
        }
    }
}

pub(crate) struct AppState {
    pub store: Mutex<Store>,
    pub dataset: &'static lodestone_model::Dataset,
}

pub(crate) type Shared = Arc<AppState>;

/// Opens the database, re-queues jobs a previous process left running,
/// starts the job runner and serves until Ctrl-C. `ready` is called with the
/// bound address once the socket listens.
pub fn serve(cfg: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), String> {
    let mut store = Store::open(&cfg.database_url).map_err(|e| e.to_string())?;
    let requeued = store.requeue_interrupted().map_err(|e| e.to_string())?;
    if !requeued.is_empty() {
        eprintln!("re-queued {} job(s) left running by a stopped server: {}", requeued.len(), requeued.join(", "));
    }
    let dataset = lodestone_data::default_dataset().map_err(|p| format!("the embedded dataset does not load: {p}"))?;
    let state: Shared = Arc::new(AppState { store: Mutex::new(store), dataset });
    for _ in 0..cfg.workers.max(1) {
        let st = state.clone();
        std::thread::spawn(move || jobs::runner(st));
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.bind).await.map_err(|e| format!("cannot listen on {}: {e}", cfg.bind))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        ready(addr);
        let app = api::router(state, cfg.max_body);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })
}
