//! Read-only views for the web dashboard: the overview of every
//! commodity-stage, the commodity and country lists, reserves, the example
//! scenarios and plans, time to survive, and the per-period series and
//! Monte Carlo distribution of a finished stress job. Every route needs the
//! bearer token like the core API, is documented in `ROUTES` (and so in the
//! OpenAPI document, which the fuzz test drives) and computes with the
//! library crates on the embedded dataset: the numbers are the CLI's.
//!
//! The job views re-run the job's own scenario (stored with the job): the
//! engine is deterministic and Monte Carlo run `r` draws from its own
//! stream, so the series and per-run values are exactly those of the job
//! (the tests compare them with the job's stored summary).

use crate::openapi::Route;
use crate::Shared;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use lodestone_store::{Principal, StoreError};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicBool;

pub(crate) const ROUTES: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/overview",
        summary: "Concentration of every commodity-stage with production data (as `lodestone brief`'s items)",
        auth: true,
        query: &[("year", false, "a year (default: each commodity-stage's latest with data)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route { method: "get", path: "/api/v1/commodities", summary: "The dataset's commodity-stages (as `lodestone commodities`) and stages", auth: true, query: &[], params: &[], body: None, ok: 200 },
    Route { method: "get", path: "/api/v1/countries", summary: "The dataset's countries (ISO 3166-1 alpha-2 and alpha-3) and groups", auth: true, query: &[], params: &[], body: None, ok: 200 },
    Route {
        method: "get",
        path: "/api/v1/reserves",
        summary: "Reserves of one commodity-stage: shares, HHI, reserves/production (as in `lodestone exposure`)",
        auth: true,
        query: &[("commodity", true, "commodity/stage"), ("year", false, "a year (default: the latest with reserves)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route { method: "get", path: "/api/v1/examples/scenarios", summary: "The example stress scenarios (examples/scenarios/*.toml), name and text", auth: true, query: &[], params: &[], body: None, ok: 200 },
    Route { method: "get", path: "/api/v1/examples/plans", summary: "The example plans (examples/plans/*.toml), name and text", auth: true, query: &[], params: &[], body: None, ok: 200 },
    Route {
        method: "get",
        path: "/api/v1/tts",
        summary: "Time to survive per producer removed, against time to recover (as `lodestone tts`)",
        auth: true,
        query: &[
            ("commodity", true, "commodity id (every stage) or commodity/stage"),
            ("country", false, "remove only this country's producers"),
            ("ttr", false, "time to recover in months (default 12)"),
            ("headroom", false, "spare capacity as a fraction of production where the dataset has none (default 0)"),
            ("stock_months", false, "stock in months of need where the dataset has none (default 0)"),
            ("horizon", false, "horizon cap in months (default 120)"),
        ],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/jobs/{id}/series",
        summary: "A finished single-run stress job: per-period shortfall, stock, demand and delivered per country of one commodity-stage",
        auth: true,
        query: &[("commodity", true, "commodity/stage")],
        params: &["id"],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/jobs/{id}/distribution",
        summary: "A finished Monte Carlo job: the cumulative shortfall of every run (a commodity-stage's world total, or one country's) as a histogram, with exact p95 and CVaR95",
        auth: true,
        query: &[
            ("commodity", true, "commodity/stage"),
            ("country", false, "one country (default: the world total)"),
            ("bins", false, "histogram bins, 1 to 200 (default 30)"),
        ],
        params: &["id"],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/jobs/{id}/plan-context",
        summary: "A finished plan job: its projects' lead times, the same plan solved without new builds (the 'before'), and optionally a permitting sweep",
        auth: true,
        query: &[("sweep", false, "`permitting_years` to solve the plan with every project's permitting set to 1..10 years")],
        params: &["id"],
        body: None,
        ok: 200,
    },
];

/// The example files, compiled in (the same files the CLI's examples name).
const SCENARIOS: &[(&str, &str)] = &[
    ("rare-earth-export-ban", include_str!("../../../examples/scenarios/rare-earth-export-ban.toml")),
    ("indonesia-nickel-halt", include_str!("../../../examples/scenarios/indonesia-nickel-halt.toml")),
    ("malacca-closure", include_str!("../../../examples/scenarios/malacca-closure.toml")),
    ("monte-carlo-critical-minerals", include_str!("../../../examples/scenarios/monte-carlo-critical-minerals.toml")),
];
/// The scenario files a plan sent to the server may name: the example
/// scenarios compiled into the binary, by their file name alone or by any
/// path ending in `scenarios/NAME.toml` (so the example plans, which name
/// `../scenarios/NAME.toml`, run as they do with the CLI). The server reads
/// no file from its disk for a request.
pub(crate) fn example_scenario(f: &str) -> Result<(String, String), String> {
    let name = f.rsplit('/').next().unwrap_or(f).strip_suffix(".toml").unwrap_or("");
    let dir_ok = !f.contains('/') || f.ends_with(&format!("scenarios/{name}.toml"));
    match SCENARIOS.iter().find(|(n, _)| *n == name) {
        Some((n, text)) if dir_ok => Ok((format!("examples/scenarios/{n}.toml"), text.to_string())),
        _ => Err(format!(
            "`{f}`: a plan sent to the server may name only the example scenarios ({}); put other disruptions in the plan's own [[scenario]] tables",
            SCENARIOS.iter().map(|(n, _)| format!("{n}.toml")).collect::<Vec<_>>().join(", ")
        )),
    }
}

const PLANS: &[(&str, &str)] = &[
    ("jp-us-rare-earths", include_str!("../../../examples/plans/jp-us-rare-earths.toml")),
    ("jp-us-ph-nickel", include_str!("../../../examples/plans/jp-us-ph-nickel.toml")),
];

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/overview", get(overview))
        .route("/api/v1/commodities", get(commodities))
        .route("/api/v1/countries", get(countries))
        .route("/api/v1/reserves", get(reserves))
        .route("/api/v1/examples/scenarios", get(|s: State<Shared>, h: HeaderMap| examples(s, h, SCENARIOS, "scenarios")))
        .route("/api/v1/examples/plans", get(|s: State<Shared>, h: HeaderMap| examples(s, h, PLANS, "plans")))
        .route("/api/v1/tts", get(tts))
        .route("/api/v1/jobs/{id}/series", get(job_series))
        .route("/api/v1/jobs/{id}/distribution", get(job_distribution))
        .route("/api/v1/jobs/{id}/plan-context", get(plan_context))
}

// ---- small local equivalents of api.rs's helpers ----

struct ViewError(StatusCode, String);

impl IntoResponse for ViewError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<StoreError> for ViewError {
    fn from(e: StoreError) -> ViewError {
        match e {
            StoreError::NotFound(m) => ViewError(StatusCode::NOT_FOUND, m),
            StoreError::Invalid(m) => ViewError(StatusCode::UNPROCESSABLE_ENTITY, m),
            StoreError::Conflict(m) => ViewError(StatusCode::CONFLICT, m),
            StoreError::Db(m) => {
                eprintln!("database error: {m}");
                ViewError(StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable; try again".into())
            }
        }
    }
}

type VResult<T> = Result<T, ViewError>;

fn bad(m: impl Into<String>) -> ViewError {
    ViewError(StatusCode::BAD_REQUEST, m.into())
}

fn internal(m: impl ToString) -> ViewError {
    ViewError(StatusCode::INTERNAL_SERVER_ERROR, m.to_string())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> VResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(internal)
}

// ---- views that re-run a finished job ----
//
// Re-running a job (a whole Monte Carlo, a plan and its sweep) costs as
// much as the job did. So: at most one such computation runs at a time
// (later requests wait their turn without holding a thread), a finished
// job's answer is kept (a done job's input and data never change, so the
// same question gets the same answer; the cache is keyed by job id, which
// `done_job` has already checked belongs to the caller's party), and the
// sizes a view will re-run are capped (`SERIES_CELLS`, `DISTRIBUTION_RUNS`).

/// Nodes x periods the series view records (11 numbers each).
pub(crate) const SERIES_CELLS: usize = 3_000_000;
/// Monte Carlo runs the distribution view re-runs.
pub(crate) const DISTRIBUTION_RUNS: usize = 1_000_000;
const CACHED: usize = 64;

fn heavy() -> &'static tokio::sync::Semaphore {
    static S: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    S.get_or_init(|| tokio::sync::Semaphore::new(1))
}

fn cache() -> &'static std::sync::Mutex<HashMap<String, Value>> {
    static C: std::sync::OnceLock<std::sync::Mutex<HashMap<String, Value>>> = std::sync::OnceLock::new();
    C.get_or_init(|| std::sync::Mutex::new(HashMap::new()))
}

/// The cache key of a view of job `id` with query `q` (sorted).
fn cache_key(view: &str, id: &str, q: &HashMap<String, String>) -> String {
    let sorted: BTreeMap<&String, &String> = q.iter().collect();
    format!("{view}|{id}|{}", serde_json::to_string(&sorted).unwrap_or_default())
}

/// Runs `f` (on a blocking thread, one heavy view at a time) unless the
/// answer is cached; keeps successful answers.
async fn heavy_view(key: String, f: impl FnOnce() -> VResult<Value> + Send + 'static) -> VResult<Json<Value>> {
    if let Some(v) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(Json(v.clone()));
    }
    let _turn = heavy().acquire().await.map_err(internal)?;
    // Another request may have answered it while this one waited.
    if let Some(v) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(Json(v.clone()));
    }
    let v = blocking(f).await??;
    let mut c = cache().lock().unwrap_or_else(|p| p.into_inner());
    if c.len() >= CACHED {
        c.clear();
    }
    c.insert(key, v.clone());
    Ok(Json(v))
}

async fn principal(st: &Shared, headers: &HeaderMap) -> VResult<Principal> {
    let unauth = || ViewError(StatusCode::UNAUTHORIZED, "missing or invalid `Authorization: Bearer TOKEN`".into());
    let h = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(unauth)?;
    let token = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")).ok_or_else(unauth)?.trim().to_string();
    if token.is_empty() || token.len() > 256 {
        return Err(unauth());
    }
    let st = st.clone();
    blocking(move || st.authenticate(&token)).await?.map_err(ViewError::from)?.ok_or_else(unauth)
}

fn to_json<T: serde::Serialize>(v: &T) -> VResult<Json<Value>> {
    serde_json::to_value(v).map(Json).map_err(internal)
}

fn key_param(ds: &Dataset, q: &HashMap<String, String>) -> VResult<CommodityKey> {
    let c = q.get("commodity").ok_or_else(|| bad("missing query parameter `commodity` (commodity/stage)"))?;
    let key = CommodityKey::parse(c).ok_or_else(|| bad(format!("`{c}` is not commodity/stage")))?;
    if ds.commodity(&key).is_none() {
        return Err(ViewError(StatusCode::NOT_FOUND, format!("unknown commodity-stage `{key}`")));
    }
    Ok(key)
}

fn year_param(q: &HashMap<String, String>) -> VResult<Option<i32>> {
    match q.get("year") {
        Some(y) => y.parse::<i32>().map(Some).map_err(|_| bad(format!("year `{y}` is not a year"))),
        None => Ok(None),
    }
}

fn num_param(q: &HashMap<String, String>, name: &str, default: f64) -> VResult<f64> {
    match q.get(name) {
        Some(v) => v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| bad(format!("`{name}` {v}: expected a number >= 0"))),
        None => Ok(default),
    }
}

// ---- dataset views ----

async fn overview(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> VResult<Json<Value>> {
    principal(&st, &h).await?;
    let year = year_param(&q)?;
    let ds = st.dataset;
    let items = blocking(move || lodestone_analysis::exposure::overview(ds, year)).await?;
    Ok(Json(json!({ "dataset": ds.manifest.name, "items": to_json(&items)?.0 })))
}

async fn commodities(State(st): State<Shared>, h: HeaderMap) -> VResult<Json<Value>> {
    principal(&st, &h).await?;
    let ds = st.dataset;
    let list: Vec<Value> = ds
        .commodities_sorted()
        .into_iter()
        .map(|c| {
            let mut years: Vec<i32> = ds.production.iter().filter(|p| p.key == c.key).map(|p| p.year).collect();
            years.sort_unstable();
            years.dedup();
            json!({
                "commodity": c.key.commodity,
                "stage": c.key.stage,
                "key": c.key.to_string(),
                "name": c.name,
                "unit": c.unit.to_string(),
                "production_years": years,
                "production_rows": ds.production.iter().filter(|p| p.key == c.key).count(),
                "reserve_rows": ds.reserves.iter().filter(|r| r.key == c.key).count(),
            })
        })
        .collect();
    Ok(Json(json!({ "dataset": ds.manifest.name, "stages": ds.manifest.stages, "commodities": list })))
}

async fn countries(State(st): State<Shared>, h: HeaderMap) -> VResult<Json<Value>> {
    principal(&st, &h).await?;
    let ds = st.dataset;
    let list: Vec<Value> = ds.countries.iter().map(|c| json!({ "code": c.code.to_string(), "name": c.name, "iso3": c.iso3 })).collect();
    let groups: BTreeMap<&str, Vec<String>> =
        ds.group_names().into_iter().map(|g| (g, ds.group(g).into_iter().map(|c| c.to_string()).collect())).collect();
    Ok(Json(json!({ "countries": list, "groups": groups })))
}

async fn reserves(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> VResult<Json<Value>> {
    principal(&st, &h).await?;
    let ds = st.dataset;
    let key = key_param(ds, &q)?;
    let year = year_param(&q)?;
    let r = lodestone_analysis::reserves::reserves(ds, &key, year).map_err(|e| ViewError(StatusCode::NOT_FOUND, e.to_string()))?;
    to_json(&r)
}

/// The examples, each with `problem`: why the server would refuse it as a
/// job (today: plans that name scenario files), or null.
async fn examples(State(st): State<Shared>, h: HeaderMap, files: &'static [(&'static str, &'static str)], dir: &'static str) -> VResult<Json<Value>> {
    principal(&st, &h).await?;
    let ds = st.dataset;
    let list: Vec<Value> = blocking(move || {
        files
            .iter()
            .map(|(name, text)| {
                let problem = if dir == "plans" {
                    lodestone_plan::load_plan(name, text, ds, &example_scenario).err().map(|e| e.to_string())
                } else {
                    lodestone_sim::parse_scenario(name, text, ds).err().map(|e| e.to_string())
                };
                json!({
                    "name": name,
                    "file": format!("examples/{dir}/{name}.toml"),
                    "monte_carlo": text.lines().any(|l| l.trim() == "[monte_carlo]"),
                    "problem": problem,
                    "text": text,
                })
            })
            .collect()
    })
    .await?;
    Ok(Json(json!({ "examples": list })))
}

/// Time to survive, as `lodestone tts --commodity ... --format json`.
async fn tts(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> VResult<Json<Value>> {
    use lodestone_sim::scenario::Period;
    use lodestone_sim::tts::{network_spec, DEFAULT_HORIZON, DEFAULT_TTR};
    principal(&st, &h).await?;
    let ds = st.dataset;
    let sel = q.get("commodity").ok_or_else(|| bad("missing query parameter `commodity` (commodity or commodity/stage)"))?.clone();
    let keys: Vec<CommodityKey> = match CommodityKey::parse(&sel) {
        Some(k) if sel.contains('/') => ds.commodity(&k).map(|c| vec![c.key.clone()]).unwrap_or_default(),
        _ => ds.commodities.iter().filter(|c| c.key.commodity == sel).map(|c| c.key.clone()).collect(),
    };
    if keys.is_empty() {
        return Err(ViewError(StatusCode::NOT_FOUND, format!("unknown commodity or commodity-stage `{sel}`")));
    }
    let country = match q.get("country") {
        Some(c) => Some(CountryCode::parse(c).ok_or_else(|| bad(format!("`{c}` is not a country code")))?),
        None => None,
    };
    let ttr = num_param(&q, "ttr", DEFAULT_TTR)?;
    let headroom = num_param(&q, "headroom", 0.0)?;
    let stock_months = num_param(&q, "stock_months", 0.0)?;
    let horizon = num_param(&q, "horizon", DEFAULT_HORIZON)?;
    if horizon <= 0.0 || horizon > 1200.0 || ttr > horizon || headroom > 100.0 || stock_months > 1200.0 {
        return Err(bad("expected 0 < horizon <= 1200, ttr <= horizon, headroom <= 100, stock_months <= 1200"));
    }
    let out = blocking(move || -> VResult<Value> {
        let spec = network_spec(ds, &keys, None, headroom, stock_months);
        let net = lodestone_sim::Network::build(ds, &spec, Period::Month);
        let removed: Vec<u32> = (0..net.len())
            .filter(|&i| keys.contains(&net.nodes[i].key) && country.is_none_or(|c| net.nodes[i].country == c) && net.capacity[i] > 0.0)
            .map(|i| i as u32)
            .collect();
        if removed.is_empty() {
            return Err(ViewError(StatusCode::NOT_FOUND, "no producer node matches the selection".into()));
        }
        let opts = lodestone_sim::TtsOptions { horizon, ttr, ttr_rules: vec![] };
        let r = lodestone_sim::time_to_survive(&net, &removed, &opts, &|_, _| {}, &AtomicBool::new(false)).map_err(|e| bad(e.to_string()))?;
        let nodes: Vec<Value> = r
            .nodes
            .iter()
            .enumerate()
            .map(|(i, x)| serde_json::to_value(x.row(ds, &net, i + 1)).unwrap_or(Value::Null))
            .collect();
        Ok(json!({
            "dataset": ds.manifest.name,
            "method": "time to survive: Simchi-Levi et al. (2015) linear program, one per removed node",
            "period": "month",
            "horizon": r.horizon,
            "selection": { "commodity": sel, "country": country.map(|c| c.to_string()) },
            "assumptions": { "headroom": headroom, "stock_months": stock_months, "ttr": ttr },
            "network": { "nodes": net.len(), "commodities": net.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(), "notes": net.notes },
            "baseline": r.baseline.iter().map(|b| json!({ "commodities": b.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(), "tts": b.tts, "capped": b.capped })).collect::<Vec<_>>(),
            "removed": removed.len(),
            "solved": r.nodes.len(),
            "hot_spots": r.nodes.iter().filter(|x| x.hot_spot).count(),
            "lp_solves": r.lp_solves,
            "nodes": nodes,
        }))
    })
    .await??;
    Ok(Json(out))
}

// ---- views of finished stress jobs ----

/// One of the caller's finished jobs of `kind`: its input text and the
/// dataset it ran on (the embedded one, a dataset version or the joint
/// workspace as pinned when it was queued: `jobs::job_data`, so a view sees
/// exactly the data the job did).
struct DoneJob {
    text: String,
    ds: Option<Dataset>,
}

async fn done_job(st: &Shared, h: &HeaderMap, id: String, kind: &'static str) -> VResult<DoneJob> {
    let p = principal(st, h).await?;
    let st2 = st.clone();
    let job = blocking(move || st2.store.lock().unwrap_or_else(|p| p.into_inner()).job(&p.party_id, &id)).await?.map_err(ViewError::from)?;
    if job.kind != kind {
        return Err(ViewError(StatusCode::UNPROCESSABLE_ENTITY, format!("job {} is a {} job, not a {kind} job", job.id, job.kind)));
    }
    if job.status != "done" {
        return Err(ViewError(StatusCode::UNPROCESSABLE_ENTITY, format!("job {} is {}, not done", job.id, job.status)));
    }
    let input: Value = serde_json::from_str(&job.input).map_err(internal)?;
    let text = input["text"].as_str().map(String::from).ok_or_else(|| internal("stored job input has no text"))?;
    let st2 = st.clone();
    let (ds, _about) = blocking(move || crate::jobs::job_data(&st2, &input)).await?.map_err(|e| ViewError(StatusCode::SERVICE_UNAVAILABLE, e))?;
    Ok(DoneJob { text, ds })
}

/// `commodity` as a key of `ds` (404 when `ds` has no such commodity-stage).
fn job_key(ds: &Dataset, q: &HashMap<String, String>) -> VResult<CommodityKey> {
    key_param(ds, q)
}

async fn job_series(State(st): State<Shared>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> VResult<Json<Value>> {
    let job = done_job(&st, &h, id.clone(), "stress").await?;
    let base = st.dataset;
    heavy_view(cache_key("series", &id, &q), move || -> VResult<Value> {
        let ds = job.ds.as_ref().unwrap_or(base);
        let key = job_key(ds, &q)?;
        let text = job.text;
        let sc = lodestone_sim::parse_scenario("scenario", &text, ds).map_err(|e| internal(e.to_string()))?;
        if sc.monte_carlo.is_some() {
            return Err(ViewError(StatusCode::UNPROCESSABLE_ENTITY, "a Monte Carlo job has no single series: see /distribution".into()));
        }
        let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
        if net.len().saturating_mul(sc.horizon) > SERIES_CELLS {
            return Err(ViewError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "this job's network has {} nodes over {} periods; the series view re-runs at most {SERIES_CELLS} node-periods (narrow the scenario's [network] commodities or its horizon)",
                    net.len(),
                    sc.horizon
                ),
            ));
        }
        let groups = lodestone_sim::dataset_groups(ds);
        let c = lodestone_sim::compile(&net, &sc, &groups);
        let r = lodestone_sim::simulate(&net, &c, lodestone_sim::Record::Full, &|_, _| {}, &AtomicBool::new(false));
        let Some(k) = net.keys.iter().position(|x| *x == key) else {
            return Err(ViewError(StatusCode::NOT_FOUND, format!("`{key}` is not in the scenario's network")));
        };
        let s = r.series.as_ref().ok_or_else(|| internal("no series recorded"))?;
        let n = net.len();
        let periods = r.periods_done;
        let pick = |v: &Vec<f64>, i: usize| -> Vec<f64> { (0..periods).map(|t| v[t * n + i]).collect() };
        let mut countries = vec![];
        for i in net.key_start[k] as usize..net.key_start[k + 1] as usize {
            let node = &r.nodes[i];
            countries.push(json!({
                "country": node.country.to_string(),
                "name": ds.country_name(node.country),
                "cumulative_shortfall": node.cumulative_shortfall,
                "cumulative_demand": node.cumulative_demand,
                "time_to_survive": node.time_to_survive,
                "shortfall": pick(&s.shortfall, i),
                "stock": pick(&s.stock, i),
                "demand": pick(&s.demand, i),
                "delivered": pick(&s.delivered, i),
                "arrivals": pick(&s.arrivals, i),
                "production": pick(&s.production, i),
            }));
        }
        countries.sort_by(|a, b| {
            b["cumulative_shortfall"].as_f64().unwrap_or(0.0).total_cmp(&a["cumulative_shortfall"].as_f64().unwrap_or(0.0)).then(a["country"].as_str().cmp(&b["country"].as_str()))
        });
        Ok(json!({
            "scenario": sc.name,
            "commodity": key.to_string(),
            "unit": ds.commodity(&key).map(|c| c.unit.to_string()),
            "period": format!("{:?}", sc.period).to_lowercase(),
            "periods": periods,
            "disruption_end": r.disruption_end,
            "keys": net.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "countries": countries,
        }))
    })
    .await
}

/// Histogram of values `v` in `bins` equal bins over [min, max], and the
/// exact p95 and CVaR95 with the Monte Carlo sketch's definitions
/// (`lodestone_sim::sketch`): p95 is the value of rank floor(0.95 (n - 1))
/// (from 0), CVaR95 the mean of the top ceil((1 - 0.95) n) values.
pub(crate) fn histogram(mut v: Vec<f64>, bins: usize) -> Value {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return json!({ "runs": 0, "bins": [] });
    }
    let (lo, hi) = (v[0], v[n - 1]);
    let width = if hi > lo { (hi - lo) / bins as f64 } else { 1.0 };
    let mut counts = vec![0usize; bins];
    for &x in &v {
        let b = (((x - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let rank = ((0.95 * (n - 1) as f64).floor() as usize).min(n - 1);
    let tail = (((1.0 - 0.95) * n as f64).ceil() as usize).clamp(1, n);
    let cvar = v[n - tail..].iter().sum::<f64>() / tail as f64;
    let mean = v.iter().sum::<f64>() / n as f64;
    json!({
        "runs": n,
        "min": lo,
        "max": hi,
        "mean": mean,
        "p95": v[rank],
        "cvar95": cvar,
        "p_any": v.iter().filter(|&&x| x > 0.0).count() as f64 / n as f64,
        "bins": counts.iter().enumerate().map(|(i, c)| json!({ "from": lo + i as f64 * width, "to": lo + (i + 1) as f64 * width, "count": c })).collect::<Vec<_>>(),
    })
}

async fn job_distribution(State(st): State<Shared>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> VResult<Json<Value>> {
    use lodestone_sim::engine;
    // The token and the job first: a caller without them learns nothing,
    // not even which parameters are wrong (401/404 before 400).
    let job = done_job(&st, &h, id.clone(), "stress").await?;
    let country = match q.get("country") {
        Some(c) => Some(CountryCode::parse(c).ok_or_else(|| bad(format!("`{c}` is not a country code")))?),
        None => None,
    };
    let bins = match q.get("bins") {
        Some(b) => b.parse::<usize>().ok().filter(|b| (1..=200).contains(b)).ok_or_else(|| bad("bins: expected 1 to 200"))?,
        None => 30,
    };
    let base = st.dataset;
    heavy_view(cache_key("distribution", &id, &q), move || -> VResult<Value> {
        let ds = job.ds.as_ref().unwrap_or(base);
        let key = job_key(ds, &q)?;
        let sc = lodestone_sim::parse_scenario("scenario", &job.text, ds).map_err(|e| internal(e.to_string()))?;
        let Some(spec) = sc.monte_carlo.as_ref() else {
            return Err(ViewError(StatusCode::UNPROCESSABLE_ENTITY, "not a Monte Carlo job: see /series".into()));
        };
        if spec.runs > DISTRIBUTION_RUNS {
            return Err(ViewError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("this job drew {} runs; the distribution view re-runs at most {DISTRIBUTION_RUNS} (the job's own statistics cover all its runs)", spec.runs),
            ));
        }
        let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
        let groups = lodestone_sim::dataset_groups(ds);
        let Some(k) = net.keys.iter().position(|x| *x == key) else {
            return Err(ViewError(StatusCode::NOT_FOUND, format!("`{key}` is not in the scenario's network")));
        };
        let (a, b) = (net.key_start[k] as usize, net.key_start[k + 1] as usize);
        let nodes: Vec<usize> = match country {
            Some(c) => match (a..b).find(|&i| net.nodes[i].country == c) {
                Some(i) => vec![i],
                None => return Err(ViewError(StatusCode::NOT_FOUND, format!("{c} has no `{key}` node in the scenario's network"))),
            },
            None => (a..b).collect(),
        };
        // As montecarlo::monte_carlo: the same compiled targets, the same
        // per-run effects, the same sum order over the key's nodes.
        let mut compiled = engine::compile(&net, &sc, &groups);
        let first = compiled.targets.len();
        for ev in &spec.events {
            compiled.targets.push(engine::resolve(&net, &ev.kind, &groups));
        }
        let per_year = sc.period.per_year();
        let cancel = AtomicBool::new(false);
        let values = std::sync::Mutex::new(vec![0.0f64; spec.runs]);
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
        std::thread::scope(|s| {
            for t in 0..threads {
                let (net, compiled, nodes, values, cancel, sc) = (&net, &compiled, &nodes, &values, &cancel, &sc);
                s.spawn(move || {
                    let mut ws = engine::Workspace::new(net);
                    let mut r = t;
                    while r < spec.runs {
                        let effects = lodestone_sim::montecarlo::sample_effects(spec, &compiled.effects, first, sc.horizon, per_year, r as u64);
                        engine::run_periods(net, compiled, &effects, &mut ws, None, &|_, _| {}, cancel);
                        let mut tot = 0.0;
                        for &i in nodes {
                            tot += ws.cum_short[i];
                        }
                        values.lock().unwrap_or_else(|p| p.into_inner())[r] = tot;
                        r += threads;
                    }
                });
            }
        });
        let mut hist = histogram(values.into_inner().unwrap_or_else(|p| p.into_inner()), bins);
        hist["scenario"] = json!(sc.name);
        hist["commodity"] = json!(key.to_string());
        hist["country"] = json!(country.map(|c| c.to_string()));
        hist["unit"] = json!(ds.commodity(&key).map(|c| c.unit.to_string()));
        hist["seed"] = json!(spec.seed);
        Ok(hist)
    })
    .await
}

async fn plan_context(State(st): State<Shared>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> VResult<Json<Value>> {
    let job = done_job(&st, &h, id.clone(), "plan").await?;
    let sweep = match q.get("sweep").map(String::as_str) {
        None => false,
        Some("permitting_years") => true,
        Some(o) => return Err(bad(format!("sweep `{o}`: only permitting_years"))),
    };
    let base = st.dataset;
    heavy_view(cache_key("plan-context", &id, &q), move || -> VResult<Value> {
        let ds = job.ds.as_ref().unwrap_or(base);
        let text = job.text;
        let inst = lodestone_plan::load_plan("plan", &text, ds, &example_scenario).map_err(|e| internal(e.to_string()))?;
        let projects: Vec<Value> = inst
            .projects
            .iter()
            .map(|p| {
                let node = &inst.nodes[p.node];
                json!({
                    "id": p.id,
                    "kind": p.kind,
                    "country": node.country.to_string(),
                    "commodity": inst.keys[node.key].key.to_string(),
                    "permitting_years": p.permitting_years,
                    "build_years": p.build_years,
                    "lead_periods": p.lead,
                    "max_units": p.max_units,
                })
            })
            .collect();
        // The "before": the same plan with no new builds allowed.
        let mut before = inst.clone();
        for p in &mut before.projects {
            p.max_units = 0;
        }
        let (_, without) = lodestone_plan::solve_plan(&before, &Default::default()).map_err(|e| internal(e.to_string()))?;
        let mut out = json!({
            "plan": inst.name,
            "periods": inst.labels,
            "per_year": inst.per_year,
            "projects": projects,
            "without_builds": serde_json::to_value(&without).map_err(internal)?,
        });
        if sweep {
            let spec = lodestone_plan::sweep::SweepSpec { param: "permitting_years".into(), values: (1..=10).map(f64::from).collect() };
            let points = lodestone_plan::sweep::run_sweep("plan", &text, &spec, ds, &example_scenario, &Default::default(), &|_, _| {})
                .map_err(|e| ViewError(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
            out["sweep"] = json!({ "param": "permitting_years", "points": serde_json::to_value(&points).map_err(internal)? });
        }
        Ok(out)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::histogram;

    #[test]
    fn histogram_by_hand() {
        // 0, 1, ..., 19 in 4 bins of width 19/4 = 4.75: [0, 4.75) holds 0-4,
        // [4.75, 9.5) 5-9, [9.5, 14.25) 10-14, [14.25, 19] 15-19.
        let h = histogram((0..20).rev().map(f64::from).collect(), 4);
        let counts: Vec<u64> = h["bins"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect();
        assert_eq!(counts, vec![5, 5, 5, 5]);
        assert_eq!(h["bins"][1]["from"], 4.75);
        // p95: rank floor(0.95 x 19) = 18 -> 18. CVaR95: the top
        // ceil((1 - 0.95) x 20) values; (1 - 0.95) x 20 is 1.0000000000000009
        // in floating point, so 2 values, 19 and 18, as in the sketch.
        assert_eq!(h["p95"], 18.0);
        assert_eq!(h["cvar95"], 18.5);
        assert_eq!(h["mean"], 9.5);
        assert_eq!(h["p_any"], 0.95);
        // One value: one full bin.
        let h = histogram(vec![3.0], 3);
        assert_eq!((h["p95"].as_f64(), h["cvar95"].as_f64(), h["bins"][0]["count"].as_u64()), (Some(3.0), Some(3.0), Some(1)));
    }
}
