//! Embeds the web dashboard (`web/dist`, built by Vite: `scripts/run` and
//! `scripts/test` build it, or `cd web && npm ci && npm run build`) into the
//! binary: a generated table of `include_bytes!`, so nothing is read from
//! disk at run time, in debug builds too. Without `web/dist` the build
//! still succeeds (a cargo warning) and `/` serves one page saying how to
//! build the UI; the end-to-end tests fail in that case.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let path = e.path();
        let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        if path.is_dir() {
            walk(&path, &r, out);
        } else {
            out.push((r, path));
        }
    }
}

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    let dist = web.join("dist");
    let mut files = vec![];
    if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={}", dist.display());
        walk(&dist, "", &mut files);
    } else {
        // Watch web/ itself, so that building dist later re-runs this.
        println!("cargo:rerun-if-changed={}", web.display());
        println!(
            "cargo:warning=web/dist is missing: the web dashboard is not embedded (build it with `cd web && npm ci && npm run build`, or run scripts/run / scripts/test)"
        );
    }
    let mut code = String::new();
    let _ = writeln!(code, "pub(crate) const BUILT: bool = {};", !files.is_empty());
    code.push_str("pub(crate) static ASSETS: &[(&str, &[u8])] = &[\n");
    for (rel, p) in &files {
        let _ = writeln!(code, "    ({rel:?}, include_bytes!({:?})),", p.display().to_string());
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("ui_assets.rs");
    std::fs::write(out, code).expect("write the generated asset table");
}
