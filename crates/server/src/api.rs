//! Handlers. Every handler but `/healthz` starts by resolving the bearer
//! token to a principal (401 otherwise); objects of other parties are
//! reported exactly like missing ones (404).

use crate::{openapi, Shared};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lodestone_model::CommodityKey;
use lodestone_store::{Principal, Store, StoreError};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    problems: Vec<String>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), problems: vec![] }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if !self.problems.is_empty() {
            body["problems"] = json!(self.problems);
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, m),
            StoreError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            StoreError::Db(m) => {
                eprintln!("database error: {m}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable; try again")
            }
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Runs `f` on the store off the async threads.
async fn with_store<T: Send + 'static>(st: &Shared, f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static) -> ApiResult<T> {
    let st = st.clone();
    tokio::task::spawn_blocking(move || {
        let mut s = st.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("worker failed: {e}")))?
    .map_err(ApiError::from)
}

async fn principal(st: &Shared, headers: &HeaderMap) -> ApiResult<Principal> {
    let unauth = || ApiError::new(StatusCode::UNAUTHORIZED, "missing or invalid `Authorization: Bearer TOKEN`");
    let h = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(unauth)?;
    let token = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")).ok_or_else(unauth)?.trim().to_string();
    if token.is_empty() || token.len() > 256 {
        return Err(unauth());
    }
    with_store(st, move |s| s.authenticate(&token)).await?.ok_or_else(unauth)
}

pub(crate) fn router(state: Shared, max_body: usize) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi_doc))
        .route("/api/v1/me", get(me))
        .route("/api/v1/exposure", get(exposure))
        .route("/api/v1/datasets/{name}", post(upload_dataset))
        .route("/api/v1/origin", get(origin))
        .route("/api/v1/workspace/production", get(workspace_production))
        .route("/api/v1/datasets/{name}/versions", get(dataset_versions))
        .route("/api/v1/datasets/{name}/diff", get(dataset_diff))
        .route("/api/v1/jobs", post(create_job).get(list_jobs))
        .route("/api/v1/jobs/{id}", get(get_job))
        .route("/api/v1/jobs/{id}/cancel", post(cancel_job))
        .route("/api/v1/audit", get(audit))
        .merge(crate::views::routes())
        .merge(crate::ui::routes())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such route") })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn openapi_doc(State(st): State<Shared>, h: HeaderMap) -> ApiResult<Json<Value>> {
    principal(&st, &h).await?;
    Ok(Json(openapi::document()))
}

async fn me(State(st): State<Shared>, h: HeaderMap) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    Ok(Json(json!({ "user": p.user, "party": p.party })))
}

async fn exposure(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    principal(&st, &h).await?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let c = q.get("commodity").ok_or_else(|| bad("missing query parameter `commodity` (commodity/stage)".into()))?;
    let key = CommodityKey::parse(c).ok_or_else(|| bad(format!("`{c}` is not commodity/stage")))?;
    let by = match q.get("by").map(String::as_str) {
        None | Some("location") => lodestone_analysis::exposure::By::Location,
        Some("owner") => lodestone_analysis::exposure::By::Owner,
        Some(o) => return Err(bad(format!("by `{o}`: expected location or owner"))),
    };
    let year = match q.get("year") {
        Some(y) => Some(y.parse::<i32>().map_err(|_| bad(format!("year `{y}` is not a year")))?),
        None => None,
    };
    let ds = st.dataset;
    let r = lodestone_analysis::exposure::concentration(ds, &key, year, by)
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))?;
    Ok(Json(serde_json::to_value(r).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?))
}

