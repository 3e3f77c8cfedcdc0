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
    let st = st.clone();
    tokio::task::spawn_blocking(move || st.authenticate(&token))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("worker failed: {e}")))?
        .map_err(ApiError::from)?
        .ok_or_else(unauth)
}

pub(crate) fn router(state: Shared, max_body: usize) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi_doc))
        .route("/api/v1/me", get(me))
        .route("/api/v1/exposure", get(exposure))
        .route("/api/v1/datasets", get(list_datasets))
        .route("/api/v1/validate", post(validate_dataset))
        .route("/api/v1/datasets/{name}", post(upload_dataset))
        .route("/api/v1/origin", get(origin))
        .route("/api/v1/workspace/production", get(workspace_production))
        .route("/api/v1/workspace/capacity", get(workspace_capacity))
        .route("/api/v1/workspace/stockpiles", get(workspace_stockpiles))
        .route("/api/v1/workspace/trade", get(workspace_trade))
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

/// The confidential tables partners contribute to the joint workspace.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Production,
    Capacity,
    Stockpiles,
    Trade,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Production => "production",
            Table::Capacity => "capacity",
            Table::Stockpiles => "stockpiles",
            Table::Trade => "trade",
        }
    }
}

/// How much of a row the caller may see.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Vis {
    /// Public or the caller's own: the row itself.
    Row,
    /// Another party's, allowed at country-stage: inside country totals.
    CountryTotal,
    /// Another party's, allowed at global-stage: inside the world total only.
    WorldTotal,
}

struct WRow {
    /// Country (holder, exporter); "ZZ" when not attributed.
    country: String,
    /// Importer (trade only).
    partner: Option<String>,
    year: i32,
    quantity: f64,
    vis: Vis,
    /// The row as shown when `vis` is `Row`.
    row: Option<Value>,
}

fn cc(c: Option<lodestone_model::CountryCode>) -> String {
    c.map_or("ZZ".to_string(), |c| c.to_string())
}

/// The rows of `table` for `key` in `ds`; `from` labels shown rows.
fn table_rows(ds: &lodestone_model::Dataset, table: Table, key: &CommodityKey, vis: Vis, from: &str, fits: &dyn Fn(&[Option<lodestone_model::CountryCode>]) -> bool) -> (Vec<WRow>, usize) {
    let mut out = vec![];
    let mut left_out = 0;
    let shown = |v: Value| (vis == Vis::Row).then_some(v);
    match table {
        Table::Production | Table::Capacity => {
            let rows = if table == Table::Production { &ds.production } else { &ds.capacity };
            for o in rows.iter().filter(|o| &o.key == key) {
                if !fits(&[o.country]) {
                    left_out += 1;
                    continue;
                }
                out.push(WRow {
                    country: cc(o.country),
                    partner: None,
                    year: o.year,
                    quantity: o.quantity,
                    vis,
                    row: shown(json!({ "country": cc(o.country), "producer": o.producer, "year": o.year, "quantity": o.quantity, "estimated": o.estimated, "source": o.source, "note": o.note, "from": from })),
                });
            }
        }
        Table::Stockpiles => {
            for o in ds.stockpiles.iter().filter(|o| &o.key == key) {
                if !fits(&[Some(o.holder)]) {
                    left_out += 1;
                    continue;
                }
                out.push(WRow {
                    country: o.holder.to_string(),
                    partner: None,
                    year: o.year,
                    quantity: o.quantity,
                    vis,
                    row: shown(json!({ "holder": o.holder.to_string(), "year": o.year, "quantity": o.quantity, "release_rule": o.release_rule, "source": o.source, "note": o.note, "from": from })),
                });
            }
        }
        Table::Trade => {
            for t in ds.trade_of(key) {
                if !fits(&[Some(t.exporter), Some(t.importer)]) {
                    left_out += 1;
                    continue;
                }
                out.push(WRow {
                    country: t.exporter.to_string(),
                    partner: Some(t.importer.to_string()),
                    year: t.year,
                    quantity: t.quantity,
                    vis,
                    row: shown(json!({ "exporter": t.exporter.to_string(), "importer": t.importer.to_string(), "year": t.year, "quantity": t.quantity, "value_kusd": t.value_kusd, "source": t.source, "note": t.note, "from": from })),
                });
            }
        }
    }
    (out, left_out)
}

