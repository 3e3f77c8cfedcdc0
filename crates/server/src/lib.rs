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
//! The joint workspace: the embedded dataset plus every party's contributed
//! dataset versions (production, capacity, stockpiles, trade). A caller sees
//! public rows and its own rows one by one, and other parties' rows only at
//! the level each owner chose ([`lodestone_store::ShareLevel`]): totals per
//! country-stage, world totals only, or nothing. Jobs run on the embedded
//! dataset, on one of the caller's dataset versions, or on the workspace
//! (with other parties' rows only where their owners allow country-stage
//! totals, since results are per country-stage).

mod api;
mod jobs;
mod openapi;
mod ui;
mod views;

use lodestone_store::Store;
use std::net::SocketAddr;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// Parsed contributed versions by version id (versions are immutable,
    /// so an entry never goes stale).
    pub parsed: Mutex<HashMap<String, Arc<lodestone_model::Dataset>>>,
    /// Further connections that only resolve bearer tokens (every request
    /// does), so authentication does not queue behind the job runner or
    /// uploads on `store`; see [`AppState::authenticate`].
    pub auth: Vec<Mutex<Store>>,
    pub auth_next: AtomicUsize,
}

impl AppState {
    /// The caller behind a bearer token, on one of the authentication
    /// connections (the first free one, else the next in turn).
    pub(crate) fn authenticate(&self, token: &str) -> Result<Option<lodestone_store::Principal>, lodestone_store::StoreError> {
        if self.auth.is_empty() {
            return self.store.lock().unwrap_or_else(|p| p.into_inner()).authenticate(token);
        }
        for c in &self.auth {
            if let Ok(mut s) = c.try_lock() {
                return s.authenticate(token);
            }
        }
        let i = self.auth_next.fetch_add(1, Ordering::Relaxed) % self.auth.len();
        let mut s = self.auth[i].lock().unwrap_or_else(|p| p.into_inner());
        s.authenticate(token)
    }
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
    // Authentication connections: one per two HTTP worker threads, at
    // least 2, at most 8.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut auth = vec![];
    for _ in 0..(threads / 2).clamp(2, 8) {
        auth.push(Mutex::new(Store::open(&cfg.database_url).map_err(|e| e.to_string())?));
    }
    let state: Shared = Arc::new(AppState { store: Mutex::new(store), dataset, parsed: Mutex::new(HashMap::new()), auth, auth_next: AtomicUsize::new(0) });
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

/// The joint workspace as one party may use it.
pub(crate) mod workspace {
    use super::AppState;
    use lodestone_model::{CommodityKey, CountryCode, Dataset, Output, Stockpile, TradeFlow};
    use lodestone_store::{Contribution, ShareLevel};
    use std::collections::{BTreeMap, HashMap};
    use std::sync::Arc;

    /// One contributed version, parsed, from the caller's point of view.
    pub(crate) struct Part {
        pub dataset: String,
        pub version: i64,
        /// The caller's own party contributed it.
        pub own: bool,
        pub share: ShareLevel,
        pub data: Arc<Dataset>,
    }

    /// Parses the contributions `party_id` may use: its own, and other
    /// parties' unless their owners chose `none` (those are not even
    /// parsed for others). A version's content is read from the store only
    /// when it is not cached and `content` is empty (as
    /// `Store::contribution_index` returns it). Versions were validated at
    /// upload; one that no longer loads (a newer loader) is left out and
    /// logged.
    pub(crate) fn parts(st: &AppState, contributions: Vec<Contribution>, party_id: &str) -> Vec<Part> {
        let mut out = vec![];
        for c in contributions {
            let own = c.party_id == party_id;
            if !own && c.share == ShareLevel::None {
                continue;
            }
            let cached = st.parsed.lock().unwrap_or_else(|p| p.into_inner()).get(&c.version_id).cloned();
            let data = match cached {
                Some(d) => d,
                None => {
                    let content = if c.content.is_empty() {
                        let fetched = st.store.lock().unwrap_or_else(|p| p.into_inner()).contribution(&c.version_id);
                        match fetched {
                            Ok(full) => full.content,
                            Err(e) => {
                                eprintln!("contributed version {}: {e}", c.version_id);
                                continue;
                            }
                        }
                    } else {
                        c.content.clone()
                    };
                    let files: BTreeMap<String, String> = match serde_json::from_slice(&content) {
                        Ok(f) => f,
                        Err(e) => {
                            eprintln!("contributed version {}: stored content is not readable: {e}", c.version_id);
                            continue;
                        }
                    };
                    let d = match lodestone_model::load_texts(&c.dataset, &files) {
                        Ok(d) => Arc::new(d),
                        Err(e) => {
                            eprintln!("contributed version {}: does not load: {e}", c.version_id);
                            continue;
                        }
                    };
                    let mut cache = st.parsed.lock().unwrap_or_else(|p| p.into_inner());
                    // Versions superseded in the workspace stay cached; a
                    // bound keeps that from growing without limit.
                    if cache.len() >= 256 {
                        cache.clear();
                    }
                    cache.insert(c.version_id.clone(), d.clone());
                    d
                }
            };
            out.push(Part { dataset: c.dataset, version: c.version, own, share: c.share, data });
        }
        out
    }

