//! The API end to end, in process, against SQLite and a real PostgreSQL
//! (`LODESTONE_TEST_DATABASE_URL`, set by scripts/test; without it the
//! PostgreSQL tests FAIL on purpose).

mod common;

use common::*;
use serde_json::{json, Value};

fn workspace(db: (String, Option<tempfile::TempDir>)) {
    let (a, b) = users(&db.0);
    let s = start(db);
    let u = |p: &str| format!("{}{p}", s.base);

    // Health needs no token; everything else does.
    assert_eq!(call("GET", &u("/healthz"), None, None).0, 200);
    for (m, p) in [
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/exposure?commodity=nickel/mining"),
        ("POST", "/api/v1/datasets/tiny"),
        ("GET", "/api/v1/datasets"),
        ("POST", "/api/v1/validate"),
        ("GET", "/api/v1/datasets/tiny/versions"),
        ("GET", "/api/v1/datasets/tiny/diff?from=1&to=2"),
        ("GET", "/api/v1/origin?country=US&commodity=graphite/mining"),
        ("GET", "/api/v1/workspace/production?commodity=nickel/mining"),
        ("POST", "/api/v1/jobs"),
        ("GET", "/api/v1/jobs"),
        ("GET", "/api/v1/jobs/x"),
        ("POST", "/api/v1/jobs/x/cancel"),
        ("GET", "/api/v1/audit"),
    ] {
        for tok in [None, Some("lst_bogus"), Some("")] {
            let (code, body) = call(m, &u(p), tok, if m == "POST" { Some(json!({})) } else { None });
            assert_eq!(code, 401, "{m} {p} with {tok:?}: {body}");
        }
    }
    let (code, me) = call("GET", &u("/api/v1/me"), Some(&a), None);
    assert_eq!((code, me["party"].as_str()), (200, Some("japan")));

    // Every documented route exists (answers something other than "no such route").
    let (_, doc) = call("GET", &u("/api/v1/openapi.json"), Some(&a), None);
    assert_eq!(doc["openapi"], "3.0.3");
    // The core API's paths (the dashboard's views add their own beside them).
    for (path, methods) in [
        ("/healthz", &["get"][..]),
        ("/api/v1/openapi.json", &["get"]),
        ("/api/v1/me", &["get"]),
        ("/api/v1/exposure", &["get"]),
        ("/api/v1/origin", &["get"]),
        ("/api/v1/workspace/production", &["get"]),
        ("/api/v1/datasets", &["get"]),
        ("/api/v1/validate", &["post"]),
        ("/api/v1/datasets/{name}", &["post"]),
        ("/api/v1/datasets/{name}/versions", &["get"]),
        ("/api/v1/datasets/{name}/diff", &["get"]),
        ("/api/v1/jobs", &["get", "post"]),
        ("/api/v1/jobs/{id}", &["get"]),
        ("/api/v1/jobs/{id}/cancel", &["post"]),
        ("/api/v1/audit", &["get"]),
    ] {
        let item = doc["paths"][path].as_object().unwrap_or_else(|| panic!("{path} is not documented"));
        let mut got: Vec<&str> = item.keys().map(String::as_str).collect();
        got.sort();
        assert_eq!(got, methods, "{path}");
    }

    // Exposure: the same numbers as the library on the embedded dataset.
    let (code, e) = call("GET", &u("/api/v1/exposure?commodity=nickel/mining"), Some(&b), None);
    assert_eq!(code, 200, "{e}");
    let ds = lodestone_data::default_dataset().unwrap();
    let key = lodestone_model::CommodityKey::parse("nickel/mining").unwrap();
    let lib = lodestone_analysis::exposure::concentration(ds, &key, None, lodestone_analysis::exposure::By::Location).unwrap();
    // (JSON text carries 17 significant digits; serde_json's default parser
    // may differ in the last bit.)
    assert!((e["hhi"].as_f64().unwrap() - lib.hhi).abs() <= 1e-12 * lib.hhi, "{} vs {}", e["hhi"], lib.hhi);
    assert_eq!(call("GET", &u("/api/v1/exposure?commodity=nope"), Some(&b), None).0, 400);

    // Validation alone: the same problems as an upload, rows counted from
    // the files (tiny: 1 country, 1 commodity-stage, 1 production row).
    let (code, ok) = call("POST", &u("/api/v1/validate"), Some(&a), Some(tiny(None)));
    assert_eq!(code, 200, "{ok}");
    assert_eq!((ok["valid"].as_bool(), ok["name"].as_str()), (Some(true), Some("tiny")));
    assert_eq!(ok["rows"], json!({ "countries": 1, "commodities": 1, "production": 1, "capacity": 0, "stockpiles": 0, "trade": 0, "demand": 0 }));
    let (code, nv) = call("POST", &u("/api/v1/validate"), Some(&a), Some(tiny(Some(("countries.csv", "code,name,iso3,source\nJP,Japan,,nosuch\n")))));
    assert_eq!(code, 422, "{nv}");
    assert!(nv["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("countries.csv:2")), "{nv}");
    // Datasets: invalid uploads store nothing; versions are per party.
    let (code, bad) = call("POST", &u("/api/v1/datasets/tiny"), Some(&a), Some(tiny(Some(("countries.csv", "code,name,iso3,source\nJP,Japan,,nosuch\n")))));
    assert_eq!(code, 422, "{bad}");
    assert!(bad["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("countries.csv:2")), "{bad}");
    assert_eq!(call("GET", &u("/api/v1/datasets/tiny/versions"), Some(&a), None).0, 404);
    let (code, v1) = call("POST", &u("/api/v1/datasets/tiny"), Some(&a), Some(tiny(None)));
    assert_eq!((code, v1["version"].as_i64()), (201, Some(1)), "{v1}");
    let (code, v2) = call("POST", &u("/api/v1/datasets/tiny"), Some(&a), Some(tiny(Some(("production.csv", "commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nx,mining,JP,,2024,6,t,,src,\n")))));
    assert_eq!((code, v2["version"].as_i64()), (201, Some(2)));
    let (_, vs) = call("GET", &u("/api/v1/datasets/tiny/versions"), Some(&a), None);
    assert_eq!(vs["versions"].as_array().unwrap().len(), 2);
    // The other party cannot see it: 404, as for a dataset that does not exist.
    let (code, other) = call("GET", &u("/api/v1/datasets/tiny/versions"), Some(&b), None);
    assert_eq!(code, 404);
    assert_eq!(other, call("GET", &u("/api/v1/datasets/never/versions"), Some(&b), None).1);
    // The diff: one production row changed (5 -> 6 t).
    let (code, diff) = call("GET", &u("/api/v1/datasets/tiny/diff?from=1&to=2"), Some(&a), None);
    assert_eq!(code, 200, "{diff}");
    let prod = &diff["files"]["production.csv"];
    assert_eq!(prod["removed"], json!(["x,mining,JP,,2024,5,t,,src,"]));
    assert_eq!(prod["added"], json!(["x,mining,JP,,2024,6,t,,src,"]));
    assert_eq!(diff["files"].as_object().unwrap().len(), 1);
    assert_eq!(call("GET", &u("/api/v1/datasets/tiny/diff?from=1&to=2"), Some(&b), None).0, 404);
    assert_eq!(call("GET", &u("/api/v1/datasets/tiny/diff?from=1&to=9"), Some(&a), None).0, 404);
    // Origin: the same shares as the library.
    let (code, o) = call("GET", &u("/api/v1/origin?country=US&commodity=graphite/mining"), Some(&b), None);
    assert_eq!(code, 200, "{o}");
    let key = lodestone_model::CommodityKey::parse("graphite/mining").unwrap();
    let lib_o = lodestone_analysis::origin::origin(ds, lodestone_model::CountryCode::parse("US").unwrap(), &key, &key, None).unwrap();
    let got = o["shares"].as_array().unwrap();
    assert_eq!(got.len(), lib_o.shares.len());
    for (g, l) in got.iter().zip(&lib_o.shares) {
        assert_eq!(g["country"].as_str().unwrap(), l.country.to_string());
        // JSON text round trip: equal to the last bit or two.
        assert!((g["share"].as_f64().unwrap() - l.share).abs() <= 1e-12, "{g} vs {}", l.share);
    }
    // The joint workspace: japan contributes a confidential plant.
    let plant = |q: f64, contribute: bool| {
        let mut v = tiny(Some(("production.csv", &format!("commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nnickel,mining,JP,Secret Plant A,2024,{q},t,,src,\n"))));
        v["files"]["commodities.csv"] = json!("commodity,stage,name,unit,basis,hs_codes,material,source,note\nnickel,mining,Nickel,t,nickel content,,,src,\n");
        v["contribute"] = json!(contribute);
        v
    };
    let ws = |tok: &str| call("GET", &u("/api/v1/workspace/production?commodity=nickel/mining&year=2024"), Some(tok), None);
    let (_, before) = ws(&b);
    let jp = |v: &Value| v["countries"].as_array().unwrap().iter().find(|c| c["country"] == "JP").map_or(0.0, |c| c["quantity"].as_f64().unwrap());
    let (code, up) = call("POST", &u("/api/v1/datasets/plants"), Some(&a), Some(plant(1000.0, true)));
    assert_eq!(code, 201, "{up}");
    let (code, theirs) = ws(&b);
    assert_eq!(code, 200, "{theirs}");
    // usa sees the 1,000 t inside Japan's total and the world total, never the row.
    assert_eq!(jp(&theirs), jp(&before) + 1000.0);
    assert_eq!(theirs["total"].as_f64().unwrap(), before["total"].as_f64().unwrap() + 1000.0);
    assert!(!theirs.to_string().contains("Secret Plant A"), "{theirs}");
    assert_eq!(theirs["rows"].as_array().unwrap().len(), before["rows"].as_array().unwrap().len());
    // japan sees its own row.
    let (_, mine) = ws(&a);
    assert!(mine["rows"].as_array().unwrap().iter().any(|r| r["producer"] == "Secret Plant A" && r["quantity"] == 1000.0), "{mine}");
    // The HHI is computed from the country totals: check it by hand from them.
    let tot = theirs["total"].as_f64().unwrap();
    let hhi: f64 = theirs["countries"].as_array().unwrap().iter().filter(|c| c["country"] != "ZZ").map(|c| (100.0 * c["quantity"].as_f64().unwrap() / tot).powi(2)).sum();
    assert!((hhi - theirs["hhi"].as_f64().unwrap()).abs() < 1e-9);
    // A private upload is not part of the workspace.
    assert_eq!(call("POST", &u("/api/v1/datasets/plants"), Some(&a), Some(plant(1000.0, false))).0, 201);
    assert_eq!(jp(&ws(&b).1), jp(&before));

    // Too large a body is refused.
    // Just over the 1 MiB limit: the server has read the whole body when it
    // refuses it, so its answer cannot race the rest of an upload into a
    // broken pipe (as a body twice the limit sometimes did).
    let frame = json!({ "files": { "dataset.toml": "" } }).to_string().len();
    let big = json!({ "files": { "dataset.toml": "x".repeat((1 << 20) + 100 - frame) } });
    assert_eq!(big.to_string().len(), (1 << 20) + 100);
    assert_eq!(call("POST", &u("/api/v1/datasets/big"), Some(&a), Some(big)).0, 413);

    // Jobs: a stress run and a plan run; results visible to the owner only.
    let (code, j) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "stress", "scenario": SCENARIO })));
    assert_eq!(code, 202, "{j}");
    let id = j["id"].as_str().unwrap().to_string();
    let done = wait_done(&s, &a, &id);
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress"].as_f64(), Some(1.0));
    assert_eq!(done["result"]["scenario"], "rare-earth-export-ban");
    // Same numbers as running the engine directly.
    let sc = lodestone_sim::parse_scenario("x", SCENARIO, ds).unwrap();
    let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
    let groups = lodestone_sim::dataset_groups(ds);
    let c = lodestone_sim::compile(&net, &sc, &groups);
    let r = lodestone_sim::simulate(&net, &c, lodestone_sim::Record::Summary, &|_, _| {}, &std::sync::atomic::AtomicBool::new(false));
    let total: f64 = r.nodes.iter().map(|n| n.cumulative_shortfall).sum();
    let api_total: f64 = done["result"]["result"]["nodes"].as_array().unwrap().iter().map(|n| n["cumulative_shortfall"].as_f64().unwrap()).sum();
    assert!((total - api_total).abs() <= 1e-9 * total.max(1.0), "{total} vs {api_total}");
    assert_eq!(call("GET", &u(&format!("/api/v1/jobs/{id}")), Some(&b), None).0, 404);
    assert_eq!(call("POST", &u(&format!("/api/v1/jobs/{id}/cancel")), Some(&b), None).0, 404);
    let (code, bad) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "stress", "scenario": "name = 1" })));
    assert_eq!(code, 422, "{bad}");
    let plan = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/plans/jp-us-ph-nickel.toml")).unwrap();
    let (code, pj) = call("POST", &u("/api/v1/jobs"), Some(&b), Some(json!({ "kind": "plan", "plan": plan })));
    assert_eq!(code, 202, "{pj}");
    let pd = wait_done(&s, &b, pj["id"].as_str().unwrap());
    assert_eq!(pd["result"]["status"], "optimal", "{pd}");

    // The audit log: each party sees its own actions.
    let (_, log) = call("GET", &u("/api/v1/audit"), Some(&a), None);
    let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["dataset.upload", "dataset.upload", "dataset.upload", "dataset.upload", "job.create"]);
    assert_eq!(log["next"], Value::Null);
    // ... and page by page: 2 + 2 + 1 entries, the same sequence.
    let mut paged = vec![];
    let mut next = "/api/v1/audit?limit=2".to_string();
    let mut pages = 0;
    loop {
        let (code, page) = call("GET", &u(&next), Some(&a), None);
        assert_eq!(code, 200, "{page}");
        pages += 1;
        paged.extend(page["entries"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()));
        match page["next"].as_str() {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    let all: Vec<i64> = log["entries"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!((pages, paged), (3, all));
    for bad in ["limit=0", "limit=10001", "after=-1", "after=x"] {
        assert_eq!(call("GET", &u(&format!("/api/v1/audit?{bad}")), Some(&a), None).0, 400, "{bad}");
    }
    // Dataset versions, page by page (tiny has versions 1 and 2).
    let (code, p1) = call("GET", &u("/api/v1/datasets/tiny/versions?limit=1"), Some(&a), None);
    assert_eq!((code, p1["versions"][0]["version"].as_i64()), (200, Some(1)), "{p1}");
    assert_eq!(p1["next"], "/api/v1/datasets/tiny/versions?limit=1&after=1");
    let (_, p2) = call("GET", &u(p1["next"].as_str().unwrap()), Some(&a), None);
    assert_eq!(p2["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect::<Vec<_>>(), [2]);
    assert_eq!(p2["next"], Value::Null);
    // A page past the end of a dataset that exists is empty, not 404; the
    // other party still gets 404.
    // The party's datasets: plants (v2, private, latest) and tiny (v2), by
    // name, page by page; the other party has none.
    let (code, dl) = call("GET", &u("/api/v1/datasets?limit=1"), Some(&a), None);
    assert_eq!(code, 200, "{dl}");
    assert_eq!((dl["datasets"][0]["name"].as_str(), dl["datasets"][0]["latest"]["version"].as_i64()), (Some("plants"), Some(2)));
    assert_eq!(dl["datasets"][0]["latest"]["contributed"], false);
    assert_eq!(dl["next"], "/api/v1/datasets?limit=1&after=plants");
    let (_, dl2) = call("GET", &u(dl["next"].as_str().unwrap()), Some(&a), None);
    assert_eq!(dl2["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect::<Vec<_>>(), ["tiny"]);
    assert_eq!(dl2["next"], Value::Null);
    assert_eq!(call("GET", &u("/api/v1/datasets"), Some(&b), None).1, json!({ "datasets": [], "next": null }));
    let (code, p3) = call("GET", &u("/api/v1/datasets/tiny/versions?after=2"), Some(&a), None);
    assert_eq!((code, p3["versions"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(call("GET", &u("/api/v1/datasets/tiny/versions?after=2"), Some(&b), None).0, 404);
    let _ = s.url;
}

/// `GET /api/v1/jobs`: the caller's party's jobs, newest first, paged.
fn job_list(db: (String, Option<tempfile::TempDir>)) {
    let (a, b) = users(&db.0);
    let s = start(db);
    let u = |p: &str| format!("{}{p}", s.base);
    let (code, empty) = call("GET", &u("/api/v1/jobs"), Some(&a), None);
    assert_eq!((code, empty), (200, json!({ "jobs": [], "next": null })));
    // Five jobs by japan, one by usa. Named scenarios so the labels differ.
    let mut ids = vec![];
    for i in 0..5 {
        let sc = SCENARIO.replacen("name = \"rare-earth-export-ban\"", &format!("name = \"ban-{i}\""), 1);
        assert!(sc.contains(&format!("ban-{i}")), "the scenario's name line changed");
        let (code, j) = call("POST", &u("/api/v1/jobs"), Some(&a), Some(json!({ "kind": "stress", "scenario": sc })));
        assert_eq!(code, 202, "{j}");
        assert_eq!(j["label"], format!("ban-{i}"));
        ids.push(j["id"].as_str().unwrap().to_string());
        // Distinct creation times (millisecond clock), so newest-first is
        // the reverse of the creation order without relying on ids.
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    let (_, theirs) = call("POST", &u("/api/v1/jobs"), Some(&b), Some(json!({ "kind": "stress", "scenario": SCENARIO })));
    let their_id = theirs["id"].as_str().unwrap().to_string();
    // Pages of 2: 2 + 2 + 1, newest first, following `next`.
    let mut seen = vec![];
    let mut labels = vec![];
    let mut next = "/api/v1/jobs?limit=2".to_string();
    let mut pages = 0;
    loop {
        let (code, page) = call("GET", &u(&next), Some(&a), None);
        assert_eq!(code, 200, "{page}");
        pages += 1;
        for j in page["jobs"].as_array().unwrap() {
            seen.push(j["id"].as_str().unwrap().to_string());
            labels.push(j["label"].as_str().unwrap().to_string());
            assert_eq!((j["kind"].as_str(), j["data"].as_str(), j["user"].as_str()), (Some("stress"), Some("embedded"), Some("aiko")));
            assert!(["queued", "running", "done"].contains(&j["status"].as_str().unwrap()), "{j}");
            assert!(j.get("result").is_none() && j.get("input").is_none(), "listing carries no results: {j}");
            // A queued job has not started; only a running one has an ETA.
            match j["status"].as_str().unwrap() {
                "queued" => assert_eq!((&j["started_at"], &j["eta_seconds"]), (&Value::Null, &Value::Null), "{j}"),
                "done" => assert!(j["started_at"].is_string() && j["eta_seconds"].is_null(), "{j}"),
                _ => assert!(j["started_at"].as_str().unwrap() >= j["created_at"].as_str().unwrap(), "{j}"),
            }
        }
        match page["next"].as_str() {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    let mut expect = ids.clone();
    expect.reverse();
    assert_eq!(pages, 3);
    assert_eq!(seen, expect);
    assert_eq!(labels, ["ban-4", "ban-3", "ban-2", "ban-1", "ban-0"]);
    // The other party sees only its own job; a cursor naming another
    // party's job is refused exactly like a made-up one.
    let (_, bl) = call("GET", &u("/api/v1/jobs"), Some(&b), None);
    assert_eq!(bl["jobs"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect::<Vec<_>>(), [their_id.as_str()]);
    let (c1, e1) = call("GET", &u(&format!("/api/v1/jobs?before={}", ids[0])), Some(&b), None);
    let (c2, e2) = call("GET", &u("/api/v1/jobs?before=0000"), Some(&b), None);
    assert_eq!((c1, c2), (400, 400));
    assert_eq!(e1["error"].as_str().unwrap().replace(&ids[0], "ID"), e2["error"].as_str().unwrap().replace("0000", "ID"));
    for bad in ["limit=0", "limit=1001", "limit=x"] {
        assert_eq!(call("GET", &u(&format!("/api/v1/jobs?{bad}")), Some(&a), None).0, 400, "{bad}");
    }
}

#[test]
fn job_list_sqlite() {
    job_list(sqlite_url());
}

#[test]
fn job_list_postgres() {
    job_list(postgres_url());
}

#[test]
fn workspace_sqlite() {
    workspace(sqlite_url());
}

#[test]
fn workspace_postgres() {
    workspace(postgres_url());
}
