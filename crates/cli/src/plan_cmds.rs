//! `lodestone plan`: solve a joint supply plan (docs/plans.md) with
//! lodestone-plan and print builds, stock targets, supply by origin,
//! shortfall and duals; or, with `--sweep`, how cost and shortfall change
//! with one parameter. This module reads the plan file and the scenario
//! files it names, shows solver progress on stderr, writes MPS on request,
//! and formats. JSON is documented in docs/plans.md.

use crate::commands::{dataset, json};
use crate::table::{pct, qty, Table};
use crate::{CliError, Format, Result};
use lodestone_model::Dataset;
use lodestone_plan::solve::{PlanOptions, PlanResult};
use lodestone_plan::sweep::{parse_sweep, run_sweep, SweepPoint};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct PlanArgs {
    /// The plan file (TOML; format in docs/plans.md, examples in examples/plans/).
    pub plan: PathBuf,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write the model as free MPS to FILE (the objective printed is
    /// this model's optimum, so anyone can re-solve and compare).
    #[arg(long, value_name = "FILE")]
    pub export_mps: Option<PathBuf>,
    /// Treat build decisions as continuous (partial builds) instead of whole
    /// units: an LP, faster, a bound on the MIP.
    #[arg(long)]
    pub relax: bool,
    /// Stop the solver after this many seconds (the best plan found is
    /// reported with status time_limit_feasible).
    #[arg(long, value_name = "S")]
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which to stop (default 1e-4).
    #[arg(long, value_name = "G")]
    pub mip_gap: Option<f64>,
    /// Re-solve for each value of one parameter: PARAM=a..b, a..b:step or
    /// v1,v2,...  PARAM is `permitting_years` / `build_years` (every
    /// project), or a dotted path such as objective.shortfall_penalty,
    /// policy[0].share or project.us-separation.capex.
    #[arg(long, value_name = "PARAM=VALUES")]
    pub sweep: Option<String>,
    /// Print the solver's log on stderr.
    #[arg(long)]
    pub solver_log: bool,
    /// How many rows the tables show.
    #[arg(long, default_value_t = 12)]
    pub top: usize,
}

pub(crate) fn scenario_reader(plan: &Path) -> impl Fn(&str) -> std::result::Result<(String, String), String> + Sync {
    let base = plan.parent().map(Path::to_path_buf).unwrap_or_default();
    move |f: &str| {
        let p = base.join(f);
        std::fs::read_to_string(&p).map(|t| (p.display().to_string(), t)).map_err(|e| e.to_string())
    }
}

pub fn plan(dir: Option<&Path>, a: &PlanArgs) -> Result<()> {
    if a.format == Format::Csv {
        return Err(CliError::Input("`plan` prints a table or JSON".into()));
    }
    if let Some(t) = a.time_limit {
        if !(t > 0.0 && t.is_finite()) {
            return Err(CliError::Input(format!("--time-limit {t}: expected seconds > 0")));
        }
    }
    if let Some(g) = a.mip_gap {
        if !(0.0..1.0).contains(&g) {
            return Err(CliError::Input(format!("--mip-gap {g}: expected a number from 0 to 1")));
        }
    }
    let ds = dataset(dir)?;
    let file = a.plan.display().to_string();
    let text = std::fs::read_to_string(&a.plan).map_err(|e| CliError::Input(format!("cannot read plan file {file}: {e}")))?;
    let read = scenario_reader(&a.plan);
    let opts = PlanOptions {
        relax: a.relax,
        time_limit: a.time_limit,
        mip_gap: a.mip_gap,
        threads: None,
        log: lodestone_lp::Log::Silent,
        names: a.export_mps.is_some(),
    };
    if let Some(s) = &a.sweep {
        if a.export_mps.is_some() {
            return Err(CliError::Input("--export-mps writes one model; leave it out with --sweep".into()));
        }
        return sweep(&ds, &file, &text, s, &read, &opts, a);
    }
    let inst = lodestone_plan::load_plan(&file, &text, &ds, &read).map_err(|e| CliError::Input(e.to_string()))?;
    let r = solve_with_progress(&inst, opts, a)?;
    match a.format {
        Format::Json => json(&r),
        _ => {
            print!("{}", render(&r, a.top));
            Ok(())
        }
    }
}

fn solve_with_progress(inst: &lodestone_plan::Instance, mut opts: PlanOptions, a: &PlanArgs) -> Result<PlanResult> {
    let pb = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] solving {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    if a.solver_log {
        opts.log = lodestone_lp::Log::Stderr;
    } else {
        let p = pb.clone();
        opts.log = lodestone_lp::Log::Callback(Arc::new(move |line: &str| {
            let l = line.trim();
            if !l.is_empty() {
                p.set_message(l.chars().take(100).collect::<String>());
            }
        }));
    }
    let t0 = std::time::Instant::now();
    let pm = lodestone_plan::build_model(inst, lodestone_plan::BuildOptions { relax: opts.relax, names: opts.names })
        .map_err(|e| CliError::Internal(format!("building the model: {e}")))?;
    let build_seconds = t0.elapsed().as_secs_f64();
    if let Some(path) = &a.export_mps {
        lodestone_lp::write_mps_file(&pm.model, path)
            .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
    }
    pb.set_message(format!("{} variables, {} rows", pm.model.num_vars(), pm.model.num_rows()));
    let r = lodestone_plan::solve::solve_built(inst, &pm, &opts, build_seconds);
    pb.finish_and_clear();
    if let Some(path) = &a.export_mps {
        eprintln!("wrote {} ({} variables, {} rows)", path.display(), r.model.vars, r.model.rows);
    }
    Ok(r)
}

fn money(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.2} bn", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} m", x / 1e6)
    } else if a >= 1e3 {
        format!("{:.1} k", x / 1e3)
    } else {
        format!("{x:.2}")
    }
}