    /// Whether a contributed row can join the public data: its
    /// commodity-stage exists in `base` in the same unit and its countries
    /// are declared there.
    pub(crate) fn fits(base: &Dataset, key: &CommodityKey, part: &Dataset, countries: &[Option<CountryCode>]) -> bool {
        let same_unit = match (base.commodity(key), part.commodity(key)) {
            (Some(a), Some(b)) => a.unit.to_string() == b.unit.to_string(),
            _ => false,
        };
        same_unit && countries.iter().all(|c| c.is_none_or(|c| base.country(c).is_some()))
    }

    /// The data a workspace job runs on.
    pub(crate) struct Merged {
        pub dataset: Dataset,
        /// The caller's own contributions included (`NAME vN`).
        pub own: Vec<String>,
        /// Other parties' contributions included (their owners allow
        /// country-stage totals).
        pub others_included: usize,
        pub notes: Vec<String>,
    }

    fn add_outputs(base: &Dataset, into: &mut Vec<Output>, rows: &[Output], part: &Dataset) -> usize {
        let mut index: HashMap<(CommodityKey, Option<CountryCode>, String, i32), usize> =
            into.iter().enumerate().map(|(i, o)| ((o.key.clone(), o.country, o.producer.clone(), o.year), i)).collect();
        let mut left_out = 0;
        for o in rows {
            if !fits(base, &o.key, part, &[o.country]) {
                left_out += 1;
                continue;
            }
            match index.get(&(o.key.clone(), o.country, o.producer.clone(), o.year)) {
                Some(&i) => into[i].quantity += o.quantity,
                None => {
                    index.insert((o.key.clone(), o.country, o.producer.clone(), o.year), into.len());
                    into.push(o.clone());
                }
            }
        }
        left_out
    }

    fn add_stockpiles(base: &Dataset, into: &mut Vec<Stockpile>, rows: &[Stockpile], part: &Dataset) -> usize {
        let mut index: HashMap<(CommodityKey, CountryCode, i32), usize> =
            into.iter().enumerate().map(|(i, s)| ((s.key.clone(), s.holder, s.year), i)).collect();
        let mut left_out = 0;
        for s in rows {
            if !fits(base, &s.key, part, &[Some(s.holder)]) {
                left_out += 1;
                continue;
            }
            match index.get(&(s.key.clone(), s.holder, s.year)) {
                Some(&i) => into[i].quantity += s.quantity,
                None => {
                    index.insert((s.key.clone(), s.holder, s.year), into.len());
                    into.push(s.clone());
                }
            }
        }
        left_out
    }

    /// Adds trade flows; `into` is sorted (key, year, exporter, importer)
    /// on entry and on exit. A flow on a lane the public data has adds to
    /// its quantity; its value adds too, or, when the contribution gives
    /// none, the public value is scaled with the quantity (the lane's unit
    /// value is kept).
    fn add_trade(base: &Dataset, into: &mut Vec<TradeFlow>, rows: &[TradeFlow], part: &Dataset) -> usize {
        let mut left_out = 0;
        let mut fresh = vec![];
        for t in rows {
            if !fits(base, &t.key, part, &[Some(t.exporter), Some(t.importer)]) {
                left_out += 1;
                continue;
            }
            let pos = into.binary_search_by(|x| (&x.key, x.year, x.exporter, x.importer).cmp(&(&t.key, t.year, t.exporter, t.importer)));
            match pos {
                Ok(i) => {
                    let x = &mut into[i];
                    let q = x.quantity + t.quantity;
                    x.value_kusd = match (x.value_kusd, t.value_kusd) {
                        (Some(a), Some(b)) => Some(a + b),
                        (Some(a), None) if x.quantity > 0.0 => Some(a * q / x.quantity),
                        (a, None) => a,
                        (None, Some(_)) => None,
                    };
                    x.quantity = q;
                }
                Err(_) => fresh.push(t.clone()),
            }
        }
        if !fresh.is_empty() {
            // Within one contribution keys are unique; a later
            // contribution's flow on the same lane finds this one by the
            // binary search above.
            into.extend(fresh);
            into.sort_by(|a, b| (&a.key, a.year, a.exporter, a.importer).cmp(&(&b.key, b.year, b.exporter, b.importer)));
        }
        left_out
    }