async fn origin(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    principal(&st, &h).await?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let c = q.get("country").ok_or_else(|| bad("missing query parameter `country` (ISO 3166-1 alpha-2)".into()))?;
    let country = lodestone_model::CountryCode::parse(c).ok_or_else(|| bad(format!("`{c}` is not a country code")))?;
    let k = q.get("commodity").ok_or_else(|| bad("missing query parameter `commodity` (commodity/stage)".into()))?;
    let key = CommodityKey::parse(k).ok_or_else(|| bad(format!("`{k}` is not commodity/stage")))?;
    let upstream = match q.get("upstream") {
        Some(u) => CommodityKey::parse(u).ok_or_else(|| bad(format!("upstream `{u}` is not commodity/stage")))?,
        None => key.clone(),
    };
    let year = match q.get("year") {
        Some(y) => Some(y.parse::<i32>().map_err(|_| bad(format!("year `{y}` is not a year")))?),
        None => None,
    };
    let ds = st.dataset;
    let o = tokio::task::spawn_blocking(move || lodestone_analysis::origin::origin(ds, country, &key, &upstream, year).map_err(|e| e.to_string()))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e))?;
    Ok(Json(serde_json::to_value(o).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?))
}

/// Production of one commodity-stage in the joint workspace: the embedded
/// dataset plus every contributed dataset of every party. The caller sees
/// public rows and its own party's rows one by one; other parties' rows only
/// inside the per-country totals (never a producer name, quantity by
/// facility or which party contributed).
async fn workspace_production(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let k = q.get("commodity").ok_or_else(|| bad("missing query parameter `commodity` (commodity/stage)".into()))?;
    let key = CommodityKey::parse(k).ok_or_else(|| bad(format!("`{k}` is not commodity/stage")))?;
    let year = match q.get("year") {
        Some(y) => Some(y.parse::<i32>().map_err(|_| bad(format!("year `{y}` is not a year")))?),
        None => None,
    };
    let ds = st.dataset;
    let unit = ds
        .commodity(&key)
        .map(|c| c.unit.to_string())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("unknown commodity `{key}`")))?;
    let contributed = with_store(&st, |s| s.contributions()).await?;
    // (country, quantity, row shown?) per row of the key.
    struct Row {
        country: Option<lodestone_model::CountryCode>,
        year: i32,
        quantity: f64,
        shown: Option<Value>,
    }
    let mut rows: Vec<Row> = ds
        .production
        .iter()
        .filter(|o| o.key == key)
        .map(|o| Row {
            country: o.country,
            year: o.year,
            quantity: o.quantity,
            shown: Some(json!({ "country": o.country.map(|c| c.to_string()), "producer": o.producer, "year": o.year, "quantity": o.quantity, "source": o.source, "from": "public" })),
        })
        .collect();
    let mut notes = vec![];
    for lodestone_store::Contribution { party_id, dataset, content, .. } in contributed {
        let files: BTreeMap<String, String> = match serde_json::from_slice(&content) {
            Ok(f) => f,
            Err(_) => continue,
        };
        let Ok(cds) = lodestone_model::load_texts("contributed", &files) else { continue };
        let own = party_id == p.party_id;
        match cds.commodity(&key) {
            Some(c) if c.unit.to_string() == unit => {}
            Some(_) => {
                if own {
                    notes.push(format!("your dataset `{dataset}` declares {key} in another unit; its rows are left out"));
                }
                continue;
            }
            None => continue,
        }
        for o in cds.production.iter().filter(|o| o.key == key) {
            rows.push(Row {
                country: o.country,
                year: o.year,
                quantity: o.quantity,
                shown: own.then(|| json!({ "country": o.country.map(|c| c.to_string()), "producer": o.producer, "year": o.year, "quantity": o.quantity, "source": o.source, "from": format!("your dataset {dataset}") })),
            });
        }
    }
    let year = match year.or_else(|| rows.iter().map(|r| r.year).max()) {
        Some(y) => y,
        None => return Err(ApiError::new(StatusCode::NOT_FOUND, format!("no production rows for {key}"))),
    };
    let rows: Vec<Row> = rows.into_iter().filter(|r| r.year == year).collect();
    let mut by_country: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0.0;
    for r in &rows {
        total += r.quantity;
        *by_country.entry(r.country.map_or("ZZ".to_string(), |c| c.to_string())).or_insert(0.0) += r.quantity;
    }
    let mut countries: Vec<(String, f64)> = by_country.into_iter().collect();
    countries.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let hhi: f64 = if total > 0.0 {
        countries.iter().filter(|c| c.0 != "ZZ").map(|c| (100.0 * c.1 / total).powi(2)).sum()
    } else {
        0.0
    };
    let visible: Vec<Value> = rows.iter().filter_map(|r| r.shown.clone()).collect();
    Ok(Json(json!({
        "commodity": key.to_string(),
        "year": year,
        "unit": unit,
        "total": total,
        "hhi": hhi,
        "countries": countries.iter().map(|(c, q)| json!({ "country": c, "quantity": q, "share": if total > 0.0 { q / total } else { 0.0 } })).collect::<Vec<_>>(),
        "rows": visible,
        "notes": notes,
    })))
}

