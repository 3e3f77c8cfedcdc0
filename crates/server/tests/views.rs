//! The dashboard's read views (crates/server/src/views.rs) and its embedded
//! assets (ui.rs), in process on SQLite. Numbers are checked against
//! derivations written here from the dataset's rows (HHI, totals, reserve
//! shares), against the jobs' own stored results (series, Monte Carlo
//! distribution), or against properties the answer must have (the plan
//! without builds costs at least the optimum).

mod common;

use common::{call, sqlite_url, start, users, wait_done};
use lodestone_model::CommodityKey;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const VIEWS: &[&str] = &[
    "/api/v1/overview",
    "/api/v1/commodities",
    "/api/v1/countries",
    "/api/v1/reserves?commodity=rare_earths/mining",
    "/api/v1/examples/scenarios",
    "/api/v1/examples/plans",
    "/api/v1/tts?commodity=rare_earths",
    "/api/v1/jobs/x/series?commodity=rare_earths/mining",
    "/api/v1/jobs/x/distribution?commodity=rare_earths/mining",
    "/api/v1/jobs/x/plan-context",
];

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12), "{what}: {a} vs {b}");
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn views_and_assets() {
    let db = sqlite_url();
    let (a, b) = users(&db.0);
    let s = start(db);
    let u = |p: &str| format!("{}{p}", s.base);
    let get = |p: &str, t: &str| call("GET", &u(p), Some(t), None);
    let ds = lodestone_data::default_dataset().unwrap();

    // Every view needs the token and is in the OpenAPI document.
    let (_, doc) = get("/api/v1/openapi.json", &a);
    for v in VIEWS {
        for tok in [None, Some("lst_bogus")] {
            assert_eq!(call("GET", &u(v), tok, None).0, 401, "{v} with {tok:?}");
        }
        let path = v.split('?').next().unwrap().replace("/x/", "/{id}/");
        assert!(doc["paths"][&path]["get"].is_object(), "{path} is not documented");
    }

    // Overview: HHI, total and top producer recomputed from production rows.
    let (code, ov) = get("/api/v1/overview", &a);
    assert_eq!(code, 200, "{ov}");
    let items = ov["items"].as_array().unwrap();
    let mut keys_with_rows: Vec<CommodityKey> = ds.production.iter().map(|p| p.key.clone()).collect();
    keys_with_rows.sort();
    keys_with_rows.dedup();
    assert_eq!(items.len(), keys_with_rows.len(), "one item per commodity-stage with production rows");
    for it in items {
        let key = CommodityKey::new(it["commodity"].as_str().unwrap(), it["stage"].as_str().unwrap());
        let year = it["year"].as_i64().unwrap() as i32;
        let latest = ds.production.iter().filter(|p| p.key == key).map(|p| p.year).max().unwrap();
        assert_eq!(year, ds.manifest.default_year.unwrap_or(latest), "{key}: year");
        let mut by: BTreeMap<String, f64> = BTreeMap::new();
        let mut total = 0.0;
        for p in ds.production.iter().filter(|p| p.key == key && p.year == year) {
            total += p.quantity;
            if let Some(c) = p.country {
                *by.entry(c.to_string()).or_default() += p.quantity;
            }
        }
        let hhi: f64 = by.values().map(|q| (100.0 * q / total).powi(2)).sum();
        close(num(&it["total"]), total, &format!("{key} total"));
        close(num(&it["hhi"]), hhi, &format!("{key} HHI"));
        let top = by.iter().max_by(|x, y| x.1.total_cmp(y.1).then(y.0.cmp(x.0))).unwrap();
        assert_eq!(it["top1"]["country"].as_str().unwrap(), top.0, "{key} top producer");
        close(num(&it["top1"]["share"]), top.1 / total, &format!("{key} top share"));
        for (g, share) in it["groups"].as_object().unwrap() {
            let members = ds.group(g);
            let q: f64 = by.iter().filter(|(c, _)| members.iter().any(|m| m.to_string() == **c)).map(|(_, q)| q).sum();
            close(num(share), q / total, &format!("{key} group {g}"));
        }
    }

    // Commodities and countries: what the dataset declares.
    let (_, cs) = get("/api/v1/commodities", &a);
    let list = cs["commodities"].as_array().unwrap();
    assert_eq!(list.len(), ds.commodities.len());
    for c in list {
        let key = CommodityKey::parse(c["key"].as_str().unwrap()).unwrap();
        assert_eq!(c["production_rows"].as_u64().unwrap() as usize, ds.production.iter().filter(|p| p.key == key).count(), "{key}");
        assert_eq!(c["reserve_rows"].as_u64().unwrap() as usize, ds.reserves.iter().filter(|p| p.key == key).count(), "{key}");
        assert_eq!(c["unit"].as_str().unwrap(), ds.commodity(&key).unwrap().unit.to_string());
    }
    let (_, co) = get("/api/v1/countries", &a);
    assert_eq!(co["countries"].as_array().unwrap().len(), ds.countries.len());
    let jp = co["countries"].as_array().unwrap().iter().find(|c| c["code"] == "JP").unwrap();
    assert_eq!((jp["name"].as_str(), jp["iso3"].as_str()), (Some("Japan"), Some("JPN")));
    for (g, members) in co["groups"].as_object().unwrap() {
        let want: Vec<String> = ds.group(g).iter().map(|c| c.to_string()).collect();
        let got: Vec<String> = members.as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
        assert_eq!(got, want, "group {g}");
    }

    // Reserves: total and HHI from the reserve rows of the latest year.
    let (code, res) = get("/api/v1/reserves?commodity=rare_earths/mining", &a);
    assert_eq!(code, 200, "{res}");
    let key = CommodityKey::parse("rare_earths/mining").unwrap();
    let year = res["year"].as_i64().unwrap() as i32;
    assert_eq!(year, ds.reserves.iter().filter(|r| r.key == key).map(|r| r.year).max().unwrap());
    let rows: Vec<_> = ds.reserves.iter().filter(|r| r.key == key && r.year == year).collect();
    let total: f64 = rows.iter().map(|r| r.quantity).sum();
    let mut by: BTreeMap<String, f64> = BTreeMap::new();
    for r in &rows {
        if let Some(c) = r.country {
            *by.entry(c.to_string()).or_default() += r.quantity;
        }
    }
    close(num(&res["total"]), total, "reserves total");
    close(num(&res["hhi"]), by.values().map(|q| (100.0 * q / total).powi(2)).sum(), "reserves HHI");
    assert_eq!(get("/api/v1/reserves?commodity=nope/mining", &a).0, 404);
    assert_eq!(get("/api/v1/reserves?commodity=nope", &a).0, 400);
    assert_eq!(get("/api/v1/reserves", &a).0, 400);

    // Examples: every file in examples/, with its text.
    for (route, dir) in [("/api/v1/examples/scenarios", "scenarios"), ("/api/v1/examples/plans", "plans")] {
        let (_, ex) = get(route, &a);
        let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(dir);
        let mut files: Vec<String> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).filter(|n| n.ends_with(".toml")).collect();
        files.sort();
        let mut got: Vec<String> = ex["examples"].as_array().unwrap().iter().map(|e| e["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string()).collect();
        got.sort();
        assert_eq!(got, files, "every example in examples/{dir} is served");
        for e in ex["examples"].as_array().unwrap() {
            let text = std::fs::read_to_string(d.join(e["file"].as_str().unwrap().rsplit('/').next().unwrap())).unwrap();
            assert_eq!(e["text"].as_str().unwrap(), text);
            assert_eq!(e["monte_carlo"].as_bool().unwrap(), text.contains("\n[monte_carlo]"));
            // Every example runs on the server, plans naming the example
            // scenarios (`../scenarios/NAME.toml`) included.
            assert!(e["problem"].is_null(), "{}: {}", e["file"], e["problem"]);
        }
    }

    // A plan naming an example scenario runs on the server as with the
    // CLI: the job's optimum equals the plan solved here with its scenario
    // read from examples/ on disk.
    let text = include_str!("../../../examples/plans/jp-us-rare-earths.toml");
    assert!(text.contains("file = \"../scenarios/rare-earth-export-ban.toml\""));
    let (code, job) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "plan", "plan": text })));
    assert_eq!(code, 202, "{job}");
    let done = wait_done(&s, &a, job["id"].as_str().unwrap());
    assert_eq!(done["status"], "done", "{done}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/plans");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).map(|t| (f.to_string(), t)).map_err(|e| e.to_string());
    let inst = lodestone_plan::load_plan("plan", text, ds, &read).unwrap();
    let (_, direct) = lodestone_plan::solve_plan(&inst, &Default::default()).unwrap();
    close(num(&done["result"]["objective"]), direct.objective.unwrap(), "jp-us-rare-earths objective");
    // Any other file is refused, naming what may be named.
    let probe = text.replace("../scenarios/rare-earth-export-ban.toml", "/etc/passwd");
    let (code, e) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "plan", "plan": probe })));
    assert_eq!(code, 422, "{e}");
    assert!(e.to_string().contains("may name only the example scenarios"), "{e}");

    // Time to survive: one node per producer with capacity, ascending,
    // hot spots exactly where tts < ttr; the same numbers as the library.
    let (code, t) = get("/api/v1/tts?commodity=rare_earths&headroom=0.1&stock_months=3", &a);
    assert_eq!(code, 200, "{t}");
    let nodes = t["nodes"].as_array().unwrap();
    let producers: std::collections::BTreeSet<String> =
        ds.production.iter().filter(|p| p.key.commodity == "rare_earths" && p.quantity > 0.0).filter_map(|p| p.country.map(|c| format!("{c}:{}", p.key.stage))).collect();
    let listed: std::collections::BTreeSet<String> = nodes.iter().map(|n| format!("{}:{}", n["country"].as_str().unwrap(), n["stage"].as_str().unwrap())).collect();
    assert!(listed.is_subset(&producers) && !listed.is_empty(), "removed nodes are producers: {listed:?}");
    let mut hot = 0;
    for w in nodes.windows(2) {
        assert!(num(&w[0]["tts"]) <= num(&w[1]["tts"]), "ascending TTS");
    }
    for n in nodes {
        let is_hot = num(&n["tts"]) < num(&n["ttr"]);
        assert_eq!(n["hot_spot"].as_bool().unwrap(), is_hot, "{n}");
        hot += usize::from(is_hot);
        assert!(num(&n["tts"]) <= num(&t["horizon"]));
    }
    assert_eq!(t["hot_spots"].as_u64().unwrap() as usize, hot);
    {
        use lodestone_sim::tts::network_spec;
        let keys: Vec<CommodityKey> = ds.commodities.iter().filter(|c| c.key.commodity == "rare_earths").map(|c| c.key.clone()).collect();
        let net = lodestone_sim::Network::build(ds, &network_spec(ds, &keys, None, 0.1, 3.0), lodestone_sim::scenario::Period::Month);
        let removed: Vec<u32> = (0..net.len()).filter(|&i| keys.contains(&net.nodes[i].key) && net.capacity[i] > 0.0).map(|i| i as u32).collect();
        let lib = lodestone_sim::time_to_survive(&net, &removed, &lodestone_sim::TtsOptions::default(), &|_, _| {}, &Default::default()).unwrap();
        assert_eq!(lib.nodes.len(), nodes.len());
        for (l, n) in lib.nodes.iter().zip(nodes) {
            assert_eq!(n["country"].as_str().unwrap(), l.country.to_string());
            close(num(&n["tts"]), l.tts, "tts");
        }
    }
    assert_eq!(get("/api/v1/tts?commodity=nope", &a).0, 404);
    assert_eq!(get("/api/v1/tts?commodity=rare_earths&ttr=500", &a).0, 400);
    assert_eq!(get("/api/v1/tts?commodity=rare_earths&headroom=-1", &a).0, 400);

    // A single stress run: the per-period series sum to the job's own
    // cumulative shortfall and demand (computed by the job runner).
    let (code, job) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "stress", "scenario": common::SCENARIO })));
    assert_eq!(code, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let done = wait_done(&s, &a, &id);
    assert_eq!(done["status"], "done", "{done}");
    let key = "rare_earth_compounds/refining";
    let (code, ser) = get(&format!("/api/v1/jobs/{id}/series?commodity={key}"), &a);
    assert_eq!(code, 200, "{ser}");
    let periods = ser["periods"].as_u64().unwrap() as usize;
    assert_eq!(periods, done["result"]["result"]["periods_done"].as_u64().unwrap() as usize);
    let job_nodes = done["result"]["result"]["nodes"].as_array().unwrap();
    let mut short_countries = 0;
    for c in ser["countries"].as_array().unwrap() {
        let n = job_nodes
            .iter()
            .find(|n| n["country"] == c["country"] && format!("{}/{}", n["key"]["commodity"].as_str().unwrap(), n["key"]["stage"].as_str().unwrap()) == key)
            .unwrap_or_else(|| panic!("{} not in the job", c["country"]));
        let sf: Vec<f64> = c["shortfall"].as_array().unwrap().iter().map(num).collect();
        let dm: Vec<f64> = c["demand"].as_array().unwrap().iter().map(num).collect();
        assert_eq!(sf.len(), periods);
        close(sf.iter().sum::<f64>(), num(&n["cumulative_shortfall"]), &format!("{} shortfall", c["country"]));
        close(dm.iter().sum::<f64>(), num(&n["cumulative_demand"]), &format!("{} demand", c["country"]));
        short_countries += usize::from(sf.iter().any(|&x| x > 0.0));
        for (x, d) in sf.iter().zip(&dm) {
            assert!(*x >= 0.0 && *x <= d * (1.0 + 1e-9) + 1e-9, "shortfall within demand");
        }
    }
    assert!(short_countries > 0, "the export ban leaves someone short");
    // Largest cumulative shortfall first.
    let cum: Vec<f64> = ser["countries"].as_array().unwrap().iter().map(|c| num(&c["cumulative_shortfall"])).collect();
    assert!(cum.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(get(&format!("/api/v1/jobs/{id}/distribution?commodity={key}"), &a).0, 422, "not a Monte Carlo job");
    assert_eq!(get(&format!("/api/v1/jobs/{id}/plan-context"), &a).0, 422, "not a plan job");
    assert_eq!(get(&format!("/api/v1/jobs/{id}/series?commodity=nickel/mining"), &a).0, 404, "not in the network");
    // Another party's job answers exactly like a missing one.
    let other = get(&format!("/api/v1/jobs/{id}/series?commodity={key}"), &b);
    assert_eq!(other.0, 404);
    let missing = get(&format!("/api/v1/jobs/nosuchjob/series?commodity={key}"), &b);
    assert_eq!(other.1.to_string().replace(&id, "ID"), missing.1.to_string().replace("nosuchjob", "ID"));

    // Monte Carlo: the distribution view re-runs the job's runs; its exact
    // mean, maximum and probability of shortfall equal the job's (which
    // are exact too), its p95 and CVaR lie within the sketch's accuracy.
    let mc = include_str!("../../../examples/scenarios/monte-carlo-critical-minerals.toml").replace("runs = 10000", "runs = 300");
    assert!(mc.contains("runs = 300"));
    let (code, job) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "stress", "scenario": mc })));
    assert_eq!(code, 202, "{job}");
    let mid = job["id"].as_str().unwrap().to_string();
    let done = wait_done(&s, &a, &mid);
    assert_eq!(done["status"], "done", "{done}");
    let world = done["result"]["monte_carlo"]["commodities"].as_array().unwrap();
    let mut some_spread = false;
    for w in world {
        let key = format!("{}/{}", w["key"]["commodity"].as_str().unwrap(), w["key"]["stage"].as_str().unwrap());
        let (code, d) = get(&format!("/api/v1/jobs/{mid}/distribution?commodity={key}&bins=20"), &a);
        assert_eq!(code, 200, "{d}");
        assert_eq!(d["runs"], 300);
        let bins = d["bins"].as_array().unwrap();
        assert_eq!(bins.len(), 20);
        assert_eq!(bins.iter().map(|b| b["count"].as_u64().unwrap()).sum::<u64>(), 300);
        close(num(&d["mean"]), num(&w["mean"]), &format!("{key} mean"));
        assert_eq!(num(&d["max"]), num(&w["max"]), "{key} max");
        close(num(&d["p_any"]), num(&w["probability_of_shortfall"]), &format!("{key} p_any"));
        let tol = num(&done["result"]["monte_carlo"]["quantile_relative_accuracy"]);
        for (exact, sketch) in [("p95", "p95"), ("cvar95", "cvar95")] {
            let (x, y) = (num(&d[exact]), num(&w[sketch]));
            assert!((x - y).abs() <= 2.0 * tol * x.abs().max(y.abs()) + 1e-9, "{key} {exact}: exact {x}, sketch {y}");
        }
        assert!(num(&d["p95"]) <= num(&d["cvar95"]) + 1e-9 && num(&d["cvar95"]) <= num(&d["max"]) + 1e-9);
        some_spread |= num(&d["max"]) > num(&d["min"]);
    }
    assert!(some_spread, "some commodity-stage's shortfall varies across runs");
    let (_, one) = get(&format!("/api/v1/jobs/{mid}/distribution?commodity=graphite/mining&country=JP"), &a);
    let jp = done["result"]["monte_carlo"]["nodes"].as_array().unwrap().iter().find(|n| n["country"] == "JP" && n["key"]["commodity"] == "graphite").unwrap();
    close(num(&one["mean"]), num(&jp["mean"]), "JP graphite mean");
    assert_eq!(get(&format!("/api/v1/jobs/{mid}/distribution?commodity=graphite/mining&bins=0"), &a).0, 400);
    assert_eq!(get(&format!("/api/v1/jobs/{mid}/series?commodity=graphite/mining"), &a).0, 422);

    // A plan: the same plan without new builds builds nothing and costs at
    // least the optimum (it is a feasible point of the plan's own MIP);
    // the projects' lead times are the file's; the sweep has 10 points.
    let text = include_str!("../../../examples/plans/jp-us-ph-nickel.toml");
    let (code, job) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "plan", "plan": text })));
    assert_eq!(code, 202, "{job}");
    let pid = job["id"].as_str().unwrap().to_string();
    let done = wait_done(&s, &a, &pid);
    assert_eq!(done["status"], "done", "{done}");
    let (code, ctx) = get(&format!("/api/v1/jobs/{pid}/plan-context?sweep=permitting_years"), &a);
    assert_eq!(code, 200, "{ctx}");
    assert_eq!(ctx["without_builds"]["builds"].as_array().unwrap().len(), 0);
    assert!(!done["result"]["builds"].as_array().unwrap().is_empty(), "the plan builds something");
    let (opt, before) = (num(&done["result"]["objective"]), num(&ctx["without_builds"]["objective"]));
    assert!(before >= opt * (1.0 - 1e-6), "no builds {before} >= optimum {opt}");
    let permitting: Vec<f64> = text.lines().filter_map(|l| l.trim().strip_prefix("permitting_years")).map(|r| r.trim_start_matches([' ', '=']).split_whitespace().next().unwrap().parse().unwrap()).collect();
    let got: Vec<f64> = ctx["projects"].as_array().unwrap().iter().map(|p| num(&p["permitting_years"])).collect();
    assert_eq!(got, permitting);
    let pts = ctx["sweep"]["points"].as_array().unwrap();
    assert_eq!(pts.iter().map(|p| num(&p["value"])).collect::<Vec<_>>(), (1..=10).map(f64::from).collect::<Vec<_>>());
    // Longer permitting never makes the optimum cheaper.
    for w in pts.windows(2) {
        assert!(num(&w[1]["objective"]) >= num(&w[0]["objective"]) * (1.0 - 1e-6), "{} then {}", w[0], w[1]);
    }
    assert_eq!(get(&format!("/api/v1/jobs/{pid}/plan-context?sweep=capex"), &a).0, 400);
    // The same question again is answered from the kept answer: identical.
    let (code, again) = get(&format!("/api/v1/jobs/{pid}/plan-context?sweep=permitting_years"), &a);
    assert_eq!((code, &again), (200, &ctx));

    // The token and the job come before the parameters: without a token a
    // bad parameter is still 401, and another party's job with a bad
    // parameter is still 404 (like a missing job), never 400.
    for p in [format!("/api/v1/jobs/{mid}/distribution?commodity=graphite/mining&bins=0"), format!("/api/v1/jobs/{mid}/distribution?commodity=graphite/mining&country=zz9"), format!("/api/v1/jobs/{pid}/plan-context?sweep=capex")] {
        assert_eq!(call("GET", &u(&p), None, None).0, 401, "{p}");
        assert_eq!(get(&p, &b).0, 404, "{p}");
    }

    // The series view re-runs at most 3,000,000 node-periods: the ban's
    // network (over 100 nodes) over 30,000 months is refused with a reason.
    let long = common::SCENARIO.replace("horizon = 24", "horizon = 30000");
    assert!(long.contains("horizon = 30000"));
    let (code, job) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "stress", "scenario": long })));
    assert_eq!(code, 202, "{job}");
    let lid = job["id"].as_str().unwrap().to_string();
    assert_eq!(wait_done(&s, &a, &lid)["status"], "done");
    let (code, e) = get(&format!("/api/v1/jobs/{lid}/series?commodity=rare_earth_compounds/refining"), &a);
    assert_eq!(code, 422, "{e}");
    assert!(e["error"].as_str().unwrap().contains("at most 3000000 node-periods"), "{e}");

    // Assets: `/` is the dashboard (or, built without web/dist, the page
    // saying how to build it); unknown paths stay JSON 404s.
    let r = ureq::get(&u("/")).call().unwrap();
    assert_eq!(r.content_type(), "text/html");
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let html = r.into_string().unwrap();
    if html.contains("was not built") {
        assert!(html.contains("npm run build"));
    } else {
        let js = html.split("src=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(js.starts_with("/assets/") && js.ends_with(".js"), "{js}");
        let r = ureq::get(&u(js)).call().unwrap();
        assert_eq!(r.content_type(), "text/javascript");
        assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
    }
    for p in ["/nope", "/assets/nope.js", "/api/v1/nope"] {
        let (code, body) = call("GET", &u(p), None, None);
        assert_eq!((code, body["error"].as_str()), (404, Some("no such route")), "{p}");
    }
}
