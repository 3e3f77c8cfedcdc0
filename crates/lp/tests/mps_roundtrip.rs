//! MPS round trip: every model here is solved by us, exported with
//! `write_mps`, and re-solved from the file by highspy (HiGHS's own reader,
//! another release) and by CBC (the binary PuLP ships). The objectives must
//! agree to 1e-9 relative with highspy, and to CBC's printed precision (1e-7).
//!
//! Needs the Python venv that `scripts/lib/python-venv.sh` creates (and
//! `scripts/test` runs first). Without it this test FAILS on purpose: a
//! skipped cross-check would look like a passing one.

use std::path::PathBuf;
use std::process::Command;

use lodestone_lp::{
    write_mps_file, HighsSolver, Model, Sense, SolveOptions, Solver, Status, VarType,
};

const INF: f64 = f64::INFINITY;

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("LODESTONE_PY_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/py-venv"));
    let py = venv.join("bin/python");
    assert!(
        py.exists(),
        "MPS cross-check needs {} (highspy + PuLP's CBC); create it with \
         `scripts/lib/python-venv.sh` (scripts/test does this before cargo test)",
        py.display()
    );
    py
}

/// max 3x + 5y + 7 over Wyndor's rows (36 + 7 = 43).
fn wyndor() -> Model {
    let mut m = Model::new();
    let x = m.add_continuous(0.0, INF).unwrap();
    let y = m.add_continuous(0.0, INF).unwrap();
    m.add_le(x, 4.0).unwrap();
    m.add_le(2.0 * y, 12.0).unwrap();
    m.add_le(3.0 * x + 2.0 * y, 18.0).unwrap();
    m.set_objective(Sense::Maximize, 3.0 * x + 5.0 * y + 7.0)
        .unwrap();
    m
}

/// Every bound and row shape the writer distinguishes, with names on some.
fn shapes() -> Model {
    let mut m = Model::new();
    m.set_name("shapes").unwrap();
    let free = m.add_var(-INF, INF, 1.0, VarType::Continuous).unwrap();
    let neg = m.add_var(-5.0, -1.0, -2.0, VarType::Continuous).unwrap();
    let mi_up = m.add_var(-INF, 3.0, -1.0, VarType::Continuous).unwrap();
    let fixed = m.add_var(2.5, 2.5, 1.0, VarType::Continuous).unwrap();
    let lo_only = m.add_var(1.25, INF, 0.5, VarType::Continuous).unwrap();
    let _empty = m.add_var(0.0, 4.0, 0.0, VarType::Continuous).unwrap();
    m.set_var_name(free, "flow[a->b]").unwrap();
    m.set_var_name(fixed, "fixed").unwrap();
    let r = m.add_expr_row(-2.0, free + neg, 10.0).unwrap(); // ranged
    m.set_row_name(r, "range_row").unwrap();
    m.add_eq(free - mi_up + lo_only, 4.0).unwrap();
    m.add_ge(mi_up + fixed, -1.0).unwrap();
    m.add_row(-INF, INF, &[(free, 1.0), (neg, 1.0)]).unwrap(); // free row: N
    m.add_le(0.1 * lo_only + 0.3 * free, 7.7).unwrap();
    m.set_objective_offset(-3.25).unwrap();
    m
}

/// The 5-item knapsack of tests/solve.rs (optimum 23), with a general integer
/// unbounded above (written with PL) and one integer free on both sides.
fn mip() -> Model {
    let mut m = Model::new();
    let w = [5.0, 6.0, 4.0, 3.0, 2.0];
    let v = [10.0, 13.0, 7.0, 8.0, 5.0];
    let xs: Vec<_> = (0..5).map(|_| m.add_binary()).collect();
    let c = m.add_continuous(0.0, 1.5).unwrap(); // continuous between integer blocks
    let k = m.add_integer(0.0, INF).unwrap();
    let f = m.add_integer(-INF, INF).unwrap();
    let mut terms: Vec<_> = xs.iter().zip(w).map(|(&x, w)| (x, w)).collect();
    terms.push((k, 4.0));
    m.add_row(-INF, 10.0, &terms).unwrap();
    m.add_expr_row(-2.5, f + c, 2.0).unwrap();
    let mut obj: Vec<_> = xs.iter().zip(v).map(|(&x, v)| (x, v)).collect();
    obj.extend([(k, 7.5), (c, 0.5), (f, 1.0)]);
    m.set_objective(Sense::Maximize, lodestone_lp::Expr::from_terms(obj))
        .unwrap();
    m
}

