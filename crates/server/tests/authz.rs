//! The authorisation matrix: three parties (japan, usa, philippines), each
//! owning every kind of object (private dataset versions under a shared
//! and a unique name, a contributed version, a finished job, audit
//! entries, workspace rows), and every party calling every endpoint on
//! every party's objects. Owners read their objects; nobody reads another
//! party's (404, byte for byte the answer for a missing object, never
//! 403); unauthenticated or revoked callers get 401 on every documented
//! route that needs a token. SQLite and PostgreSQL.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const PARTIES: [&str; 3] = ["japan", "usa", "philippines"];

const MINI_SCENARIO: &str = "name = \"au-ban\"\nhorizon = 6\nperiod = \"month\"\n[network]\ncommodities = [\"x/mining\"]\n\
                             [[disruption]]\nname = \"AU ban\"\nkind = \"export_restriction\"\ncountry = \"AU\"\ncommodity = \"x/mining\"\nshare = 1.0\nstart = 1\nduration = 2\n";

/// A small private dataset whose one producer name is `secret`.
fn mini(secret: &str, jp: f64) -> Value {
    contribution(
        &[
            ("commodities.csv", "commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X,t,,,,src,\n".into()),
            ("production.csv", format!("{CAPACITY_HEADER}x,mining,AU,{secret},2024,100,t,,src,\nx,mining,JP,,2024,{jp},t,,src,\n")),
            ("trade.csv", format!("{TRADE_HEADER}x,mining,AU,JP,2024,80,t,,src,\n")),
        ],
        None,
    )
}

/// A contributed version (country-stage) with a plant, a stockpile and a
/// lane, each carrying `secret`.
fn plants(secret: &str) -> Value {
    contribution(
        &[
            ("production.csv", format!("{CAPACITY_HEADER}nickel,mining,JP,{secret}-plant,2024,11,t,,src,\n")),
            ("capacity.csv", format!("{CAPACITY_HEADER}nickel,mining,JP,{secret}-plant,2024,13,t,,src,\n")),
            ("stockpiles.csv", format!("{STOCK_HEADER}rare_earth_compounds,refining,JP,2024,17,t,{secret}-rule,src,\n")),
            ("trade.csv", format!("{TRADE_HEADER}rare_earth_compounds,refining,AU,JP,2024,19,t,,src,{secret}-lane\n")),
        ],
        Some("country-stage"),
    )
}

/// What one party owns.
#[derive(Default)]
struct Owned {
    secret: String,
    versions: Vec<String>,
    job: String,
}

/// Replaces `id` by a placeholder, so answers about different ids compare.
fn masked(v: &Value, id: &str) -> String {
    v.to_string().replace(id, "ID")
}