/// Sorted largest first, then by name.
fn totals_list(m: BTreeMap<String, f64>, total: f64, name: &str) -> Vec<Value> {
    let mut v: Vec<(String, f64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().map(|(c, q)| json!({ name: c, "quantity": q, "share": if total > 0.0 { q / total } else { 0.0 } })).collect()
}

/// One table of one commodity-stage in the joint workspace: the embedded
/// dataset plus every contributed dataset of every party. The caller sees
/// public rows and its own party's rows one by one; another party's rows
/// only as its owner allows: inside the per-country totals
/// (`country-stage`), inside the world total only, reported as
/// `undisclosed` (`global-stage`), or not at all (`none`). Never a
/// producer name, a row's quantity, its source or note, or which party
/// contributed.
async fn workspace_table(st: Shared, h: HeaderMap, q: HashMap<String, String>, table: Table) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let k = q.get("commodity").ok_or_else(|| bad("missing query parameter `commodity` (commodity/stage)".into()))?;
    let key = CommodityKey::parse(k).ok_or_else(|| bad(format!("`{k}` is not commodity/stage")))?;
    let year = match q.get("year") {
        Some(y) => Some(y.parse::<i32>().map_err(|_| bad(format!("year `{y}` is not a year")))?),
        None => None,
    };
    let country = match (table, q.get("country")) {
        (Table::Trade, Some(c)) => Some(lodestone_model::CountryCode::parse(c).ok_or_else(|| bad(format!("country `{c}` is not an ISO 3166-1 alpha-2 code")))?.to_string()),
        (_, Some(_)) => return Err(bad("`country` filters trade only".into())),
        (_, None) => None,
    };
    let ds = st.dataset;
    let unit = ds
        .commodity(&key)
        .map(|c| c.unit.to_string())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("unknown commodity `{key}`")))?;
    let contributions = with_store(&st, |s| s.contribution_index()).await?;
    let st2 = st.clone();
    let party = p.party_id.clone();
    let parts = tokio::task::spawn_blocking(move || crate::workspace::parts(&st2, contributions, &party))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let (mut rows, _) = table_rows(ds, table, &key, Vis::Row, "public", &|_| true);
    let mut notes = vec![];
    for part in &parts {
        let vis = match (part.own, part.share) {
            (true, _) => Vis::Row,
            (false, lodestone_store::ShareLevel::CountryStage) => Vis::CountryTotal,
            (false, lodestone_store::ShareLevel::GlobalStage) => Vis::WorldTotal,
            (false, lodestone_store::ShareLevel::None) => continue,
        };
        let from = format!("your dataset {} v{}", part.dataset, part.version);
        let fits = |c: &[Option<lodestone_model::CountryCode>]| crate::workspace::fits(ds, &key, &part.data, c);
        let (more, left_out) = table_rows(&part.data, table, &key, vis, &from, &fits);
        if part.own && left_out > 0 {
            notes.push(format!("{from}: {left_out} row(s) of {key} left out (another unit than the public {unit}, or a country the embedded dataset does not declare)"));
        }
        rows.extend(more);
    }
    if let Some(c) = &country {
        // Quantities their owners share only as world totals are in no
        // country: a country filter must not attribute them to one (the
        // sum of such flows from or to C, asked for every C, would show
        // each flow's exporter and importer). They are left out of a
        // filtered answer, and the note says so whether or not there are
        // any (its presence must not tell either).
        rows.retain(|r| r.vis != Vis::WorldTotal && (&r.country == c || r.partner.as_ref() == Some(c)));
        notes.push("with `country`, quantities other parties share only as world totals are left out; see the unfiltered view's `undisclosed`".to_string());
    }
    let year = match year.or_else(|| rows.iter().map(|r| r.year).max()) {
        Some(y) => y,
        None => return Err(ApiError::new(StatusCode::NOT_FOUND, format!("no {} rows for {key}", table.name()))),
    };
    rows.retain(|r| r.year == year);
    let total: f64 = rows.iter().map(|r| r.quantity).sum();
    let undisclosed: f64 = rows.iter().filter(|r| r.vis == Vis::WorldTotal).map(|r| r.quantity).sum();
    let attributed = || rows.iter().filter(|r| r.vis != Vis::WorldTotal);
    let visible: Vec<Value> = rows.iter().filter_map(|r| r.row.clone()).collect();
    let mut out = json!({
        "table": table.name(),
        "commodity": key.to_string(),
        "year": year,
        "unit": unit,
        "total": total,
        "undisclosed": undisclosed,
        "rows": visible,
        "notes": notes,
    });
    if table == Table::Trade {
        let (mut ex, mut im, mut pairs) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        for r in attributed() {
            let imp = r.partner.clone().unwrap_or_default();
            *ex.entry(r.country.clone()).or_insert(0.0) += r.quantity;
            *im.entry(imp.clone()).or_insert(0.0) += r.quantity;
            *pairs.entry((r.country.clone(), imp)).or_insert(0.0) += r.quantity;
        }
        let mut pv: Vec<((String, String), f64)> = pairs.into_iter().collect();
        pv.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out["country"] = json!(country);
        out["exporters"] = json!(totals_list(ex, total, "country"));
        out["importers"] = json!(totals_list(im, total, "country"));
        out["pairs"] = json!(pv.into_iter().map(|((e, i), q)| json!({ "exporter": e, "importer": i, "quantity": q })).collect::<Vec<_>>());
    } else {
        let mut by: BTreeMap<String, f64> = BTreeMap::new();
        for r in attributed() {
            *by.entry(r.country.clone()).or_insert(0.0) += r.quantity;
        }
        // HHI over named countries' shares of the whole total; `ZZ` and
        // undisclosed quantities count in the total but in no country, so
        // with either present it is a lower bound.
        let hhi: f64 = if total > 0.0 { by.iter().filter(|c| c.0 != "ZZ").map(|c| (100.0 * c.1 / total).powi(2)).sum() } else { 0.0 };
        out["countries"] = json!(totals_list(by, total, "country"));
        if table != Table::Stockpiles {
            out["hhi"] = json!(hhi);
        }
    }
    Ok(Json(out))
}