/// A generated (synthetic) sparse LP with non-round data: 300 variables in
/// [0, 2], 200 rows built around a known feasible point, some ranged, some
/// equalities; random signed costs. Bounded and feasible by construction.
fn random_lp() -> Model {
    let mut seed: u64 = 0x5eed;
    let mut rnd = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (n, rows) = (300, 200);
    let mut m = Model::new();
    let xs: Vec<_> = (0..n)
        .map(|_| {
            m.add_var(0.0, 2.0, rnd() * 2.0 - 1.0, VarType::Continuous)
                .unwrap()
        })
        .collect();
    let point: Vec<f64> = (0..n).map(|_| rnd() * 2.0).collect();
    for i in 0..rows {
        let mut terms = Vec::new();
        for &x in &xs {
            if rnd() < 0.03 {
                terms.push((x, rnd() * 10.0 - 3.0));
            }
        }
        let act: f64 = terms.iter().map(|&(v, a)| a * point[v.index()]).sum();
        match i % 4 {
            0 => m.add_row(act - rnd(), act + rnd(), &terms),
            1 => m.add_row(act, act, &terms),
            2 => m.add_row(-INF, act + rnd(), &terms),
            _ => m.add_row(act - rnd(), INF, &terms),
        }
        .unwrap();
    }
    m
}

#[test]
fn exported_mps_resolves_to_the_same_objective_in_highspy_and_cbc() {
    let py = venv_python();
    let dir = tempfile::tempdir().unwrap();
    let models = [
        ("wyndor", wyndor()),
        ("shapes", shapes()),
        ("mip", mip()),
        ("random_lp", random_lp()),
    ];
    let mut ours = Vec::new();
    let mut files = Vec::new();
    for (name, m) in &models {
        let sol = HighsSolver.solve(
            m,
            &SolveOptions {
                mip_gap: Some(0.0),
                ..SolveOptions::default()
            },
        );
        assert_eq!(sol.status, Status::Optimal, "{name}");
        let path = dir.path().join(format!("{name}.mps"));
        write_mps_file(m, &path).unwrap();
        ours.push(sol.objective.unwrap());
        files.push(path);
    }
    // Hand-checkable anchors: Wyndor 36 + 7 = 43. The MIP: the knapsack's 23
    // (A+D+E) beats any use of k (k+B or k+D+E: 20.5, 2k+E: 20); and
    // max 0.5c + f over f + c <= 2 puts f = 2, c = 0 (f = 1, c = 1 gives
    // 1.5): 23 + 2 = 25.
    assert!((ours[0] - 43.0).abs() < 1e-9);

    let out = Command::new(&py)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mps_check.py"))
        .args(&files)
        .output()
        .expect("running the venv's python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "mps_check.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut checked = std::collections::HashMap::new();
    for line in stdout.lines() {
        let file = field(line, "file");
        let reader = field(line, "reader");
        let i = files
            .iter()
            .position(|f| f.to_str() == Some(file.as_str()))
            .expect("known file");
        let status = field(line, "status");
        assert_eq!(status, "Optimal", "{reader} on {}: {line}", models[i].0);
        let theirs: f64 = field(line, "objective").parse().expect("objective");
        let want = ours[i];
        // highspy gives the full double: 1e-9 relative. CBC prints its
        // objective with about 8 significant digits, so it can only confirm
        // the file reads as the same model to that precision.
        let rel = if reader == "cbc" { 1e-7 } else { 1e-9 };
        let tol = rel * want.abs().max(1.0);
        assert!(
            (theirs - want).abs() <= tol,
            "{reader} on {}: objective {theirs}, ours {want}",
            models[i].0
        );
        *checked.entry(reader).or_insert(0) += 1;
    }
    assert_eq!(
        checked.get("highspy"),
        Some(&models.len()),
        "highspy checked every file:\n{stdout}"
    );
    assert_eq!(
        checked.get("cbc"),
        Some(&models.len()),
        "cbc checked every file:\n{stdout}"
    );
    assert!((ours[2] - 25.0).abs() < 1e-9, "mip objective {}", ours[2]);
}

/// The value of `"key": value` in a one-line JSON object from mps_check.py
/// (strings unquoted). Enough for our own flat output; no JSON dependency.
fn field(line: &str, key: &str) -> String {
    let pat = format!("\"{key}\": ");
    let at = line
        .find(&pat)
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + pat.len();
    let rest = &line[at..];
    if let Some(s) = rest.strip_prefix('"') {
        s[..s.find('"').unwrap()].to_string()
    } else {
        rest[..rest.find([',', '}']).unwrap()].trim().to_string()
    }
}