fn matrix(db: (String, Option<tempfile::TempDir>)) {
    let (a, b, c) = users3(&db.0);
    let tokens = [a, b, c];
    let url = db.0.clone();
    let s = start(db);
    let u = |p: &str| format!("{}{p}", s.base);

    // Every party creates one object of every kind.
    let mut owned: Vec<Owned> = vec![];
    for (i, party) in PARTIES.iter().enumerate() {
        let tok = &tokens[i];
        let secret = format!("secret-{party}");
        let mut o = Owned { secret: secret.clone(), ..Default::default() };
        for (name, body) in [
            ("mini", mini(&format!("{secret}-v1"), 5.0)),
            ("mini", mini(&format!("{secret}-v2"), 6.0)),
            (&*format!("only-{party}"), mini(&format!("{secret}-only1"), 5.0)),
            (&*format!("only-{party}"), mini(&format!("{secret}-only2"), 7.0)),
            ("plants", plants(&secret)),
            (&*format!("solo-{party}"), mini(&format!("{secret}-solo"), 5.0)),
        ] {
            let (code, v) = call("POST", &u(&format!("/api/v1/datasets/{name}")), Some(tok), Some(body));
            assert_eq!(code, 201, "{v}");
            o.versions.push(v["id"].as_str().unwrap().to_string());
        }
        let (code, j) = call("POST", &u("/api/v1/jobs"), Some(tok), Some(json!({ "kind": "stress", "scenario": MINI_SCENARIO, "dataset": "mini" })));
        assert_eq!(code, 202, "{j}");
        o.job = j["id"].as_str().unwrap().to_string();
        assert_eq!(wait_done(&s, tok, &o.job)["status"], "done");
        owned.push(o);
    }

    for caller in 0..3 {
        let tok = &tokens[caller];
        let me = &owned[caller];
        let (_, who) = call("GET", &u("/api/v1/me"), Some(tok), None);
        assert_eq!(who["party"], PARTIES[caller]);
        // The shared name `mini` is a different dataset per party: each sees
        // its own two versions.
        let (code, vs) = call("GET", &u("/api/v1/datasets/mini/versions"), Some(tok), None);
        assert_eq!(code, 200);
        let ids: Vec<&str> = vs["versions"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [me.versions[0].as_str(), me.versions[1].as_str()]);
        let (code, d) = call("GET", &u("/api/v1/datasets/mini/diff?from=1&to=2"), Some(tok), None);
        assert_eq!(code, 200);
        assert!(d.to_string().contains(&format!("{}-v2", me.secret)), "{d}");

        for owner in 0..3 {
            let them = &owned[owner];
            let only = format!("/api/v1/datasets/only-{}", PARTIES[owner]);
            let mine = caller == owner;
            let versions = call("GET", &u(&format!("{only}/versions")), Some(tok), None);
            let diff = call("GET", &u(&format!("{only}/diff?from=1&to=2")), Some(tok), None);
            let job = call("GET", &u(&format!("/api/v1/jobs/{}", them.job)), Some(tok), None);
            let on_their_data = call("POST", &u("/api/v1/jobs"), Some(tok), Some(json!({ "kind": "stress", "scenario": MINI_SCENARIO, "dataset": format!("only-{}", PARTIES[owner]) })));
            if mine {
                assert_eq!(versions.0, 200);
                assert_eq!(versions.1["versions"][1]["id"], them.versions[3]);
                assert_eq!(diff.0, 200);
                assert!(diff.1.to_string().contains(&format!("{}-only2", them.secret)));
                assert_eq!((job.0, job.1["status"].as_str()), (200, Some("done")));
                assert_eq!(on_their_data.0, 202);
                assert_eq!(wait_done(&s, tok, on_their_data.1["id"].as_str().unwrap())["status"], "done");
                continue;
            }
            // Another party's objects: 404, exactly as missing ones.
            let what = format!("party {caller} on party {owner}'s");
            assert_eq!(versions, call("GET", &u("/api/v1/datasets/never/versions"), Some(tok), None), "{what} versions");
            assert_eq!(versions.0, 404);
            assert_eq!(diff, call("GET", &u("/api/v1/datasets/never/diff?from=1&to=2"), Some(tok), None), "{what} diff");
            assert_eq!(diff.0, 404);
            let missing_job = call("GET", &u("/api/v1/jobs/0123456789abcdef0123456789abcdef"), Some(tok), None);
            assert_eq!((job.0, masked(&job.1, &them.job)), (404, masked(&missing_job.1, "0123456789abcdef0123456789abcdef")), "{what} job");
            let cancel = call("POST", &u(&format!("/api/v1/jobs/{}/cancel", them.job)), Some(tok), None);
            let missing_cancel = call("POST", &u("/api/v1/jobs/0123456789abcdef0123456789abcdef/cancel"), Some(tok), None);
            assert_eq!((cancel.0, masked(&cancel.1, &them.job)), (404, masked(&missing_cancel.1, "0123456789abcdef0123456789abcdef")), "{what} cancel");
            let missing_data = call("POST", &u("/api/v1/jobs"), Some(tok), Some(json!({ "kind": "stress", "scenario": MINI_SCENARIO, "dataset": "never" })));
            assert_eq!(on_their_data, missing_data, "{what} dataset as job input");
            assert_eq!(on_their_data.0, 404);
            let page = call("GET", &u(&format!("/api/v1/jobs?before={}", them.job)), Some(tok), None);
            let missing_page = call("GET", &u("/api/v1/jobs?before=0123456789abcdef0123456789abcdef"), Some(tok), None);
            assert_eq!((page.0, masked(&page.1, &them.job)), (400, masked(&missing_page.1, "0123456789abcdef0123456789abcdef")), "{what} cursor");
            // Uploading under their dataset's name makes the caller's own
            // dataset; theirs is unchanged.
            let (code, v) = call("POST", &u(&only), Some(tok), Some(mini("intruder", 1.0)));
            assert_eq!((code, v["version"].as_i64()), (201, Some(1)), "{what} name");
        }

        // Datasets: exactly the caller's own names (mini, only-*, plants,
        // solo-CALLER; the only-* of others that it made itself above).
        let (_, dl) = call("GET", &u("/api/v1/datasets"), Some(tok), None);
        let names: Vec<&str> = dl["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
        let mut want: Vec<String> = vec!["mini".into(), "plants".into(), format!("solo-{}", PARTIES[caller])];
        want.extend(PARTIES.iter().map(|p| format!("only-{p}")));
        want.sort();
        assert_eq!(names, want);
        let listed_ids: BTreeSet<&str> = dl["datasets"].as_array().unwrap().iter().map(|d| d["latest"]["id"].as_str().unwrap()).collect();
        for (o, them) in owned.iter().enumerate().filter(|(o, _)| *o != caller) {
            for v in &them.versions {
                assert!(!listed_ids.contains(v.as_str()), "party {caller} lists party {o}'s version {v}");
            }
        }

        // Listing: exactly the caller's jobs (the one above and the one on
        // its unique dataset).
        let (_, list) = call("GET", &u("/api/v1/jobs"), Some(tok), None);
        let listed: BTreeSet<&str> = list["jobs"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(me.job.as_str()));
        for (o, them) in owned.iter().enumerate() {
            if o != caller {
                assert!(!listed.contains(them.job.as_str()));
            }
        }
    }

    // Jobs were never cancelled by other parties.
    for (i, o) in owned.iter().enumerate() {
        assert_eq!(call("GET", &u(&format!("/api/v1/jobs/{}", o.job)), Some(&tokens[i]), None).1["status"], "done");
        let (_, vs) = call("GET", &u(&format!("/api/v1/datasets/only-{}/versions", PARTIES[i])), Some(&tokens[i]), None);
        assert_eq!(vs["versions"].as_array().unwrap().len(), 2, "party {i}'s dataset changed");
    }

    // Audit entries: each party's log names its own objects and none of
    // the others'.
    for caller in 0..3 {
        let (_, log) = call("GET", &u("/api/v1/audit?limit=10000"), Some(&tokens[caller]), None);
        let objects: BTreeSet<String> = log["entries"].as_array().unwrap().iter().map(|e| e["object_id"].as_str().unwrap().to_string()).collect();
        let me = &owned[caller];
        for id in me.versions.iter().chain([&me.job]) {
            assert!(objects.contains(id), "party {caller}'s log lacks {id}");
        }
        for (o, them) in owned.iter().enumerate() {
            if o != caller {
                for id in them.versions.iter().chain([&them.job]) {
                    assert!(!objects.contains(id), "party {caller}'s log shows party {o}'s {id}");
                }
            }
        }
        assert!(log["entries"].as_array().unwrap().iter().all(|e| e["user"] == ["aiko", "bob", "pia"][caller]));
    }

    // Workspace rows: every view, every caller; own secrets in, others' out.
    for caller in 0..3 {
        for q in [
            "production?commodity=nickel/mining&year=2024",
            "capacity?commodity=nickel/mining&year=2024",
            "stockpiles?commodity=rare_earth_compounds/refining&year=2024",
            "trade?commodity=rare_earth_compounds/refining&year=2024&country=JP",
        ] {
            let (code, v) = call("GET", &u(&format!("/api/v1/workspace/{q}")), Some(&tokens[caller]), None);
            assert_eq!(code, 200, "{q}: {v}");
            let text = v.to_string();
            assert!(text.contains(&owned[caller].secret), "{q}: party {caller}'s own row missing");
            for (o, them) in owned.iter().enumerate() {
                if o != caller {
                    assert!(!text.contains(&them.secret), "{q}: party {caller} sees party {o}'s rows");
                }
            }
        }
    }

    // Every documented route with an object in its path (the dashboard's
    // views included): another party's job or dataset answers exactly as a
    // missing one.
    let (_, doc) = call("GET", &u("/api/v1/openapi.json"), Some(&tokens[0]), None);
    let ops: Vec<(String, String, Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().iter().map(move |(m, op)| (path.clone(), m.clone(), op.clone())))
        .collect();
    let missing = "0123456789abcdef0123456789abcdef";
    let mut object_ops = 0;
    for (path, method, op) in &ops {
        if !(path.contains("{id}") || path.contains("{name}")) {
            continue;
        }
        object_ops += 1;
        let q = required_query(op);
        for caller in 0..3 {
            for (owner, them) in owned.iter().enumerate().filter(|(o, _)| *o != caller) {
                let body = (method == "post").then(|| json!({ "files": {} }));
                // `solo-PARTY` exists for its owner only (the callers above
                // made their own `only-PARTY` datasets).
                let theirs = path.replace("{id}", &them.job).replace("{name}", &format!("solo-{}", PARTIES[owner]));
                let absent = path.replace("{id}", missing).replace("{name}", "never");
                let (c1, b1) = call(&method.to_uppercase(), &u(&format!("{theirs}{q}")), Some(&tokens[caller]), body.clone());
                let (c2, b2) = call(&method.to_uppercase(), &u(&format!("{absent}{q}")), Some(&tokens[caller]), body);
                assert!(c1 != 200 && c1 != 403, "{method} {theirs}: party {caller} got {c1} on party {owner}'s object: {b1}");
                if method == "get" || path.contains("{id}") {
                    assert_eq!((c1, masked(&b1, &them.job)), (c2, masked(&b2, missing)), "{method} {path}: party {caller} on party {owner}'s object");
                }
            }
        }
    }
    assert!(object_ops >= 5, "only {object_ops} object routes");

    // 401 on every documented route that needs a token, without a token,
    // with a bogus one and with a revoked one: with the required query
    // parameters filled (so the only thing wrong is the token), and, for
    // the core API, also without them (the token is checked first).
    let mut store = lodestone_store::Store::open(&url).unwrap();
    let (_, spare) = store.add_user("japan", "revoked").unwrap();
    assert_eq!(call("GET", &u("/api/v1/me"), Some(&spare), None).0, 200);
    store.revoke_tokens("revoked").unwrap();
    let core = [
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/exposure",
        "/api/v1/origin",
        "/api/v1/workspace/production",
        "/api/v1/workspace/capacity",
        "/api/v1/workspace/stockpiles",
        "/api/v1/workspace/trade",
        "/api/v1/datasets",
        "/api/v1/validate",
        "/api/v1/datasets/{name}",
        "/api/v1/datasets/{name}/versions",
        "/api/v1/datasets/{name}/diff",
        "/api/v1/jobs",
        "/api/v1/jobs/{id}",
        "/api/v1/jobs/{id}/cancel",
        "/api/v1/audit",
    ];
    let mut checked = 0;
    for (path, method, op) in &ops {
        if op.get("security") == Some(&json!([])) {
            continue;
        }
        let p = path.replace("{name}", "mini").replace("{id}", &owned[0].job);
        let mut queries = vec![required_query(op)];
        if core.contains(&path.as_str()) {
            queries.push(String::new());
        }
        for q in queries {
            for tok in [None, Some("lst_bogus"), Some(spare.as_str())] {
                let body = (method == "post").then(|| json!({}));
                let (code, e) = call(&method.to_uppercase(), &u(&format!("{p}{q}")), tok, body);
                assert_eq!(code, 401, "{method} {p}{q} with {tok:?}: {e}");
            }
        }
        checked += 1;
    }
    let documented_core = ops.iter().filter(|(p, _, _)| core.contains(&p.as_str())).count();
    assert_eq!(documented_core, 18, "the core API's operations");
    assert!(checked >= documented_core);
}

/// `?a=..&b=..` with a valid-looking value for each required query
/// parameter of an OpenAPI operation.
fn required_query(op: &Value) -> String {
    let mut q = vec![];
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "query" && p["required"] == true {
            let name = p["name"].as_str().unwrap();
            let v = match name {
                "commodity" => "nickel/mining",
                "country" => "JP",
                "from" => "1",
                "to" => "2",
                _ => "1",
            };
            q.push(format!("{name}={v}"));
        }
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

#[test]
fn matrix_sqlite() {
    matrix(sqlite_url());
}

#[test]
fn matrix_postgres() {
    matrix(postgres_url());
}
