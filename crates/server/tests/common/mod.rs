//! Helpers shared by the server's integration tests: a server in process on
//! SQLite or a fresh PostgreSQL database (`LODESTONE_TEST_DATABASE_URL`,
//! set by scripts/test; without it the PostgreSQL tests FAIL on purpose),
//! and a blocking HTTP client.
#![allow(dead_code)]

use lodestone_store::Store;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub struct Server {
    pub base: String,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn sqlite_url() -> (String, Option<tempfile::TempDir>) {
    let dir = tempfile::tempdir().unwrap();
    (format!("sqlite:{}", dir.path().join("ws.db").display()), Some(dir))
}

pub fn postgres_url() -> (String, Option<tempfile::TempDir>) {
    let base = std::env::var("LODESTONE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| panic!("LODESTONE_TEST_DATABASE_URL is not set: run scripts/test (it starts PostgreSQL on loopback)"));
    let mut c = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let name = format!("lodestone_api_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>());
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let i = base.rfind('/').unwrap();
    (format!("{}/{name}", &base[..i]), None)
}

pub fn start((url, dir): (String, Option<tempfile::TempDir>)) -> Server {
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    let cfg = lodestone_server::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        max_body: 1 << 20,
        workers: 1,
    };
    std::thread::spawn(move || {
        lodestone_server::serve(cfg, move |a| tx.send(a).unwrap()).unwrap();
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("server started");
    Server { base: format!("http://{addr}"), url, _dir: dir }
}

/// (status, JSON body).
pub fn call(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let mut r = ureq::request(method, url);
    if let Some(t) = token {
        r = r.set("Authorization", &format!("Bearer {t}"));
    }
    let resp = match body {
        Some(b) => r.send_json(b),
        None => r.call(),
    };
    let resp = match resp {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = resp.status();
    let text = resp.into_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub fn users(url: &str) -> (String, String) {
    let mut s = Store::open(url).unwrap();
    s.add_party("japan").unwrap();
    s.add_party("usa").unwrap();
    let (_, a) = s.add_user("japan", "aiko").unwrap();
    let (_, b) = s.add_user("usa", "bob").unwrap();
    (a, b)
}

pub const TINY: &[(&str, &str)] = &[
    ("dataset.toml", "name = \"tiny\"\ntitle = \"tiny\"\nstages = [\"mining\"]\n"),
    ("sources.csv", "id,title,publisher,year,url,license,note\nsrc,Test,tests,,,,\n"),
    ("countries.csv", "code,name,iso3,source\nJP,Japan,,src\n"),
    ("commodities.csv", "commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X,t,,,,src,\n"),
    ("production.csv", "commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nx,mining,JP,,2024,5,t,,src,\n"),
];

pub fn tiny(edit: Option<(&str, &str)>) -> Value {
    let mut files = serde_json::Map::new();
    for (k, v) in TINY {
        let v = match edit {
            Some((f, t)) if f == *k => t.to_string(),
            _ => v.to_string(),
        };
        files.insert(k.to_string(), Value::String(v));
    }
    json!({ "files": files })
}

pub const SCENARIO: &str = include_str!("../../../../examples/scenarios/rare-earth-export-ban.toml");

pub fn wait_done(s: &Server, token: &str, id: &str) -> Value {
    let t0 = Instant::now();
    loop {
        let (code, j) = call("GET", &format!("{}/api/v1/jobs/{id}", s.base), Some(token), None);
        assert_eq!(code, 200, "{j}");
        if ["done", "failed", "cancelled"].contains(&j["status"].as_str().unwrap()) {
            return j;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "job did not finish: {j}");
        std::thread::sleep(Duration::from_millis(100));
    }
}


/// Three parties with one user each: (japan's aiko, usa's bob,
/// philippines' pia) tokens.
pub fn users3(url: &str) -> (String, String, String) {
    let mut s = Store::open(url).unwrap();
    for p in ["japan", "usa", "philippines"] {
        s.add_party(p).unwrap();
    }
    let (_, a) = s.add_user("japan", "aiko").unwrap();
    let (_, b) = s.add_user("usa", "bob").unwrap();
    let (_, c) = s.add_user("philippines", "pia").unwrap();
    (a, b, c)
}

/// A dataset upload body from (file, text) pairs, with the sources,
/// countries (JP, US, PH, KR, AU) and commodities every contribution here
/// declares (units as in the embedded dataset).
pub fn contribution(tables: &[(&str, String)], share: Option<&str>) -> Value {
    let mut files = serde_json::Map::new();
    files.insert("dataset.toml".into(), json!("name = \"c\"\ntitle = \"c\"\nstages = [\"mining\", \"refining\"]\n"));
    files.insert("sources.csv".into(), json!("id,title,publisher,year,url,license,note\nsrc,Test,tests,,,,\n"));
    files.insert("countries.csv".into(), json!("code,name,iso3,source\nJP,Japan,,src\nUS,USA,,src\nPH,Philippines,,src\nKR,Korea,,src\nAU,Australia,,src\n"));
    files.insert(
        "commodities.csv".into(),
        json!("commodity,stage,name,unit,basis,hs_codes,material,source,note\nnickel,mining,Nickel,t,,,,src,\nrare_earth_compounds,refining,REC,t,,,,src,\n"),
    );
    for (f, t) in tables {
        files.insert(f.to_string(), json!(t));
    }
    let mut body = json!({ "files": files, "contribute": share.is_some() });
    if let Some(l) = share {
        body["share"] = json!(l);
    }
    body
}

pub const CAPACITY_HEADER: &str = "commodity,stage,country,producer,year,quantity,unit,estimated,source,note\n";
pub const STOCK_HEADER: &str = "commodity,stage,holder,year,quantity,unit,release_rule,source,note\n";
pub const TRADE_HEADER: &str = "commodity,stage,exporter,importer,year,quantity,unit,value_kusd,source,note\n";
