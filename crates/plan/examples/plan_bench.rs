//! Plan-model benchmark on a SYNTHETIC instance (generated numbers, fixed
//! seed, no dataset): a three-stage commodity chain (mining -> refining ->
//! battery, with recipes) over P partner countries, each partner node fed
//! by M outside suppliers on capped lanes plus a few uncapped lanes from
//! other partners; two candidate projects per partner (lead times 4-15
//! quarters), two stockpiles, one max_share policy, three scenarios
//! (baseline, a supply cut of one outside group, a demand surge with a
//! mining outage), T quarters. Defaults (30 partners, 88 suppliers, 40
//! quarters) give about 1M variables.
//!
//! Builds are continuous (`--relax`), so the model is an LP: the solve is
//! one HiGHS LP solve and the timing is not a branch-and-bound lottery.
//!
//! Phases timed: `build_model` (names off, CSC compressed), the HiGHS solve
//! (`HighsSolver`, default `SolveOptions`: presolve on, HiGHS's default
//! threads; includes passing the CSC arrays to HiGHS), and reading the
//! answer back (every value into `PlanValues`, objective parts from the
//! instance); the independent `check_plan` is timed separately and not
//! counted. `--json FILE` writes the instance for bench/plan/linopy_plan.py.
//!
//!   cargo run --release -p lodestone-plan --example plan_bench -- \
//!       [--partners 30] [--suppliers 88] [--periods 40] [--json FILE] \
//!       [--no-solve] [--threads N] [--log] [--full]
//!
//! `--full` also times `solve_built` (the `lodestone plan` path: solve,
//! results, duals) on the same model; `--breakdown` times each `define_*`
//! family of `build_model` separately (same calls, same order).

use std::io::Write;
use std::time::Instant;

use lodestone_lp::{HighsSolver, Log, SolveOptions, Solver};
use lodestone_model::{CommodityKey, CountryCode};
use lodestone_plan::instance::{
    KeyInst, Lane, LaneFrom, NodeInst, PolicyInst, ProjectInst, RecipeInst, ReleaseRule, ScenarioInst, ShareKind,
    StockInst, Weights,
};
use lodestone_plan::solve::{objective_parts, solve_built, PlanValues};
use lodestone_plan::model::{self as pmod, PlanModel};
use lodestone_plan::{build_model, BuildOptions, Instance, PlanOptions};