pub fn render(r: &PlanResult, top: usize) -> String {
    let mut o = String::new();
    o.push_str(&format!("plan {} — {} to {}, partners {}\n", r.plan, r.periods[0], r.periods[r.periods.len() - 1], r.partners.join(", ")));
    let sc: Vec<String> = r.scenarios.iter().map(|(n, p)| format!("{n} ({})", pct(*p))).collect();
    o.push_str(&format!("scenarios: {}\n", sc.join(", ")));
    o.push_str(&format!(
        "status {}{}   model {} vars ({} integer), {} rows, {} non-zeros   built {:.3} s, solved {:.2} s\n",
        r.status,
        if r.relaxed { " (builds relaxed)" } else { "" },
        r.model.vars,
        r.model.integer_vars,
        r.model.rows,
        r.model.nonzeros,
        r.build_seconds,
        r.solve_seconds
    ));
    if let Some(ex) = &r.explanation {
        o.push_str(&format!("\n{}\n", ex.message));
        let mut t = Table::new(&["kind", "constraint", "partner", "commodity", "violation needed", "periods"]).right(&[4]);
        for c in &ex.conflicts {
            t.row(vec![c.kind.clone(), c.name.clone(), c.country.clone(), c.commodity.clone(), qty(c.violation), c.periods.join(" ")]);
        }
        o.push_str(&t.render(2));
        return o;
    }
    let Some(obj) = r.objective else {
        o.push_str("no plan found\n");
        return o;
    };
    o.push_str(&format!("objective {} (USD, expected, discounted)", money(obj)));
    if let Some(p) = &r.parts {
        o.push_str(&format!(
            ": capex {}, supply {}, stocks {}, shortfall penalty {}, fairness {}",
            money(p.capex),
            money(p.supply),
            money(p.stock),
            money(p.shortfall_penalty),
            money(p.fairness_penalty)
        ));
    }
    o.push('\n');
    if let Some(g) = r.mip_gap {
        if g > 0.0 {
            o.push_str(&format!("MIP gap {:.2e} (best bound {})\n", g, r.best_bound.map_or("-".into(), money)));
        }
    }

    o.push_str("\nbuilds\n");
    if r.builds.is_empty() {
        o.push_str("  none\n");
    } else {
        let mut t = Table::new(&["project", "kind", "country", "commodity", "units", "start", "online", "capacity/yr", "capex"]).right(&[4, 7, 8]);
        for b in &r.builds {
            t.row(vec![
                b.project.clone(),
                b.kind.clone(),
                b.country.clone(),
                b.commodity.clone(),
                format!("{:.2}", b.units),
                b.start.clone(),
                b.online.clone(),
                qty(b.capacity),
                money(b.capex),
            ]);
        }
        o.push_str(&t.render(2));
    }
    if !r.stock_targets.is_empty() {
        o.push_str("\nstock targets\n");
        let mut t = Table::new(&["holder", "commodity", "target", "initial", "max", "expected release"]).right(&[2, 3, 4, 5]);
        for s in &r.stock_targets {
            t.row(vec![s.holder.clone(), s.commodity.clone(), qty(s.target), qty(s.initial), qty(s.max), qty(s.expected_release)]);
        }
        o.push_str(&t.render(2));
    }
    o.push_str(&format!("\nshortfall (expected total {})\n", r.expected_shortfall.map_or("-".into(), qty)));
    let mut t = Table::new(&["partner", "commodity", "scenario", "total", "of demand", "by period"]).right(&[3, 4]);
    for s in &r.shortfall {
        let by: Vec<String> = s.by_period.iter().map(|x| if *x < 0.5 { "0".into() } else { qty(*x) }).collect();
        t.row(vec![s.country.clone(), s.commodity.clone(), s.scenario.clone(), qty(s.total), pct(s.share_of_demand), by.join(" ")]);
    }
    o.push_str(&t.render(2));
    o.push_str("\nsupply by origin over the horizon (first scenario)\n");
    let first = r.scenarios.first().map(|s| s.0.clone()).unwrap_or_default();
    for s in r.supply.iter().filter(|s| s.scenario == first) {
        let parts: Vec<String> = s.by_origin.iter().take(top).map(|x| format!("{} {}", x.origin, pct(x.share))).collect();
        let more = if s.by_origin.len() > top { format!(" ... {} more", s.by_origin.len() - top) } else { String::new() };
        o.push_str(&format!("  {} {}: {}{}\n", s.country, s.commodity, parts.join(", "), more));
    }
    if let Some(d) = &r.duals {
        o.push_str(&format!("\nduals ({})\n", d.method));
        let mut caps: Vec<_> = d.capacity.iter().filter(|c| c.value.abs() > 1e-9).collect();
        caps.sort_by(|a, b| b.value.total_cmp(&a.value));
        if caps.is_empty() {
            o.push_str("  no existing capacity binds\n");
        } else {
            let mut t = Table::new(&["capacity at", "commodity", "value of +1 unit/period (USD, all periods)"]).right(&[2]);
            for c in caps.iter().take(top) {
                t.row(vec![c.country.clone(), c.commodity.clone(), money(c.value)]);
            }
            o.push_str(&t.render(2));
        }
        if !d.projects.is_empty() {
            let mut t = Table::new(&["project", "value of +1 unit/period of its capacity"]).right(&[1]);
            for p in &d.projects {
                t.row(vec![p.project.clone(), money(p.value)]);
            }
            o.push_str(&t.render(2));
        }
        if !d.policies.is_empty() {
            let mut t = Table::new(&["policy", "marginal cost (USD per unit relaxed, all rows)", "binding rows"]).right(&[1, 2]);
            for p in &d.policies {
                t.row(vec![p.policy.clone(), money(p.marginal_cost), p.binding_rows.to_string()]);
            }
            o.push_str(&t.render(2));
        }
    }
    if !r.notes.is_empty() {
        o.push_str("\nnotes\n");
        for n in &r.notes {
            o.push_str(&format!("  - {n}\n"));
        }
    }
    o
}