async fn workspace_production(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    workspace_table(st, h, q, Table::Production).await
}

async fn workspace_capacity(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    workspace_table(st, h, q, Table::Capacity).await
}

async fn workspace_stockpiles(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    workspace_table(st, h, q, Table::Stockpiles).await
}

async fn workspace_trade(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    workspace_table(st, h, q, Table::Trade).await
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
    /// With `contribute`: what other parties may see (`country-stage`
    /// (default), `global-stage` or `none`).
    share: Option<String>,
}

#[derive(serde::Deserialize)]
struct DatasetFiles {
    files: BTreeMap<String, String>,
}

/// Checks a dataset as an upload would, storing nothing: 200 with the
/// number of rows per table, or 422 with every problem.
async fn validate_dataset(
    State(st): State<Shared>,
    h: HeaderMap,
    body: Result<Json<DatasetFiles>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<Value>> {
    principal(&st, &h).await?;
    let Json(up) = body.map_err(|e| ApiError::new(e.status(), format!("expected {{\"files\": {{name: text}}}}: {}", e.body_text())))?;
    let checked = tokio::task::spawn_blocking(move || lodestone_model::load_texts("upload", &up.files).map_err(|p| p.to_string()))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    match checked {
        Ok(d) => Ok(Json(json!({
            "valid": true,
            "name": d.manifest.name,
            "rows": {
                "countries": d.countries.len(), "commodities": d.commodities.len(), "production": d.production.len(),
                "capacity": d.capacity.len(), "stockpiles": d.stockpiles.len(), "trade": d.trade.len(), "demand": d.demand.len(),
            },
        }))),
        Err(problems) => {
            let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "the dataset is not valid");
            e.problems = problems.lines().map(String::from).collect();
            Err(e)
        }
    }
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
    let share = match (&up.share, contribute) {
        (None, _) => lodestone_store::ShareLevel::CountryStage,
        (Some(l), true) => lodestone_store::ShareLevel::parse(l).ok_or_else(|| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("share `{l}`: expected country-stage, global-stage or none"))
        })?,
        (Some(_), false) => return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "`share` applies only with \"contribute\": true")),
    };
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
    let v = with_store(&st, move |s| s.put_dataset_version_shared(&p, &name, &content, contribute, share)).await?;
    let mut body = version_json(&v);
    body["dataset"] = json!(v.dataset);
    Ok((StatusCode::CREATED, Json(body)))
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

/// The caller's party's datasets by name, each with its latest version.
async fn list_datasets(State(st): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let p = principal(&st, &h).await?;
    let limit = page_limit(&q, 100, 1000)?;
    let after = q.get("after").cloned().unwrap_or_default();
    if after.len() > 64 {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "after: expected a dataset name from the previous page's `next`"));
    }
    let mut ds = with_store(&st, move |s| s.list_datasets(&p.party_id, limit + 1, &after)).await?;
    let more = ds.len() > limit;
    ds.truncate(limit);
    let next = match (more, ds.last()) {
        (true, Some(v)) => Value::from(format!("/api/v1/datasets?limit={limit}&after={}", esc(&v.dataset))),
        _ => Value::Null,
    };
    let list: Vec<Value> = ds.iter().map(|v| json!({ "name": v.dataset, "latest": version_json(v) })).collect();
    Ok(Json(json!({ "datasets": list, "next": next })))
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
    /// Run on one of the caller's party's datasets (its latest version, or
    /// `version`) instead of the embedded one.
    dataset: Option<String>,
    version: Option<i64>,
    /// Run on the joint workspace: the embedded dataset plus the
    /// contributions the caller may use, as they are when the job is queued.
    #[serde(default)]
    workspace: bool,
}