/// Row-level differences between two versions of one of the caller's
/// datasets: per file, the lines only in `from` (removed) and only in `to`
/// (added), header excluded, at most 1,000 of each listed.
async fn dataset_diff(
    State(st): State<Shared>,
    h: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let num = |k: &str| -> ApiResult<i64> {
        q.get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, format!("query parameter `{k}`: expected a version number")))
    };
    let (from, to) = (num("from")?, num("to")?);
    let party = p.party_id.clone();
    let contents = with_store(&st, move |s| {
        let vs = s.dataset_versions(&party, &name)?;
        let find = |n: i64| vs.iter().find(|v| v.version == n).map(|v| v.id.clone()).ok_or_else(|| StoreError::NotFound(format!("no version {n} of that dataset")));
        let (a, b) = (find(from)?, find(to)?);
        Ok((s.dataset_content(&party, &a)?, s.dataset_content(&party, &b)?))
    })
    .await?;
    let parse = |b: &[u8]| -> ApiResult<BTreeMap<String, String>> {
        serde_json::from_slice(b).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("stored version unreadable: {e}")))
    };
    let (a, b) = (parse(&contents.0)?, parse(&contents.1)?);
    let mut files = serde_json::Map::new();
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for f in names {
        let lines = |m: &BTreeMap<String, String>| -> Vec<String> {
            m.get(f).map(|t| t.lines().skip(1).map(|l| l.trim_end_matches('\r').to_string()).collect()).unwrap_or_default()
        };
        let (la, lb) = (lines(&a), lines(&b));
        let sa: std::collections::HashSet<&String> = la.iter().collect();
        let sb: std::collections::HashSet<&String> = lb.iter().collect();
        let removed: Vec<&String> = la.iter().filter(|l| !sb.contains(l)).collect();
        let added: Vec<&String> = lb.iter().filter(|l| !sa.contains(l)).collect();
        if removed.is_empty() && added.is_empty() && a.contains_key(f) == b.contains_key(f) {
            continue;
        }
        files.insert(
            f.clone(),
            json!({
                "in_from": a.contains_key(f),
                "in_to": b.contains_key(f),
                "removed_count": removed.len(),
                "added_count": added.len(),
                "removed": removed.iter().take(1000).collect::<Vec<_>>(),
                "added": added.iter().take(1000).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(Json(json!({ "from": from, "to": to, "files": files })))
}

#[derive(serde::Deserialize)]
struct DatasetUpload {
    files: BTreeMap<String, String>,
    /// Contribute this version to the joint workspace: other parties'
    /// workspace results include its rows, shown to them only as
    /// country-stage totals.
    #[serde(default)]
    contribute: bool,
}

async fn upload_dataset(
    State(st): State<Shared>,
    h: HeaderMap,
    Path(name): Path<String>,
    body: Result<Json<DatasetUpload>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let p = principal(&st, &h).await?;
    let Json(up) = body.map_err(|e| ApiError::new(e.status(), format!("expected {{\"files\": {{name: text}}}}: {}", e.body_text())))?;
    // Validate all of it before storing anything.
    let files = up.files;
    let contribute = up.contribute;
    let checked = tokio::task::spawn_blocking({
        let files = files.clone();
        move || lodestone_model::load_texts("upload", &files).map(|_| ()).map_err(|p| p.to_string())
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if let Err(problems) = checked {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "the dataset is not valid; nothing was stored");
        e.problems = problems.lines().map(String::from).collect();
        return Err(e);
    }
    let content = serde_json::to_vec(&files).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let v = with_store(&st, move |s| s.put_dataset_version_with(&p, &name, &content, contribute)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": v.id, "dataset": v.dataset, "version": v.version, "content_hash": v.content_hash, "size": v.size, "created_at": v.created_at, "contributed": contribute })),
    ))
}

/// `limit` from the query: `default` when absent, 400 outside 1..=`max`.
fn page_limit(q: &HashMap<String, String>, default: usize, max: usize) -> ApiResult<usize> {
    match q.get("limit") {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|&n| (1..=max).contains(&n))
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, format!("limit `{l}`: expected 1 to {max}"))),
        None => Ok(default),
    }
}

