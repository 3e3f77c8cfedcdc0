//! The web dashboard end to end, in real headless Chromium: a temporary
//! SQLite database, a party and a user made with `lodestone admin` (the
//! token it prints), `lodestone serve` on a free port, then
//! `node web/e2e/ui.mjs`, which signs in, opens every page, runs stress,
//! Monte Carlo and plan jobs watching their progress bars reach 100%, and
//! checks that the numbers on each page equal the API's (docs/web.md);
//! then a user of a second party signs in and must see the first party's
//! contributed plant only inside a country total, and none of its jobs.
//! Screenshots of every page go to `target/e2e/` on every run.
//!
//! Needs Node.js with `web/node_modules` (playwright-core) and Debian's
//! `/usr/bin/chromium`: `scripts/test` installs both. Without them, or when
//! the binary was built without `web/dist` (the placeholder page), this test
//! FAILS on purpose.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn lodestone(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_lodestone"))
        .args(args)
        .current_dir(dir)
        .env_remove("LODESTONE_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "lodestone {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn dashboard_in_headless_chromium() {
    let root = root();
    let web = root.join("web");
    assert!(
        web.join("node_modules/playwright-core").is_dir(),
        "web/node_modules is missing: run scripts/test (it runs `npm ci` in web/), or `cd web && npm ci`"
    );
    let chromium = std::env::var("LODESTONE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "{chromium} is missing: run scripts/test (it installs Debian's chromium)");

    let dir = tempfile::tempdir().unwrap();
    lodestone(dir.path(), &["admin", "party", "add", "japan"]);
    let token = lodestone(dir.path(), &["admin", "user", "add", "--party", "japan", "--name", "aiko"]).trim().to_string();
    assert!(token.starts_with("lst_"), "admin user add prints the token: {token}");
    // A user of another party: must see the first party's contribution only
    // inside country totals, and none of its jobs.
    lodestone(dir.path(), &["admin", "party", "add", "usa"]);
    let token_b = lodestone(dir.path(), &["admin", "user", "add", "--party", "usa", "--name", "bob"]).trim().to_string();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_lodestone"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .current_dir(dir.path())
            .env_remove("LODESTONE_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(t0.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let shots = root.join("target/e2e");
    std::fs::create_dir_all(&shots).unwrap();
    let started = SystemTime::now();
    let out = Command::new("node")
        .arg(web.join("e2e/ui.mjs"))
        .current_dir(&root)
        .env("LODESTONE_URL", &base)
        .env("LODESTONE_TOKEN", &token)
        .env("LODESTONE_TOKEN_B", &token_b)
        .env("LODESTONE_SHOTS", &shots)
        .env("LODESTONE_CHROMIUM", &chromium)
        .output()
        .expect("run node (scripts/test installs Node.js)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "web/e2e/ui.mjs failed (screenshot: target/e2e/failure.png)\n{stdout}\n{stderr}");
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());

    // A fresh, non-empty PNG of every page from this run.
    for page in ["signin", "overview", "commodity", "commodity-two-stages", "supply", "stress", "stress-monte-carlo", "plan", "compare", "workspace-own-party", "workspace-other-party"] {
        let p = shots.join(format!("{page}.png"));
        let meta = std::fs::metadata(&p).unwrap_or_else(|_| panic!("{} is missing", p.display()));
        assert!(meta.modified().unwrap() >= started, "{} is from an earlier run", p.display());
        let bytes = std::fs::read(&p).unwrap();
        assert!(bytes.len() > 10_000 && bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a page screenshot", p.display());
    }
}