async fn create_job(
    State(st): State<Shared>,
    h: HeaderMap,
    body: Result<Json<JobRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let p = principal(&st, &h).await?;
    let Json(req) = body.map_err(|e| ApiError::new(e.status(), format!("expected {{\"kind\": ..., ...}}: {}", e.body_text())))?;
    let text = match (req.kind.as_str(), &req.scenario, &req.plan) {
        ("stress", Some(text), None) | ("plan", None, Some(text)) => text.clone(),
        (k, _, _) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("kind `{k}` with the wrong fields: expected kind = stress with `scenario`, or kind = plan with `plan`"),
            ))
        }
    };
    // What it runs on, pinned now: a version id, or the workspace's
    // contributed version ids.
    let (on, data_label, own_ds): (Value, String, Option<lodestone_model::Dataset>) = match (req.workspace, &req.dataset, req.version) {
        (true, None, None) => {
            let party = p.party_id.clone();
            let pinned = with_store(&st, move |s| {
                Ok(s.contribution_index()?
                    .into_iter()
                    .filter(|c| c.party_id == party || c.share != lodestone_store::ShareLevel::None)
                    .map(|c| c.version_id)
                    .collect::<Vec<_>>())
            })
            .await?;
            // The workspace has the embedded dataset's commodity-stages and
            // countries (contributed rows outside them are left out), so
            // inputs are checked against it.
            (json!({ "on": "workspace", "versions": pinned }), "workspace".to_string(), None)
        }
        (false, Some(name), version) => {
            let party = p.party_id.clone();
            let name2 = name.clone();
            let (vid, number, content) = with_store(&st, move |s| {
                let vs = s.dataset_versions(&party, &name2)?;
                let v = match version {
                    Some(n) => vs.iter().find(|v| v.version == n),
                    None => vs.last(),
                }
                .ok_or_else(|| StoreError::NotFound("no such dataset version".into()))?;
                Ok((v.id.clone(), v.version, s.dataset_content(&party, &v.id)?))
            })
            .await?;
            let loaded = tokio::task::spawn_blocking(move || {
                let files: BTreeMap<String, String> = serde_json::from_slice(&content).map_err(|e| format!("stored version unreadable: {e}"))?;
                lodestone_model::load_texts("dataset", &files).map_err(|e| format!("stored version does not load: {e}"))
            })
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
            (json!({ "on": "dataset", "version_id": vid, "dataset": name, "version": number }), format!("dataset {name} v{number}"), Some(loaded))
        }
        (false, None, None) => (json!({ "on": "embedded" }), "embedded".to_string(), None),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "choose the data with `workspace: true`, or `dataset` (and optionally `version`), or neither (the embedded dataset)",
            ))
        }
    };
    let kind = req.kind.clone();
    let base = st.dataset;
    let checked = tokio::task::spawn_blocking(move || -> Result<String, ApiError> {
        let ds = own_ds.as_ref().unwrap_or(base);
        if kind == "stress" {
            let sc = lodestone_sim::parse_scenario("scenario", &text, ds).map_err(|e| unprocessable("the scenario is not valid", e.to_string()))?;
            Ok(sc.name)
        } else {
            let inst = lodestone_plan::load_plan("plan", &text, ds, &crate::views::example_scenario).map_err(|e| unprocessable("the plan is not valid", e.to_string()))?;
            Ok(inst.name)
        }
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let label = checked?;
    let text = req.scenario.or(req.plan).unwrap_or_default();
    let input = json!({ "kind": req.kind, "text": text, "data": on, "party_id": p.party_id });
    let kind = req.kind.clone();
    let job = with_store(&st, move |s| s.create_job_labelled(&p, &kind, &label, &data_label, &input.to_string())).await?;
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
        "eta_seconds": lodestone_store::job_eta(&j.status, j.started_at.as_deref(), j.progress),
        "started_at": j.started_at,
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
                "eta_seconds": lodestone_store::job_eta(&j.status, j.started_at.as_deref(), j.progress), "started_at": j.started_at,
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