    /// The rows of `rows` whose year is at most the public data's latest for
    /// their commodity-stage (any year where the public data has none), and
    /// how many were not.
    fn up_to<T: Clone>(rows: &[T], key: impl Fn(&T) -> (&CommodityKey, i32), latest: &HashMap<CommodityKey, i32>) -> (Vec<T>, usize) {
        let mut kept = Vec::with_capacity(rows.len());
        let mut late = 0;
        for r in rows {
            let (k, y) = key(r);
            match latest.get(k) {
                Some(&l) if y > l => late += 1,
                _ => kept.push(r.clone()),
            }
        }
        (kept, late)
    }

    /// The embedded dataset plus the contributions a job of the caller may
    /// use: its own (any level) and other parties' whose owners allow
    /// country-stage totals. Others' `global-stage` contributions are left
    /// out (a job's results are per country-stage, finer than their owners
    /// allow), with a note giving only their number.
    pub(crate) fn merge(base: &Dataset, parts: &[Part]) -> Merged {
        let mut ds = base.clone();
        let mut prod_latest: HashMap<CommodityKey, i32> = HashMap::new();
        for o in &base.production {
            let y = prod_latest.entry(o.key.clone()).or_insert(o.year);
            *y = (*y).max(o.year);
        }
        let mut trade_latest: HashMap<CommodityKey, i32> = HashMap::new();
        for t in &base.trade {
            let y = trade_latest.entry(t.key.clone()).or_insert(t.year);
            *y = (*y).max(t.year);
        }
        let mut own = vec![];
        let mut others_included = 0;
        let mut global_left_out = 0;
        let mut notes = vec![];
        for p in parts {
            if !p.own && p.share != ShareLevel::CountryStage {
                global_left_out += 1;
                continue;
            }
            let d = &*p.data;
            // A stress or plan network reads one year per commodity-stage,
            // the latest it finds: a contributed row of a later year than
            // the public data's would make that year the only one read and
            // drop every public row of the commodity-stage. Such rows are
            // left out (and counted, for the owner).
            let (production, late_p) = up_to(&d.production, |o| (&o.key, o.year), &prod_latest);
            let (capacity, late_c) = up_to(&d.capacity, |o| (&o.key, o.year), &prod_latest);
            let (trade, late_t) = up_to(&d.trade, |t| (&t.key, t.year), &trade_latest);
            let mut left_out = add_outputs(base, &mut ds.production, &production, d);
            left_out += add_outputs(base, &mut ds.capacity, &capacity, d);
            left_out += add_stockpiles(base, &mut ds.stockpiles, &d.stockpiles, d);
            left_out += add_trade(base, &mut ds.trade, &trade, d);
            let late = late_p + late_c + late_t;
            if p.own {
                own.push(format!("{} v{}", p.dataset, p.version));
                if left_out > 0 {
                    notes.push(format!(
                        "your dataset {} v{}: {left_out} row(s) left out (a commodity-stage the embedded dataset lacks or holds in another unit, or a country it does not declare)",
                        p.dataset, p.version
                    ));
                }
                if late > 0 {
                    notes.push(format!(
                        "your dataset {} v{}: {late} production, capacity or trade row(s) left out: of a year after the public data's latest for their commodity-stage (a network reads one year per commodity-stage, and that year would drop every public row)",
                        p.dataset, p.version
                    ));
                }
            } else {
                others_included += 1;
            }
        }
        if global_left_out > 0 {
            notes.push(format!("{global_left_out} contribution(s) of other parties left out: their owners allow only world totals"));
        }
        // The stress network takes, per holder and commodity-stage, the
        // last stockpile row (of a year up to the scenario's) in table
        // order, which in one dataset's file is its latest. Appended rows
        // would break that (a contribution's older row after a newer one
        // from the public data or an earlier contribution), so the table
        // is put in (commodity-stage, holder, year) order.
        ds.stockpiles.sort_by(|a, b| (&a.key, a.holder, a.year).cmp(&(&b.key, b.holder, b.year)));
        Merged { dataset: ds, own, others_included, notes }
    }
}

#[cfg(test)]
mod tests {
    use super::workspace::{merge, Part};
    use lodestone_store::ShareLevel;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn ds(unit: &str, countries: &str, tables: &[(&str, &str)]) -> lodestone_model::Dataset {
        let mut f: BTreeMap<String, String> = BTreeMap::new();
        f.insert("dataset.toml".into(), "name = \"t\"\ntitle = \"t\"\nstages = [\"mining\"]\n".into());
        f.insert("sources.csv".into(), "id,title,publisher,year,url,license,note\nsrc,Test,tests,,,,\n".into());
        let mut c = "code,name,iso3,source\n".to_string();
        for code in countries.split(',') {
            c.push_str(&format!("{code},{code},,src\n"));
        }
        f.insert("countries.csv".into(), c);
        f.insert("commodities.csv".into(), format!("commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X,{unit},,,,src,\n"));
        for (name, text) in tables {
            f.insert(name.to_string(), text.to_string());
        }
        lodestone_model::load_texts("test", &f).unwrap()
    }

