//! Fuzz `lodestone serve` from its own OpenAPI document with schemathesis
//! (from PyPI, in the venv `scripts/lib/python-venv.sh` creates; without it
//! this test FAILS on purpose): no generated request may get a 5xx.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn no_server_errors_under_schemathesis() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var_os("LODESTONE_PY_VENV").map(PathBuf::from).unwrap_or_else(|| root.join("target/py-venv"));
    let st = venv.join("bin/schemathesis");
    assert!(st.exists(), "{} is missing: run scripts/lib/python-venv.sh (scripts/test does)", st.display());
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("ws.db").display());
    let token = {
        let mut s = lodestone_store::Store::open(&db).unwrap();
        s.add_party("japan").unwrap();
        s.add_user("japan", "aiko").unwrap().1
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_lodestone"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database-url", &db])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(t0.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(50));
    }
    let doc = ureq::get(&format!("{base}/api/v1/openapi.json")).set("Authorization", &format!("Bearer {token}")).call().unwrap().into_string().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, doc).unwrap();
    let out = Command::new(&st)
        .current_dir(dir.path())
        .args(["run", spec.to_str().unwrap(), "--url", &base, "-H", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error", "--max-examples", "25", "--seed", "1", "--no-color"])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "schemathesis found failures:\n{text}");
    assert!(text.contains("passed") && !text.contains("failed"), "{text}");
}
