//! Crash safety of `lodestone serve`: kill -9 the server while uploads are
//! in flight and while a Monte Carlo job runs, restart it on the same
//! database, and check that every acknowledged upload is there with content
//! matching its hash, no half-written version exists, and the interrupted
//! job is re-queued and finishes.

use lodestone_store::{hash_token, Store};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn spawn(db: &str, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_lodestone"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database-url", db])
        .env_remove("LODESTONE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while ureq::get(&format!("http://127.0.0.1:{port}/healthz")).call().is_err() {
        assert!(t0.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn kill9(mut c: Child) {
    // SIGKILL: no graceful shutdown, no destructors.
    c.kill().unwrap();
    c.wait().unwrap();
}

fn call(method: &str, url: &str, token: &str, body: Option<Value>) -> Result<(u16, Value), String> {
    let r = ureq::request(method, url).set("Authorization", &format!("Bearer {token}")).timeout(Duration::from_secs(30));
    let resp = match body {
        Some(b) => r.send_json(b),
        None => r.call(),
    };
    match resp {
        Ok(r) | Err(ureq::Error::Status(_, r)) => {
            let code = r.status();
            Ok((code, r.into_json().unwrap_or(Value::Null)))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn upload(i: usize) -> Value {
    // A valid dataset whose content differs per upload.
    json!({ "files": {
        "dataset.toml": "name = \"t\"\ntitle = \"t\"\nstages = [\"mining\"]\n",
        "sources.csv": "id,title,publisher,year,url,license,note\nsrc,Test,tests,,,,\n",
        "countries.csv": "code,name,iso3,source\nJP,Japan,,src\n",
        "commodities.csv": "commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X,t,,,,src,\n",
        "production.csv": format!("commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nx,mining,JP,,2024,{i},t,,src,\n{}", "x,mining,JP,facility-a,2023,1,t,,src,padding\n".repeat(2000)),
    }})
}

#[test]
fn kill_during_uploads_and_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("ws.db").display());
    let token = {
        let mut s = Store::open(&db).unwrap();
        s.add_party("japan").unwrap();
        s.add_user("japan", "aiko").unwrap().1
    };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    // 1. Uploads in flight when the server dies.
    let server = spawn(&db, port);
    let acked = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let mut threads = vec![];
    for i in 1..=40 {
        let (base, token, acked) = (base.clone(), token.clone(), acked.clone());
        threads.push(std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(i as u64 * 15));
            if let Ok((201, v)) = call("POST", &format!("{base}/api/v1/datasets/d{}", i % 3), &token, Some(upload(i))) {
                acked.lock().unwrap().push(v["id"].as_str().unwrap().to_string());
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(300));
    kill9(server);
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let server = spawn(&db, port);
    {
        let mut s = Store::open(&db).unwrap();
        let p = s.authenticate(&token).unwrap().unwrap();
        let mut stored = vec![];
        for d in ["d0", "d1", "d2"] {
            let vs = s.dataset_versions(&p.party_id, d).unwrap();
            // Versions are 1..n with no gaps, each content matching its hash.
            for (k, v) in vs.iter().enumerate() {
                assert_eq!(v.version, k as i64 + 1);
                let content = s.dataset_content(&p.party_id, &v.id).unwrap();
                assert_eq!(hash_token(std::str::from_utf8(&content).unwrap()), v.content_hash);
                assert_eq!(content.len() as i64, v.size);
                stored.push(v.id.clone());
            }
        }
        for id in &acked {
            assert!(stored.contains(id), "acknowledged upload {id} lost");
        }
    }

    // 2. A Monte Carlo job running when the server dies.
    let scenario = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/scenarios/monte-carlo-critical-minerals.toml"))
        .unwrap()
        .replace("runs = 10000", "runs = 4000");
    let (code, j) = call("POST", &format!("{base}/api/v1/jobs"), &token, Some(json!({ "kind": "stress", "scenario": scenario }))).unwrap();
    assert_eq!(code, 202, "{j}");
    let id = j["id"].as_str().unwrap().to_string();
    let t0 = Instant::now();
    loop {
        let (_, j) = call("GET", &format!("{base}/api/v1/jobs/{id}"), &token, None).unwrap();
        if j["status"] == "running" && j["progress"].as_f64().unwrap() > 0.0 {
            assert!(j["result"].is_null());
            break;
        }
        assert_ne!(j["status"], "done", "the job finished before the kill; make it longer");
        assert!(t0.elapsed() < Duration::from_secs(120), "{j}");
        std::thread::sleep(Duration::from_millis(20));
    }
    kill9(server);
    {
        let mut s = Store::open(&db).unwrap();
        let p = s.authenticate(&token).unwrap().unwrap();
        let j = s.job(&p.party_id, &id).unwrap();
        assert_eq!(j.status, "running");
        assert!(j.result.is_none(), "no result may be visible on an unfinished job");
    }
    let server = spawn(&db, port);
    let t0 = Instant::now();
    let done = loop {
        let (_, j) = call("GET", &format!("{base}/api/v1/jobs/{id}"), &token, None).unwrap();
        if j["status"] == "done" {
            break j;
        }
        assert_ne!(j["status"], "failed", "{j}");
        assert!(t0.elapsed() < Duration::from_secs(300), "{j}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(done["result"]["monte_carlo"]["runs_done"], 4000);
    assert_eq!(done["result"]["monte_carlo"]["partial"], false);
    let (_, log) = call("GET", &format!("{base}/api/v1/audit"), &token, None).unwrap();
    let _ = log;
    let mut s = Store::open(&db).unwrap();
    let actions: Vec<String> = s.audit_log(None, 10_000).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"job.requeue".to_string()), "{actions:?}");
    kill9(server);
}
