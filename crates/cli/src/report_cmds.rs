//! `lodestone report`: runs what the report needs (the concentration
//! analyses, optionally a stress scenario and a plan) and writes one
//! self-contained HTML file, Markdown or JSON (crate lodestone-report).

use crate::commands::dataset;
use crate::{CliError, Result};
use clap::ValueEnum;
use lodestone_sim::Record;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
    Json,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Commodity ids to cover (every stage of each), comma-separated or
    /// repeated; default: every commodity in the dataset.
    #[arg(long, value_delimiter = ',')]
    pub commodity: Vec<String>,
    /// A stress scenario to run and report (docs/scenarios.md).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Monte Carlo runs (a scenario with [monte_carlo] only), 1 to
    /// 10,000,000 as for `lodestone stress --runs`.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub runs: Option<u64>,
    /// Monte Carlo seed (a scenario with [monte_carlo] only).
    #[arg(long)]
    pub seed: Option<u64>,
    /// A plan to solve and report (docs/plans.md).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Analysis year (default: the dataset's default, else the latest).
    #[arg(long)]
    pub year: Option<i32>,
    /// Producers, reserve holders and stressed nodes named per chart.
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    /// The report's title.
    #[arg(long)]
    pub title: Option<String>,
    /// html (default, or from --out's extension), md or json.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write here (replaced whole, never half-written); default: stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn report(dir: Option<&Path>, a: &ReportArgs) -> Result<()> {
    let format = a.format.unwrap_or_else(|| match a.out.as_ref().and_then(|p| p.extension()).and_then(|e| e.to_str()) {
        Some("md") => ReportFormat::Md,
        Some("json") => ReportFormat::Json,
        _ => ReportFormat::Html,
    });
    if a.top == 0 {
        return Err(CliError::Input("--top 0: expected at least 1".into()));
    }
    if a.scenario.is_none() && (a.runs.is_some() || a.seed.is_some()) {
        return Err(CliError::Input("--runs and --seed apply to a Monte Carlo --scenario".into()));
    }
    let ds = dataset(dir)?;
    let opts = lodestone_report::Options {
        title: a.title.clone().unwrap_or_else(|| "Lodestone critical-minerals report".into()),
        commodities: a.commodity.clone(),
        year: a.year,
        top: a.top,
        generator: format!("lodestone {}", env!("CARGO_PKG_VERSION")),
    };
    // Check the cheap inputs before the expensive runs.
    lodestone_report::build(&ds, &opts, None, None).map_err(CliError::Input)?;
    let stress = match &a.scenario {
        Some(p) => Some(run_scenario(&ds, p, a)?),
        None => None,
    };
    let plan = match &a.plan {
        Some(p) => Some(run_plan(&ds, p)?),
        None => None,
    };
    let r = lodestone_report::build(&ds, &opts, stress.as_ref(), plan.as_ref()).map_err(CliError::Internal)?;
    let text = match format {
        ReportFormat::Html => lodestone_report::html(&r),
        ReportFormat::Md => lodestone_report::markdown(&r),
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(&r).map_err(|e| CliError::Internal(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    match &a.out {
        Some(p) => write_whole(p, &text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Writes `text` to a temporary file beside `path`, then renames it over
/// `path`: a reader never sees half a report.
fn write_whole(path: &Path, text: &str) -> Result<()> {
    let err = |e: std::io::Error| CliError::Input(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| CliError::Input(format!("--out {}: not a file name", path.display())))?;
    let tmp = dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()));
    std::fs::write(&tmp, text).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })?;
    eprintln!("wrote {} ({} bytes)", path.display(), text.len());
    Ok(())
}

fn run_scenario(ds: &lodestone_model::Dataset, path: &Path, a: &ReportArgs) -> Result<Value> {
    let (file, sc, net) = crate::stress_cmds::load_scenario(ds, path, a.runs, a.seed)?;
    let groups = lodestone_sim::dataset_groups(ds);
    let never = AtomicBool::new(false);
    if sc.monte_carlo.is_some() {
        let runs = sc.monte_carlo.as_ref().map_or(0, |m| m.runs);
        let pb = progress_bar(runs as u64, "runs");
        let r = lodestone_sim::monte_carlo(&net, &sc, &groups, &|d, _| pb.set_position(d as u64), &never)
            .map_err(|e| CliError::Input(format!("{file}: {e}")))?;
        pb.finish_and_clear();
        Ok(crate::stress_cmds::mc_json(ds, &net, &sc, &file, &r))
    } else {
        let c = lodestone_sim::compile(&net, &sc, &groups);
        let pb = progress_bar(sc.horizon as u64, "periods");
        let r = lodestone_sim::simulate(&net, &c, Record::Full, &|d, _| pb.set_position(d as u64), &never);
        pb.finish_and_clear();
        let view = crate::stress_cmds::SingleView::new(ds, &net, &r);
        Ok(crate::stress_cmds::single_json(ds, &net, &sc, &file, &r, &view))
    }
}

fn run_plan(ds: &lodestone_model::Dataset, path: &Path) -> Result<lodestone_plan::PlanResult> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("cannot read plan file {file}: {e}")))?;
    let read = crate::plan_cmds::scenario_reader(path);
    let inst = lodestone_plan::load_plan(&file, &text, ds, &read).map_err(|e| CliError::Input(e.to_string()))?;
    let pb = progress_bar(0, "solving the plan");
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    let opts = lodestone_plan::PlanOptions { log: lodestone_lp::Log::Silent, ..Default::default() };
    let (_, r) = lodestone_plan::solve_plan(&inst, &opts).map_err(|e| CliError::Internal(format!("solving {file}: {e}")))?;
    pb.finish_and_clear();
    Ok(r)
}

fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    let tpl = if total > 0 { "{bar:40} {pos}/{len} {msg} (ETA {eta})" } else { "{spinner} [{elapsed_precise}] {msg}" };
    if let Ok(style) = indicatif::ProgressStyle::with_template(tpl) {
        pb.set_style(style);
    }
    pb.set_message(what.to_string());
    pb
}
