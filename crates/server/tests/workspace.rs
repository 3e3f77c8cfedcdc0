//! The joint workspace with three parties (japan, usa, philippines), each
//! contributing capacity, stockpiles and trade at a different level
//! (country-stage, global-stage, none): what every party sees in every
//! workspace view, and what workspace jobs and dataset-version jobs compute,
//! each checked against values derived here from the embedded dataset and
//! the uploaded rows. SQLite and PostgreSQL.

mod common;

use common::*;
use lodestone_model::{CommodityKey, CountryCode, Dataset, Output, Stockpile, TradeFlow};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Level {
    CountryStage,
    GlobalStage,
    None,
}

/// One party's contribution: a capacity row (nickel/mining), a stockpile
/// and a trade flow (rare_earth_compounds/refining), all for 2024, each
/// with a secret text that only its owner may ever see.
struct Contrib {
    party: usize,
    level: Level,
    plant: &'static str,
    cap_country: &'static str,
    cap: f64,
    holder: &'static str,
    stock: f64,
    rule: &'static str,
    exporter: &'static str,
    flow: f64,
    lane_note: &'static str,
}

const C: [Contrib; 3] = [
    Contrib { party: 0, level: Level::CountryStage, plant: "Secret Plant A", cap_country: "JP", cap: 700.0, holder: "JP", stock: 5000.0, rule: "secret-rule-j", exporter: "PH", flow: 123.0, lane_note: "secret-lane-j" },
    Contrib { party: 1, level: Level::GlobalStage, plant: "Secret Plant U", cap_country: "US", cap: 300.0, holder: "US", stock: 800.0, rule: "secret-rule-u", exporter: "US", flow: 50.0, lane_note: "secret-lane-u" },
    Contrib { party: 2, level: Level::None, plant: "Secret Plant P", cap_country: "PH", cap: 90.0, holder: "PH", stock: 40.0, rule: "secret-rule-p", exporter: "PH", flow: 7.0, lane_note: "secret-lane-p" },
];

impl Contrib {
    fn body(&self) -> Value {
        let share = match self.level {
            Level::CountryStage => "country-stage",
            Level::GlobalStage => "global-stage",
            Level::None => "none",
        };
        contribution(
            &[
                ("capacity.csv", format!("{CAPACITY_HEADER}nickel,mining,{},{},2024,{},t,,src,\n", self.cap_country, self.plant, self.cap)),
                ("stockpiles.csv", format!("{STOCK_HEADER}rare_earth_compounds,refining,{},2024,{},t,{},src,\n", self.holder, self.stock, self.rule)),
                ("trade.csv", format!("{TRADE_HEADER}rare_earth_compounds,refining,{},JP,2024,{},t,,src,{}\n", self.exporter, self.flow, self.lane_note)),
            ],
            Some(share),
        )
    }

    fn secrets(&self) -> [&'static str; 3] {
        [self.plant, self.rule, self.lane_note]
    }
}

/// The rule under test, written out: what `viewer` sees of `c`.
#[derive(PartialEq)]
enum Seen {
    Row,
    CountryTotal,
    WorldTotal,
    Nothing,
}