fn sweep(
    ds: &Dataset,
    file: &str,
    text: &str,
    arg: &str,
    read: &lodestone_plan::instance::ReadScenarioSync,
    opts: &PlanOptions,
    a: &PlanArgs,
) -> Result<()> {
    let spec = parse_sweep(arg).map_err(|m| CliError::Input(format!("--sweep {m}")))?;
    let pb = indicatif::ProgressBar::with_draw_target(Some(spec.values.len() as u64), indicatif::ProgressDrawTarget::stderr());
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} plans solved (ETA {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let p = pb.clone();
    let points = run_sweep(file, text, &spec, ds, read, opts, &move |d, _| p.set_position(d as u64))
        .map_err(|e| CliError::Input(e.to_string()))?;
    pb.finish_and_clear();
    if a.format == Format::Json {
        return json(&serde_json::json!({ "param": spec.param, "points": points }));
    }
    print!("{}", render_sweep(&spec.param, &points));
    Ok(())
}

fn render_sweep(param: &str, points: &[SweepPoint]) -> String {
    let mut o = format!("sweep {param}\n");
    let mut t = Table::new(&[param, "status", "objective", "Δ vs first", "expected shortfall", "capex", "builds"]).right(&[0, 2, 3, 4, 5]);
    let first = points.first().and_then(|p| p.objective);
    for p in points {
        t.row(vec![
            format!("{}", p.value),
            p.error.as_ref().map_or(p.status.clone(), |e| format!("invalid: {e}")),
            p.objective.map_or("-".into(), money),
            match (p.objective, first) {
                (Some(x), Some(f)) => money(x - f),
                _ => "-".into(),
            },
            p.expected_shortfall.map_or("-".into(), qty),
            p.capex.map_or("-".into(), money),
            if p.builds.is_empty() { "none".into() } else { p.builds.join(" ") },
        ]);
    }
    o.push_str(&t.render(2));
    o
}

/// The briefing's plan, compiled in (with the scenario file it names) so
/// `brief` needs no files.
const BRIEF_PLAN: (&str, &str) =
    ("examples/plans/jp-us-rare-earths.toml", include_str!("../../../examples/plans/jp-us-rare-earths.toml"));
const BRIEF_PLAN_SCENARIO: (&str, &str) = (
    "../scenarios/rare-earth-export-ban.toml",
    include_str!("../../../examples/scenarios/rare-earth-export-ban.toml"),
);

#[derive(serde::Serialize)]
pub struct PlanBrief {
    pub plan: String,
    pub status: String,
    pub objective: Option<f64>,
    pub builds: Vec<String>,
    pub expected_shortfall: Option<f64>,
    pub shortfall_share: Option<f64>,
}

/// Solves the briefing's plan; `Err` says why it cannot (e.g. a user
/// dataset without rare-earth trade).
pub fn plan_brief(ds: &Dataset) -> std::result::Result<PlanBrief, String> {
    let read = |f: &str| -> std::result::Result<(String, String), String> {
        if f == BRIEF_PLAN_SCENARIO.0 {
            Ok(("examples/scenarios/rare-earth-export-ban.toml".into(), BRIEF_PLAN_SCENARIO.1.into()))
        } else {
            Err("not compiled into the briefing".into())
        }
    };
    let inst = lodestone_plan::load_plan(BRIEF_PLAN.0, BRIEF_PLAN.1, ds, &read).map_err(|e| e.to_string())?;
    let (_, r) = lodestone_plan::solve_plan(&inst, &PlanOptions { names: false, ..Default::default() }).map_err(|e| e.to_string())?;
    let demand: f64 = r.shortfall.iter().map(|s| s.probability * s.demand.iter().sum::<f64>()).sum();
    Ok(PlanBrief {
        plan: r.plan.clone(),
        status: r.status.clone(),
        objective: r.objective,
        builds: r.builds.iter().map(|b| format!("{} ({} {}, start {}, online {})", b.project, b.country, b.kind, b.start, b.online)).collect(),
        expected_shortfall: r.expected_shortfall,
        shortfall_share: r.expected_shortfall.filter(|_| demand > 0.0).map(|s| s / demand),
    })
}

pub fn plan_brief_text(b: &std::result::Result<PlanBrief, String>) -> String {
    let mut s = format!("\nPlan: `{}` (run it yourself: lodestone plan {})\n", BRIEF_PLAN.0.rsplit('/').next().unwrap_or(""), BRIEF_PLAN.0);
    match b {
        Err(e) => s.push_str(&format!("  not run on this dataset: {e}\n")),
        Ok(b) => {
            s.push_str(&format!(
                "  status {}, expected cost {} USD (discounted, incl. shortfall penalty)\n",
                b.status,
                b.objective.map_or("-".into(), money)
            ));
            s.push_str(&format!("  build: {}\n", if b.builds.is_empty() { "nothing".into() } else { b.builds.join("; ") }));
            if let (Some(x), Some(f)) = (b.expected_shortfall, b.shortfall_share) {
                s.push_str(&format!("  expected shortfall {} t over the horizon ({} of partner demand)\n", qty(x), pct(f)));
            }
        }
    }
    s
}