/// A non-negative integer cursor (`after`) from the query, 0 when absent.
fn after_cursor(q: &HashMap<String, String>) -> ApiResult<i64> {
    match q.get("after") {
        Some(a) => a
            .parse::<i64>()
            .ok()
            .filter(|&n| n >= 0)
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, format!("after `{a}`: expected a non-negative integer from the previous page's `next`"))),
        None => Ok(0),
    }
}

/// Query-string escaping for the `next` links (names are restricted to
/// `[A-Za-z0-9._-]` by the store, ids are hex, but escape anyway).
fn esc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

pub(crate) fn version_json(v: &lodestone_store::DatasetVersion) -> Value {
    json!({
        "id": v.id, "version": v.version, "content_hash": v.content_hash, "size": v.size, "created_at": v.created_at,
        "contributed": v.contributed, "share": if v.contributed { Value::from(v.share.as_str()) } else { Value::Null },
    })
}

async fn dataset_versions(
    State(st): State<Shared>,
    h: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let limit = page_limit(&q, 100, 1000)?;
    let after = after_cursor(&q)?;
    let n = name.clone();
    let (exists, mut vs) = with_store(&st, move |s| Ok((s.has_dataset(&p.party_id, &n)?, s.dataset_versions_page(&p.party_id, &n, limit + 1, after)?))).await?;
    if !exists {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no such dataset"));
    }
    let more = vs.len() > limit;
    vs.truncate(limit);
    let next = match (more, vs.last()) {
        (true, Some(v)) => Value::from(format!("/api/v1/datasets/{}/versions?limit={limit}&after={}", esc(&name), v.version)),
        _ => Value::Null,
    };
    let list: Vec<Value> = vs.iter().map(version_json).collect();
    Ok(Json(json!({ "versions": list, "next": next })))
}

#[derive(serde::Deserialize)]
struct JobRequest {
    kind: String,
    scenario: Option<String>,
    plan: Option<String>,
}