fn seen(viewer: usize, c: &Contrib) -> Seen {
    match (viewer == c.party, c.level) {
        (true, _) => Seen::Row,
        (false, Level::CountryStage) => Seen::CountryTotal,
        (false, Level::GlobalStage) => Seen::WorldTotal,
        (false, Level::None) => Seen::Nothing,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn totals(v: &Value, field: &str, name: &str) -> BTreeMap<String, f64> {
    v[field].as_array().unwrap_or_else(|| panic!("no {field}: {v}")).iter().map(|c| (c[name].as_str().unwrap().to_string(), c["quantity"].as_f64().unwrap())).collect()
}

fn same_totals(got: &BTreeMap<String, f64>, want: &BTreeMap<String, f64>, what: &str) {
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{what}");
    for (k, w) in want {
        assert!(close(got[k], *w), "{what} {k}: {} vs {w}", got[k]);
    }
}

/// The scenario used on the workspace: the example ban without its
/// assumed Japanese reserve, so stockpiles in the data count.
fn ban_scenario() -> String {
    let s = SCENARIO;
    let a = s.find("[[network.stock]]").unwrap();
    let b = s[a..].find("[[disruption]]").unwrap() + a;
    format!("{}{}", &s[..a], &s[b..])
}

/// The embedded dataset plus what `viewer`'s jobs may use, built directly
/// (rows pushed, trade re-sorted), not through the server's merge.
fn expected_dataset(ds: &Dataset, viewer: usize) -> Dataset {
    let mut d = ds.clone();
    let rec = CommodityKey::parse("rare_earth_compounds/refining").unwrap();
    for c in &C {
        if !(viewer == c.party || c.level == Level::CountryStage) {
            continue;
        }
        d.capacity.push(Output {
            key: CommodityKey::parse("nickel/mining").unwrap(),
            country: CountryCode::parse(c.cap_country),
            producer: c.plant.into(),
            year: 2024,
            quantity: c.cap,
            estimated: false,
            source: "src".into(),
            note: String::new(),
        });
        d.stockpiles.push(Stockpile { key: rec.clone(), holder: CountryCode::parse(c.holder).unwrap(), year: 2024, quantity: c.stock, release_rule: c.rule.into(), source: "src".into(), note: String::new() });
        d.trade.push(TradeFlow {
            key: rec.clone(),
            exporter: CountryCode::parse(c.exporter).unwrap(),
            importer: CountryCode::parse("JP").unwrap(),
            year: 2024,
            quantity: c.flow,
            value_kusd: None,
            source: "src".into(),
            note: c.lane_note.into(),
        });
    }
    d.trade.sort_by(|a, b| (&a.key, a.year, a.exporter, a.importer).cmp(&(&b.key, b.year, b.exporter, b.importer)));
    d
}

/// Per node "CC:commodity/stage" -> cumulative shortfall.
fn simulate(ds: &Dataset, text: &str) -> BTreeMap<String, f64> {
    let sc = lodestone_sim::parse_scenario("x", text, ds).unwrap();
    let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
    let groups = lodestone_sim::dataset_groups(ds);
    let c = lodestone_sim::compile(&net, &sc, &groups);
    let r = lodestone_sim::simulate(&net, &c, lodestone_sim::Record::Summary, &|_, _| {}, &std::sync::atomic::AtomicBool::new(false));
    r.nodes.iter().map(|n| (format!("{}:{}", n.country, n.key), n.cumulative_shortfall)).collect()
}

fn api_shortfalls(job: &Value) -> BTreeMap<String, f64> {
    job["result"]["result"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no nodes: {job}"))
        .iter()
        .map(|n| {
            let k = &n["key"];
            (format!("{}:{}/{}", n["country"].as_str().unwrap(), k["commodity"].as_str().unwrap(), k["stage"].as_str().unwrap()), n["cumulative_shortfall"].as_f64().unwrap())
        })
        .collect()
}

fn joint(db: (String, Option<tempfile::TempDir>)) {
    let (a, b, c) = users3(&db.0);
    let tokens = [a, b, c];
    let s = start(db);
    let u = |p: &str| format!("{}{p}", s.base);
    let ds = lodestone_data::default_dataset().unwrap();

    // A level without `contribute`, or an unknown level, is refused.
    let mut no = C[0].body();
    no["contribute"] = json!(false);
    assert_eq!(call("POST", &u("/api/v1/datasets/x"), Some(&tokens[0]), Some(no)).0, 422);
    let mut bad = C[0].body();
    bad["share"] = json!("rows");
    let (code, e) = call("POST", &u("/api/v1/datasets/x"), Some(&tokens[0]), Some(bad));
    assert_eq!(code, 422, "{e}");
    assert!(e["error"].as_str().is_some_and(|m| m.contains("rows")), "{e}");

    for c in &C {
        let (code, v) = call("POST", &u("/api/v1/datasets/contrib"), Some(&tokens[c.party]), Some(c.body()));
        assert_eq!(code, 201, "{v}");
        let want = match c.level {
            Level::CountryStage => "country-stage",
            Level::GlobalStage => "global-stage",
            Level::None => "none",
        };
        assert_eq!((v["contributed"].as_bool(), v["share"].as_str()), (Some(true), Some(want)));
        let (_, vs) = call("GET", &u("/api/v1/datasets/contrib/versions"), Some(&tokens[c.party]), None);
        assert_eq!(vs["versions"][0]["share"], want);
    }

    let cap_key = CommodityKey::parse("nickel/mining").unwrap();
    let rec = CommodityKey::parse("rare_earth_compounds/refining").unwrap();
    for viewer in 0..3 {
        let tok = &tokens[viewer];
        let others_secrets: Vec<&str> = C.iter().filter(|c| c.party != viewer).flat_map(|c| c.secrets()).collect();
        let own = C.iter().find(|c| c.party == viewer).unwrap();

        // Capacity and stockpiles: per-country totals, world total,
        // undisclosed world-only quantities, rows.
        for (route, key, get) in [
            ("capacity", &cap_key, (|c: &Contrib| (c.cap_country, c.cap)) as fn(&Contrib) -> (&'static str, f64)),
            ("stockpiles", &rec, |c: &Contrib| (c.holder, c.stock)),
        ] {
            let mut by: BTreeMap<String, f64> = BTreeMap::new();
            let mut public_rows = 0;
            if route == "capacity" {
                for o in ds.capacity.iter().filter(|o| &o.key == key && o.year == 2024) {
                    *by.entry(o.country.map_or("ZZ".into(), |c| c.to_string())).or_insert(0.0) += o.quantity;
                    public_rows += 1;
                }
            } else {
                for o in ds.stockpiles.iter().filter(|o| &o.key == key && o.year == 2024) {
                    *by.entry(o.holder.to_string()).or_insert(0.0) += o.quantity;
                    public_rows += 1;
                }
            }
            let mut total: f64 = by.values().sum();
            let mut undisclosed = 0.0;
            for c in &C {
                let (country, q) = get(c);
                match seen(viewer, c) {
                    Seen::Row | Seen::CountryTotal => {
                        *by.entry(country.into()).or_insert(0.0) += q;
                        total += q;
                    }
                    Seen::WorldTotal => {
                        undisclosed += q;
                        total += q;
                    }
                    Seen::Nothing => {}
                }
            }
            let (code, v) = call("GET", &u(&format!("/api/v1/workspace/{route}?commodity={key}&year=2024")), Some(tok), None);
            assert_eq!(code, 200, "{route} for {viewer}: {v}");
            let what = format!("{route} seen by party {viewer}");
            same_totals(&totals(&v, "countries", "country"), &by, &what);
            assert!(close(v["total"].as_f64().unwrap(), total), "{what}: {v}");
            assert!(close(v["undisclosed"].as_f64().unwrap(), undisclosed), "{what}: {v}");
            // The HHI over named countries' shares of the whole total
            // (undisclosed quantities in the total, in no country).
            if route == "capacity" {
                let hhi: f64 = by.iter().filter(|(c, _)| c.as_str() != "ZZ").map(|(_, q)| (100.0 * q / total).powi(2)).sum();
                assert!(close(v["hhi"].as_f64().unwrap(), hhi), "{what}: hhi {} vs {hhi}", v["hhi"]);
            } else {
                assert!(v.get("hhi").is_none(), "{what}: stockpiles have no HHI");
            }
            // Rows: the public ones and the viewer's own, nothing else.
            let rows = v["rows"].as_array().unwrap();
            assert_eq!(rows.len(), public_rows + 1, "{what}: {v}");
            let text = v.to_string();
            let own_secret = if route == "capacity" { own.plant } else { own.rule };
            assert!(text.contains(own_secret), "{what}: own row missing: {v}");
            for sec in &others_secrets {
                assert!(!text.contains(sec), "{what}: leaks {sec}: {v}");
            }
        }

        // Trade to and from Japan: pair, exporter and importer totals.
        let mut pairs: BTreeMap<String, f64> = BTreeMap::new();
        let mut public_rows = 0;
        for t in ds.trade_in(&rec, 2024).iter().filter(|t| t.exporter.as_str() == "JP" || t.importer.as_str() == "JP") {
            *pairs.entry(format!("{}>{}", t.exporter, t.importer)).or_insert(0.0) += t.quantity;
            public_rows += 1;
        }
        let mut total: f64 = pairs.values().sum();
        for c in &C {
            match seen(viewer, c) {
                Seen::Row | Seen::CountryTotal => {
                    *pairs.entry(format!("{}>JP", c.exporter)).or_insert(0.0) += c.flow;
                    total += c.flow;
                }
                // World-only flows are in no country, so a country filter
                // leaves them out (counting them would attribute them).
                Seen::WorldTotal | Seen::Nothing => {}
            }
        }
        let undisclosed = 0.0;
        let mut exporters: BTreeMap<String, f64> = BTreeMap::new();
        let mut importers: BTreeMap<String, f64> = BTreeMap::new();
        for (p, q) in &pairs {
            let (e, i) = p.split_once('>').unwrap();
            *exporters.entry(e.into()).or_insert(0.0) += q;
            *importers.entry(i.into()).or_insert(0.0) += q;
        }
        let (code, v) = call("GET", &u(&format!("/api/v1/workspace/trade?commodity={rec}&year=2024&country=JP")), Some(tok), None);
        assert_eq!(code, 200, "{v}");
        let what = format!("trade seen by party {viewer}");
        let got_pairs: BTreeMap<String, f64> =
            v["pairs"].as_array().unwrap().iter().map(|p| (format!("{}>{}", p["exporter"].as_str().unwrap(), p["importer"].as_str().unwrap()), p["quantity"].as_f64().unwrap())).collect();
        same_totals(&got_pairs, &pairs, &what);
        same_totals(&totals(&v, "exporters", "country"), &exporters, &what);
        same_totals(&totals(&v, "importers", "country"), &importers, &what);
        assert!(close(v["total"].as_f64().unwrap(), total), "{what}");
        assert!(close(v["undisclosed"].as_f64().unwrap(), undisclosed), "{what}");
        assert_eq!(v["rows"].as_array().unwrap().len(), public_rows + 1, "{what}");
        let text = v.to_string();
        assert!(text.contains(own.lane_note), "{what}");
        for sec in &others_secrets {
            assert!(!text.contains(sec), "{what}: leaks {sec}");
        }
        // The world-only flow (usa's, US -> JP) is not attributed to any
        // country: asked from or to US or JP its quantity is nowhere, for
        // every viewer but its owner; unfiltered it is in `undisclosed`.
        let world_only: f64 = C.iter().filter(|c| seen(viewer, c) == Seen::WorldTotal).map(|c| c.flow).sum();
        for cc in ["US", "JP"] {
            let (code, f) = call("GET", &u(&format!("/api/v1/workspace/trade?commodity={rec}&year=2024&country={cc}")), Some(tok), None);
            assert_eq!(code, 200, "{f}");
            assert_eq!(f["undisclosed"].as_f64(), Some(0.0), "{what}, country {cc}: a world-only flow attributed: {f}");
            assert!(f["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("world totals are left out")), "{f}");
        }
        let (code, all) = call("GET", &u(&format!("/api/v1/workspace/trade?commodity={rec}&year=2024")), Some(tok), None);
        assert_eq!(code, 200, "{all}");
        assert!(close(all["undisclosed"].as_f64().unwrap(), world_only), "{what} unfiltered: {all}");
    }

    // Jobs on the workspace: each party's run uses its own rows and other
    // parties' country-stage rows, and equals the engine run here on the
    // embedded dataset plus exactly those rows.
    let text = ban_scenario();
    let base = simulate(ds, &text);
    let mut expected = vec![];
    for viewer in 0..3 {
        let (code, j) = call("POST", &u("/api/v1/jobs"), Some(&tokens[viewer]), Some(json!({ "kind": "stress", "scenario": text, "workspace": true })));
        assert_eq!(code, 202, "{j}");
        assert_eq!(j["data"], "workspace");
        let done = wait_done(&s, &tokens[viewer], j["id"].as_str().unwrap());
        assert_eq!(done["status"], "done", "{done}");
        let want = simulate(&expected_dataset(ds, viewer), &text);
        let got = api_shortfalls(&done);
        same_totals(&got, &want, &format!("workspace stress for party {viewer}"));
        // What went in, as the result states it.
        let about = &done["result"]["data"];
        assert_eq!(about["on"], "workspace");
        assert_eq!(about["own"], json!(["contrib v1"]));
        let others_in = C.iter().filter(|c| c.party != viewer && c.level == Level::CountryStage).count();
        let others_global = C.iter().filter(|c| c.party != viewer && c.level == Level::GlobalStage).count();
        assert_eq!(about["others_included"].as_u64(), Some(others_in as u64), "{about}");
        let notes: Vec<&str> = about["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        let want_notes: Vec<String> =
            if others_global > 0 { vec![format!("{others_global} contribution(s) of other parties left out: their owners allow only world totals")] } else { vec![] };
        assert_eq!(notes, want_notes);
        let result_text = done.to_string();
        for c in C.iter().filter(|c| c.party != viewer) {
            for sec in c.secrets() {
                assert!(!result_text.contains(sec), "party {viewer}'s result leaks {sec}");
            }
        }
        expected.push(want);
    }
    // The three runs rest on different data and it shows: each differs from
    // the embedded dataset's run and from the others.
    let total = |m: &BTreeMap<String, f64>| m.values().sum::<f64>();
    for (i, e) in expected.iter().enumerate() {
        assert!(total(e) != total(&base), "party {i}'s data changes nothing: the test would not see a leak");
        for f in &expected[i + 1..] {
            assert!(e != f);
        }
    }

    // A plan on the workspace, the Philippines' view: japan's country-stage
    // rows in (now also a refinery's output, which the nickel plan uses),
    // usa's global-stage rows out. It equals the plan solved here on the
    // same data, and the refinery changes the optimum.
    let refinery = contribution(
        &[
            ("commodities.csv", "commodity,stage,name,unit,basis,hs_codes,material,source,note\nnickel,refining,Nickel,t,,,,src,\n".into()),
            ("production.csv", format!("{CAPACITY_HEADER}nickel,refining,US,Secret Refinery R,2024,10000,t,,src,\n")),
        ],
        Some("country-stage"),
    );
    assert_eq!(call("POST", &u("/api/v1/datasets/refinery"), Some(&tokens[0]), Some(refinery)).0, 201);
    let mut with_refinery = expected_dataset(ds, 2);
    with_refinery.production.push(Output {
        key: CommodityKey::parse("nickel/refining").unwrap(),
        country: CountryCode::parse("US"),
        producer: "Secret Refinery R".into(),
        year: 2024,
        quantity: 10000.0,
        estimated: false,
        source: "src".into(),
        note: String::new(),
    });
    let plan = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/plans/jp-us-ph-nickel.toml")).unwrap();
    let solve = |d: &Dataset| {
        let no_files = |f: &str| -> Result<(String, String), String> { Err(format!("{f}")) };
        let inst = lodestone_plan::load_plan("plan", &plan, d, &no_files).unwrap();
        lodestone_plan::solve_plan(&inst, &Default::default()).unwrap().1
    };
    let (code, pj) = call("POST", &u("/api/v1/jobs"), Some(&tokens[2]), Some(json!({ "kind": "plan", "plan": plan, "workspace": true })));
    assert_eq!(code, 202, "{pj}");
    let pd = wait_done(&s, &tokens[2], pj["id"].as_str().unwrap());
    assert_eq!(pd["result"]["status"], "optimal", "{pd}");
    let want = solve(&with_refinery);
    let got = pd["result"]["objective"].as_f64().unwrap();
    assert!(close(got, want.objective.unwrap()), "{got} vs {:?}", want.objective);
    let embedded = solve(ds).objective.unwrap();
    assert!(!close(embedded, got), "the contributed refinery does not change the plan: {embedded}");
    for c in C.iter().filter(|c| c.party != 2) {
        for sec in c.secrets() {
            assert!(!pd.to_string().contains(sec), "the plan result leaks {sec}");
        }
    }
    assert!(!pd.to_string().contains("Secret Refinery R"));
    assert_eq!(pd["result"]["data"]["others_included"], 2);

    // A job on a dataset version of the caller's own party.
    let mini = contribution(
        &[
            ("commodities.csv", "commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X,t,,,,src,\n".into()),
            ("production.csv", format!("{CAPACITY_HEADER}x,mining,AU,,2024,100,t,,src,\nx,mining,JP,,2024,5,t,,src,\n")),
            ("trade.csv", format!("{TRADE_HEADER}x,mining,AU,JP,2024,80,t,,src,\nx,mining,AU,US,2024,20,t,,src,\n")),
        ],
        None,
    );
    let mini_scenario = "name = \"au-ban\"\nhorizon = 8\nperiod = \"month\"\n[network]\ncommodities = [\"x/mining\"]\n\
                         [[disruption]]\nname = \"AU ban\"\nkind = \"export_restriction\"\ncountry = \"AU\"\ncommodity = \"x/mining\"\nshare = 1.0\nstart = 1\nduration = 3\n";
    assert_eq!(call("POST", &u("/api/v1/datasets/mini"), Some(&tokens[0]), Some(mini.clone())).0, 201);
    // Version 2 doubles Japan's own production; version 1 is still usable.
    let mut mini2 = mini.clone();
    mini2["files"]["production.csv"] = json!(format!("{CAPACITY_HEADER}x,mining,AU,,2024,100,t,,src,\nx,mining,JP,,2024,10,t,,src,\n"));
    assert_eq!(call("POST", &u("/api/v1/datasets/mini"), Some(&tokens[0]), Some(mini2.clone())).0, 201);
    for (version, body) in [(Some(1), &mini), (None, &mini2)] {
        let mut req = json!({ "kind": "stress", "scenario": mini_scenario, "dataset": "mini" });
        if let Some(v) = version {
            req["version"] = json!(v);
        }
        let (code, j) = call("POST", &u("/api/v1/jobs"), Some(&tokens[0]), Some(req));
        assert_eq!(code, 202, "{j}");
        assert_eq!(j["data"], format!("dataset mini v{}", version.unwrap_or(2)));
        let done = wait_done(&s, &tokens[0], j["id"].as_str().unwrap());
        assert_eq!(done["status"], "done", "{done}");
        let files: BTreeMap<String, String> = serde_json::from_value(body["files"].clone()).unwrap();
        let mini_ds = lodestone_model::load_texts("mini", &files).unwrap();
        same_totals(&api_shortfalls(&done), &simulate(&mini_ds, mini_scenario), "dataset job");
        assert_eq!(done["result"]["data"], json!({ "on": "dataset", "dataset": "mini", "version": version.unwrap_or(2) }));
    }
    // Another party's dataset is not found, exactly like a missing one; so
    // is a missing version; and the data must be chosen one way only.
    let ask = |tok: &str, extra: Value| {
        let mut r = json!({ "kind": "stress", "scenario": mini_scenario });
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        call("POST", &u("/api/v1/jobs"), Some(tok), Some(r))
    };
    let theirs = ask(&tokens[1], json!({ "dataset": "mini" }));
    assert_eq!(theirs.0, 404);
    assert_eq!(theirs, ask(&tokens[1], json!({ "dataset": "never" })));
    assert_eq!(ask(&tokens[0], json!({ "dataset": "mini", "version": 9 })).0, 404);
    assert_eq!(ask(&tokens[0], json!({ "dataset": "mini", "workspace": true })).0, 422);
    assert_eq!(ask(&tokens[0], json!({ "version": 1 })).0, 422);
    // The scenario is checked against the chosen data: x/mining is not in
    // the embedded dataset.
    let (code, e) = ask(&tokens[0], json!({}));
    assert_eq!(code, 422, "{e}");
}

#[test]
fn joint_sqlite() {
    joint(sqlite_url());
}

#[test]
fn joint_postgres() {
    joint(postgres_url());
}