    const PROD: &str = "commodity,stage,country,producer,year,quantity,unit,estimated,source,note\n";
    const TRADE: &str = "commodity,stage,exporter,importer,year,quantity,unit,value_kusd,source,note\n";
    const STOCK: &str = "commodity,stage,holder,year,quantity,unit,release_rule,source,note\n";

    fn part(own: bool, share: ShareLevel, d: lodestone_model::Dataset) -> Part {
        Part { dataset: "d".into(), version: 1, own, share, data: Arc::new(d) }
    }

    /// The merged workspace: rows on the same key add up (a lane's value
    /// too, or scaled with its quantity when the contribution gives none),
    /// new keys are appended, rows that do not fit are left out, other
    /// parties' global-stage contributions are left out with a count, and
    /// the result passes the loader's own checks.
    #[test]
    fn merge_adds_what_may_be_used_and_stays_valid() {
        let base = ds("t", "JP,PH,US", &[("production.csv", &format!("{PROD}x,mining,JP,,2024,5,t,,src,\n")), ("trade.csv", &format!("{TRADE}x,mining,PH,JP,2024,10,t,100,src,\n"))]);
        let own = ds(
            "t",
            "JP,PH",
            &[
                ("production.csv", &format!("{PROD}x,mining,JP,Plant,2024,3,t,,src,\nx,mining,JP,,2024,2,t,,src,\n")),
                ("trade.csv", &format!("{TRADE}x,mining,PH,JP,2024,5,t,,src,\n")),
                ("stockpiles.csv", &format!("{STOCK}x,mining,JP,2024,7,t,,src,\n")),
            ],
        );
        let other = ds("t", "JP,PH,US", &[("trade.csv", &format!("{TRADE}x,mining,PH,JP,2024,1,t,20,src,\nx,mining,US,JP,2024,4,t,,src,\n"))]);
        let other_global = ds("t", "JP", &[("stockpiles.csv", &format!("{STOCK}x,mining,JP,2024,1000,t,,src,\n"))]);
        // kt: another unit than the public t; its rows cannot join.
        let other_kt = ds("kt", "JP", &[("stockpiles.csv", &format!("{STOCK}x,mining,JP,2024,1,kt,,src,\n"))]);
        // KR is not declared in the base dataset.
        let own_kr = ds("t", "KR", &[("stockpiles.csv", &format!("{STOCK}x,mining,KR,2024,9,t,,src,\n"))]);
        let parts = vec![
            part(true, ShareLevel::GlobalStage, own),
            part(false, ShareLevel::CountryStage, other),
            part(false, ShareLevel::GlobalStage, other_global),
            part(false, ShareLevel::CountryStage, other_kt),
            part(true, ShareLevel::None, own_kr),
        ];
        let m = merge(&base, &parts);
        // Production: the country total 5 + 2, and the plant's 3 beside it.
        let prod: Vec<(String, f64)> = m.dataset.production.iter().map(|o| (o.producer.clone(), o.quantity)).collect();
        assert_eq!(prod, [(String::new(), 7.0), ("Plant".to_string(), 3.0)]);
        // Trade: PH->JP 10 + 5 + 1; value 100 scaled to 15 t (150), then + 20.
        let trade: Vec<(String, String, f64, Option<f64>)> =
            m.dataset.trade.iter().map(|t| (t.exporter.to_string(), t.importer.to_string(), t.quantity, t.value_kusd)).collect();
        assert_eq!(trade, [("PH".into(), "JP".into(), 16.0, Some(170.0)), ("US".into(), "JP".into(), 4.0, None)]);
        // Stockpiles: only the own 7 t (the global-stage 1000 t and the kt row are out).
        assert_eq!(m.dataset.stockpiles.iter().map(|s| s.quantity).collect::<Vec<_>>(), [7.0]);
        assert_eq!(m.own, ["d v1", "d v1"]);
        assert_eq!(m.others_included, 2);
        assert_eq!(
            m.notes,
            [
                "your dataset d v1: 1 row(s) left out (a commodity-stage the embedded dataset lacks or holds in another unit, or a country it does not declare)",
                "1 contribution(s) of other parties left out: their owners allow only world totals",
            ]
        );
        // The loader's checks (unique keys, references, sorted trade) hold.
        let checked = m.dataset.validate().unwrap();
        assert_eq!(checked.trade, m.dataset.trade);
        assert_eq!(checked.stockpiles, m.dataset.stockpiles);
    }