async fn create_job(
    State(st): State<Shared>,
    h: HeaderMap,
    body: Result<Json<JobRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let p = principal(&st, &h).await?;
    let Json(req) = body.map_err(|e| ApiError::new(e.status(), format!("expected {{\"kind\": ..., ...}}: {}", e.body_text())))?;
    let ds = st.dataset;
    let (input, label) = match (req.kind.as_str(), req.scenario, req.plan) {
        ("stress", Some(text), None) => {
            let sc = lodestone_sim::parse_scenario("scenario", &text, ds).map_err(|e| unprocessable("the scenario is not valid", e.to_string()))?;
            (json!({ "kind": "stress", "text": text }), sc.name)
        }
        ("plan", None, Some(text)) => {
            let no_files = |f: &str| -> Result<(String, String), String> { Err(format!("`{f}`: plans sent to the server cannot name scenario files yet")) };
            let inst = lodestone_plan::load_plan("plan", &text, ds, &no_files).map_err(|e| unprocessable("the plan is not valid", e.to_string()))?;
            (json!({ "kind": "plan", "text": text }), inst.name)
        }
        (k, _, _) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("kind `{k}` with the wrong fields: expected kind = stress with `scenario`, or kind = plan with `plan`"),
            ))
        }
    };
    let kind = req.kind.clone();
    let job = with_store(&st, move |s| s.create_job_labelled(&p, &kind, &label, "embedded", &input.to_string())).await?;
    Ok((StatusCode::ACCEPTED, Json(job_json(&job))))
}

fn unprocessable(msg: &str, problems: String) -> ApiError {
    let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg);
    e.problems = problems.lines().map(String::from).collect();
    e
}

pub(crate) fn job_json(j: &lodestone_store::Job) -> Value {
    let result: Value = j.result.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(Value::Null);
    json!({
        "id": j.id,
        "kind": j.kind,
        "label": j.label,
        "data": j.data,
        "status": j.status,
        "progress": j.progress,
        "user": j.user,
        "created_at": j.created_at,
        "updated_at": j.updated_at,
        "error": j.error,
        "result": result,
    })
}

/// The caller's party's jobs, newest first, without inputs or results.
async fn list_jobs(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let limit = page_limit(&q, 50, 1000)?;
    let before = q.get("before").cloned();
    if let Some(b) = &before {
        if b.is_empty() || b.len() > 64 {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "before: expected a job id from the previous page's `next`"));
        }
    }
    let mut jobs = with_store(&st, move |s| s.list_jobs(&p.party_id, limit + 1, before.as_deref()))
        .await
        .map_err(|e| if e.status == StatusCode::UNPROCESSABLE_ENTITY { ApiError::new(StatusCode::BAD_REQUEST, e.message) } else { e })?;
    let more = jobs.len() > limit;
    jobs.truncate(limit);
    let next = match (more, jobs.last()) {
        (true, Some(j)) => Value::from(format!("/api/v1/jobs?limit={limit}&before={}", esc(&j.id))),
        _ => Value::Null,
    };
    let list: Vec<Value> = jobs
        .iter()
        .map(|j| {
            json!({
                "id": j.id, "kind": j.kind, "label": j.label, "data": j.data, "status": j.status, "progress": j.progress,
                "user": j.user, "error": j.error, "created_at": j.created_at, "updated_at": j.updated_at,
            })
        })
        .collect();
    Ok(Json(json!({ "jobs": list, "next": next })))
}

async fn get_job(State(st): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let j = with_store(&st, move |s| s.job(&p.party_id, &id)).await?;
    Ok(Json(job_json(&j)))
}

async fn cancel_job(State(st): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let j = with_store(&st, move |s| s.cancel_job(&p, &id)).await?;
    Ok(Json(job_json(&j)))
}

async fn audit(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let limit = page_limit(&q, 100, 10_000)?;
    let after = after_cursor(&q)?;
    let party = p.party.clone();
    let mut log = with_store(&st, move |s| s.audit_page(Some(&party), limit + 1, after)).await?;
    let more = log.len() > limit;
    log.truncate(limit);
    let next = match (more, log.last()) {
        (true, Some(e)) => Value::from(format!("/api/v1/audit?limit={limit}&after={}", e.seq)),
        _ => Value::Null,
    };
    let list: Vec<Value> = log
        .iter()
        .map(|e| json!({ "seq": e.seq, "at": e.at, "user": e.user, "action": e.action, "object_kind": e.object_kind, "object_id": e.object_id, "detail": e.detail }))
        .collect();
    Ok(Json(json!({ "entries": list, "next": next })))
}