/// The steps of `build_model`, each timed (prints `breakdown_<family>_s`).
fn breakdown(inst: &Instance, opts: BuildOptions) {
    let t = Instant::now();
    let mut pm = PlanModel::empty(inst);
    println!("breakdown_alloc_s {:.3}", t.elapsed().as_secs_f64());
    type Step = fn(&Instance, &mut PlanModel, BuildOptions) -> Result<(), lodestone_lp::LpError>;
    let steps: [(&str, Step); 10] = [
        ("builds", pmod::define_builds),
        ("stock_targets", pmod::define_stock_targets),
        ("balance_rows", pmod::define_balance_rows),
        ("production", pmod::define_production),
        ("project_output", pmod::define_project_output),
        ("flows", pmod::define_flows),
        ("stocks", pmod::define_stocks),
        ("shortfall", pmod::define_shortfall),
        ("policies", pmod::define_policies),
        ("fairness", pmod::define_fairness),
    ];
    for (name, f) in steps {
        let t = Instant::now();
        f(inst, &mut pm, opts).expect(name);
        println!("breakdown_{name}_s {:.3}", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    pm.model.compress();
    println!("breakdown_compress_s {:.3}", t.elapsed().as_secs_f64());
}

/// splitmix64: a fixed, dependency-free generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [a, b).
    fn uni(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Synthetic country code number i (AA, AB, ... ZZ).
fn code(i: usize) -> CountryCode {
    let b = [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8];
    CountryCode::parse(std::str::from_utf8(&b).unwrap()).unwrap()
}

/// Round to 1/64 so the JSON round trip is exact and the numbers are tame.
fn r64(x: f64) -> f64 {
    (x * 64.0).round() / 64.0
}

pub fn synthetic(partners: usize, suppliers: usize, periods: usize, seed: u64) -> Instance {
    let mut rng = Rng(seed);
    let t_len = periods;
    let n_out = 200usize; // outside countries, codes after the partners
    assert!(partners <= 100 && suppliers <= n_out, "at most 100 partners and 200 suppliers");
    let partner_codes: Vec<CountryCode> = (0..partners).map(code).collect();
    let outside: Vec<CountryCode> = (0..n_out).map(|i| code(100 + i)).collect();
    let stages = ["mining", "refining", "battery"];
    let keys: Vec<KeyInst> = stages
        .iter()
        .map(|s| KeyInst { key: CommodityKey::new("synthetic_nickel", *s), unit: "kt".into(), base_year: None })
        .collect();
    let base_cost = [12.0, 30.0, 70.0];
    // Nodes: node index = p * 3 + k.
    let mut nodes = vec![];
    for (p, &c) in partner_codes.iter().enumerate() {
        let size = rng.uni(0.3, 3.0);
        for (k, bc) in base_cost.iter().enumerate() {
            let cap = if rng.uni(0.0, 1.0) < 0.25 { 0.0 } else { r64(size * rng.uni(5.0, 40.0)) };
            let demand: Vec<f64> = match k {
                2 => {
                    let d0 = size * rng.uni(40.0, 120.0);
                    (0..t_len).map(|t| r64(d0 * (1.0 + 0.01 * t as f64))).collect()
                }
                1 if p % 2 == 0 => {
                    let d0 = size * rng.uni(5.0, 20.0);
                    (0..t_len).map(|_| r64(d0)).collect()
                }
                _ => vec![0.0; t_len],
            };
            let max_short_share = (k == 2 && p % 5 == 0).then_some(0.9);
            let penalty = if k == 2 { 1000.0 } else { 800.0 };
            let cost = r64(bc * rng.uni(0.7, 1.3));
            nodes.push(NodeInst { country: c, key: k, partner: true, cap, cost, demand, max_short_share, penalty });
        }
    }
    let recipes = vec![RecipeInst { output: 1, input: 0, qty: 1.25 }, RecipeInst { output: 2, input: 1, qty: 0.875 }];
    // Lanes: M outside suppliers per partner node, then 4 partner -> partner lanes per node.
    let mut lanes = vec![];
    for n in 0..nodes.len() {
        let (p, k) = (n / 3, n % 3);
        let off = rng.below(n_out);
        let demand_scale = nodes[p * 3 + 2].demand[0].max(10.0);
        for m in 0..suppliers {
            let o = (off + m) % n_out;
            lanes.push(Lane {
                from: LaneFrom::Outside { country: outside[o] },
                to: n,
                cap: Some(r64(demand_scale * rng.uni(0.02, 0.12))),
                cost: r64(base_cost[k] * rng.uni(1.0, 1.8)),
            });
        }
        let _ = p;
    }
    for n in 0..nodes.len() {
        let (p, k) = (n / 3, n % 3);
        for d in [1, 3, 7, 12] {
            let q = (p + d) % partners;
            if q != p {
                lanes.push(Lane { from: LaneFrom::Node { node: q * 3 + k }, to: n, cap: None, cost: r64(rng.uni(1.0, 4.0)) });
            }
        }
    }
    // Projects: two per partner.
    let mut projects = vec![];
    for (p, c) in partner_codes.iter().enumerate() {
        for (i, k) in [1usize, if p % 2 == 0 { 2 } else { 0 }].into_iter().enumerate() {
            let lead = 4 + rng.below(12);
            projects.push(ProjectInst {
                id: format!("synthetic-{c}-{}-{i}", stages[k]),
                kind: ["mine", "refinery", "plant"][k].into(),
                node: p * 3 + k,
                cap: r64(rng.uni(10.0, 60.0)),
                capex: r64(base_cost[k] * rng.uni(8.0, 30.0) * 10.0),
                opex: r64(base_cost[k] * rng.uni(0.5, 0.9)),
                permitting_years: (lead / 2) as f64 / 4.0,
                build_years: (lead - lead / 2) as f64 / 4.0,
                lead,
                earliest: rng.below(4),
                max_units: 1 + rng.below(3) as u32,
                source: "synthetic".into(),
            });
        }
    }
    let stockpiles = vec![
        StockInst { node: 2, max: 400.0, initial: 40.0, hold_cost: 0.5, purchase_cost: 80.0, release: ReleaseRule::Disruption },
        StockInst { node: 3 + 1, max: 300.0, initial: 0.0, hold_cost: 0.25, purchase_cost: 35.0, release: ReleaseRule::Any },
    ];
    // The outside "group": the first 40 outside countries.
    let group: Vec<CountryCode> = outside[..40].to_vec();
    let policies = vec![PolicyInst {
        name: "synthetic max 35% of refined supply from the group".into(),
        kind: ShareKind::Max,
        group: group.clone(),
        key: 1,
        share: 0.35,
        nodes: (0..partners).map(|p| p * 3 + 1).collect(),
        from: 4.min(t_len),
    }];
    // Scenarios.
    let (nn, ln) = (nodes.len(), lanes.len());
    let base = |name: &str, probability: f64| ScenarioInst {
        name: name.into(),
        probability,
        lane_factor: vec![1.0; ln * t_len],
        node_factor: vec![1.0; nn * t_len],
        demand_factor: vec![1.0; nn * t_len],
        disrupted: vec![false; keys.len() * t_len],
    };
    let mut scenarios = vec![base("baseline", 0.6), base("group_cut", 0.25), base("surge", 0.15)];
    let cut = (t_len / 5)..(t_len / 2);
    for (l, lane) in lanes.iter().enumerate() {
        if let LaneFrom::Outside { country } = lane.from {
            if group.contains(&country) {
                for t in cut.clone() {
                    scenarios[1].lane_factor[l * t_len + t] = 0.125;
                }
            }
        }
    }
    for k in 0..keys.len() {
        for t in cut.clone() {
            scenarios[1].disrupted[k * t_len + t] = true;
        }
    }
    for n in 0..nn {
        for t in 0..t_len {
            if n % 3 == 2 && t >= t_len * 3 / 10 {
                scenarios[2].demand_factor[n * t_len + t] = 1.25;
            }
            if n % 3 == 0 && n / 3 < partners / 3 && (t_len * 2 / 5..t_len * 7 / 10).contains(&t) {
                scenarios[2].node_factor[n * t_len + t] = 0.5;
            }
        }
    }
    let discount_rate = 0.05;
    let per_year = 4;
    Instance {
        name: format!("synthetic-plan-{partners}p-{suppliers}s-{t_len}q"),
        description: "SYNTHETIC benchmark plan (generated numbers, fixed seed; not real data)".into(),
        start_year: 2027,
        per_year,
        labels: (0..t_len).map(|t| format!("{}Q{}", 2027 + (t / 4) as i32, t % 4 + 1)).collect(),
        partners: partner_codes,
        keys,
        nodes,
        lanes,
        recipes,
        projects,
        stockpiles,
        policies,
        scenarios,
        weights: Weights { cost_weight: 1.0, shortfall_penalty: 1000.0, fairness: 100.0, discount_rate },
        discount: (0..t_len).map(|t| (1.0f64 + discount_rate).powf(-(t as f64) / per_year as f64)).collect(),
        notes: vec![
            "SYNTHETIC instance generated by crates/plan/examples/plan_bench.rs (splitmix64, fixed seed): not real data".into(),
            "builds relaxed to continuous for the benchmark (an LP)".into(),
        ],
    }
}

struct Args {
    partners: usize,
    suppliers: usize,
    periods: usize,
    json: Option<String>,
    solve: bool,
    threads: Option<usize>,
    log: bool,
    full: bool,
    breakdown: bool,
}

fn parse() -> Args {
    let mut a = Args { partners: 30, suppliers: 88, periods: 40, json: None, solve: true, threads: None, log: false, full: false, breakdown: false };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--partners" => a.partners = val().parse().expect("--partners N"),
            "--suppliers" => a.suppliers = val().parse().expect("--suppliers N"),
            "--periods" => a.periods = val().parse().expect("--periods N"),
            "--json" => a.json = Some(val()),
            "--threads" => a.threads = Some(val().parse().expect("--threads N")),
            "--no-solve" => a.solve = false,
            "--log" => a.log = true,
            "--full" => a.full = true,
            "--breakdown" => a.breakdown = true,
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

fn main() {
    let a = parse();
    let t0 = Instant::now();
    let inst = synthetic(a.partners, a.suppliers, a.periods, 0x5EED_2026);
    let gen_s = t0.elapsed().as_secs_f64();
    println!("instance {} (SYNTHETIC): {} nodes, {} lanes, {} projects, {} stockpiles, {} scenarios, {} periods", inst.name, inst.nodes.len(), inst.lanes.len(), inst.projects.len(), inst.stockpiles.len(), inst.scenarios.len(), inst.horizon());
    println!("ours_generate_s {gen_s:.3}");
    if let Some(path) = &a.json {
        let t = Instant::now();
        let f = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut w = std::io::BufWriter::new(f);
        serde_json::to_writer(&mut w, &inst).expect("write json");
        w.flush().expect("write json");
        println!("ours_json_s {:.3} ({path})", t.elapsed().as_secs_f64());
    }

    let opts = BuildOptions { relax: true, names: false };
    if a.breakdown {
        breakdown(&inst, opts);
    }
    let t = Instant::now();
    let pm = build_model(&inst, opts).expect("build");
    let build_s = t.elapsed().as_secs_f64();
    let st = pm.model.stats();
    println!("ours_vars {}", st.vars);
    println!("ours_rows {}", st.rows);
    println!("ours_nonzeros {}", st.nonzeros);
    println!("ours_build_s {build_s:.3}");
    if !a.solve {
        return;
    }
    let so = SolveOptions { threads: a.threads, log: if a.log { Log::Stderr } else { Log::Silent }, ..SolveOptions::default() };
    println!("ours_threads {}", a.threads.map_or("default".to_string(), |n| n.to_string()));
    let t = Instant::now();
    let sol = HighsSolver.solve(&pm.model, &so);
    let solve_s = t.elapsed().as_secs_f64();
    println!("ours_status {}", sol.status);
    println!("ours_solve_s {solve_s:.3}");
    println!("ours_highs_reported_s {:.3}", sol.info.seconds);
    let Some(x) = sol.values.as_ref() else {
        eprintln!("no solution");
        std::process::exit(1);
    };
    let t = Instant::now();
    let get = |v: &Option<lodestone_lp::Var>| v.map_or(0.0, |v| x[v.index()]);
    let vals = PlanValues {
        prod: pm.prod.iter().map(get).collect(),
        pprod: pm.pprod.iter().map(get).collect(),
        build: pm.build.iter().map(get).collect(),
        flow: pm.flow.iter().map(|v| x[v.index()]).collect(),
        short: pm.short.iter().map(get).collect(),
        target: pm.target.iter().map(|v| x[v.index()]).collect(),
        release: pm.release.iter().map(|v| x[v.index()]).collect(),
        refill: pm.refill.iter().map(|v| x[v.index()]).collect(),
        level: pm.level.iter().map(|v| x[v.index()]).collect(),
        dev: pm.dev.iter().map(get).collect(),
    };
    let parts = objective_parts(&inst, &vals);
    let extract_s = t.elapsed().as_secs_f64();
    let obj = sol.objective.expect("objective");
    let parts_sum = parts.capex + parts.supply + parts.stock + parts.shortfall_penalty + parts.fairness_penalty;
    println!("ours_extract_s {extract_s:.3}");
    println!("ours_objective {obj:.12e}");
    println!("ours_objective_from_parts {parts_sum:.12e} (rel diff {:.1e})", (parts_sum - obj).abs() / obj.abs().max(1.0));
    let total = build_s + solve_s + extract_s;
    println!("ours_total_s {total:.3}");
    println!("ours_nonsolver_share {:.4}", (build_s + extract_s) / total);
    let t = Instant::now();
    let bad = lodestone_plan::check::check_plan(&inst, &vals, true, 1e-6);
    println!("ours_check_s {:.3} ({} violations)", t.elapsed().as_secs_f64(), bad.len());
    for b in bad.iter().take(5) {
        println!("  violation: {b}");
    }
    if a.full {
        let po = PlanOptions { relax: true, threads: a.threads, names: false, ..PlanOptions::default() };
        let t = Instant::now();
        let res = solve_built(&inst, &pm, &po, build_s);
        println!("ours_solve_built_s {:.3} (status {}, objective {:?})", t.elapsed().as_secs_f64(), res.status, res.objective);
    }
}