    /// A workspace job's network starts from each holder's latest
    /// stockpile, whichever contribution states it and in whatever order
    /// the contributions come: here the public data says JP held 50 t in
    /// 2022, one party 10 t in 2024 and another 99 t in 2023, so the JP
    /// node starts with 10 t.
    /// A contributed production row of a later year than the public
    /// data's (2025 against 2024) would make the network read 2025 alone
    /// and drop the public producers: it is left out, with a note for its
    /// owner, and the network keeps PH's 100 t and JP's 5 + 2 t of 2024.
    /// A commodity-stage the public data has no production for takes
    /// contributions of any year.
    #[test]
    fn contributions_after_the_public_year_are_left_out() {
        let base = ds("t", "JP,PH", &[("production.csv", &format!("{PROD}x,mining,PH,,2024,100,t,,src,\nx,mining,JP,,2024,5,t,,src,\n"))]);
        let later = ds("t", "JP", &[("production.csv", &format!("{PROD}x,mining,JP,,2025,8,t,,src,\nx,mining,JP,,2024,2,t,,src,\n"))]);
        for own in [true, false] {
            let m = merge(&base, &[part(own, ShareLevel::CountryStage, later.clone())]);
            let scenario = "name = \"s\"\nhorizon = 2\nperiod = \"month\"\n[network]\ncommodities = [\"x/mining\"]\n";
            let sc = lodestone_sim::parse_scenario("s", scenario, &m.dataset).unwrap();
            let net = lodestone_sim::Network::build(&m.dataset, &sc.network, sc.period);
            let mut prod: Vec<(String, f64)> = net.nodes.iter().enumerate().map(|(i, n)| (n.country.to_string(), net.production[i])).collect();
            prod.sort_by(|a, b| a.0.cmp(&b.0));
            // Monthly: 7 t and 100 t a year.
            assert_eq!(prod, [("JP".to_string(), 7.0 / 12.0), ("PH".to_string(), 100.0 / 12.0)]);
            let noted = m.notes.iter().any(|n| n.contains("1 production, capacity or trade row(s) left out: of a year after"));
            assert_eq!(noted, own, "{:?}", m.notes);
        }
    }

    #[test]
    fn merged_stockpiles_start_from_the_latest_year() {
        let base = ds(
            "t",
            "JP,PH",
            &[
                ("production.csv", &format!("{PROD}x,mining,PH,,2024,100,t,,src,\nx,mining,JP,,2024,5,t,,src,\n")),
                ("trade.csv", &format!("{TRADE}x,mining,PH,JP,2024,10,t,,src,\n")),
                ("stockpiles.csv", &format!("{STOCK}x,mining,JP,2022,50,t,,src,\n")),
            ],
        );
        let newer = ds("t", "JP", &[("stockpiles.csv", &format!("{STOCK}x,mining,JP,2024,10,t,,src,\n"))]);
        let older = ds("t", "JP", &[("stockpiles.csv", &format!("{STOCK}x,mining,JP,2023,99,t,,src,\n"))]);
        let scenario = "name = \"s\"\nhorizon = 2\nperiod = \"month\"\n[network]\ncommodities = [\"x/mining\"]\n";
        for parts in [
            vec![part(false, ShareLevel::CountryStage, newer.clone()), part(false, ShareLevel::CountryStage, older.clone())],
            vec![part(false, ShareLevel::CountryStage, older), part(true, ShareLevel::None, newer)],
        ] {
            let m = merge(&base, &parts);
            let sc = lodestone_sim::parse_scenario("s", scenario, &m.dataset).unwrap();
            let net = lodestone_sim::Network::build(&m.dataset, &sc.network, sc.period);
            let jp = net.nodes.iter().position(|n| n.country.as_str() == "JP").unwrap();
            assert_eq!(net.stock[jp], 10.0);
        }
    }
}
