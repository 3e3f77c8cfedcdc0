//! `lodestone`: the command-line face of the engine.
//!
//! Raw arguments (clap) are resolved into a dataset and typed options before
//! any work starts; the computing crates do the work; this crate only
//! formats. Exit codes: 0 ok, 2 bad input or usage, 1 internal error.

mod commands;
mod crit_cmds;
mod stress_cmds;
mod table;
mod trade_cmds;
mod tts_cmds;
mod plan_cmds;
mod admin_cmds;
mod report_cmds;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const ABOUT: &str = "Lodestone: map, measure, stress and plan critical-mineral supply chains.";

const LONG_ABOUT: &str = "\
Lodestone: map, measure, stress and plan critical-mineral supply chains.

Every command works on a dataset: by default the one compiled into this binary
(USGS Mineral Commodity Summaries 2025 and other public sources, every number
citing its source); --dataset DIR loads another (see `lodestone dataset`).

Start with `lodestone brief` for an overview, `lodestone commodities` for what
the dataset holds, and `lodestone exposure --commodity rare_earths --stage mining`
for one commodity-stage in detail.";

#[derive(Parser)]
#[command(name = "lodestone", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    /// Load this dataset directory instead of the embedded default.
    #[arg(long, global = true, value_name = "DIR")]
    dataset: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Critical-minerals briefing: for each commodity-stage, total output, top
    /// producers, HHI, group shares; U.S. net import reliance.
    ///
    /// Concentration follows the dataset's convention: shares are of the sum of
    /// all producer rows (including "other countries"), HHI sums named
    /// countries only, and the unattributed rest is shown as the residual.
    Brief(BriefArgs),
    /// List the dataset's commodity-stages with units, years and row counts.
    Commodities(FormatArgs),
    /// Concentration of one commodity-stage: producers and shares, HHI, top-3,
    /// residual, group shares, reserves.
    ///
    /// Example: lodestone exposure --commodity nickel --stage mining --by owner
    Exposure(ExposureArgs),
    /// A country's imports of a commodity: partners and shares, import HHI,
    /// group shares, apparent consumption and net import reliance, change on
    /// the year before.
    ///
    /// Example: lodestone imports --country JP --commodity 284690
    Imports(trade_cmds::ImportsArgs),
    /// Multi-tier origin: where a country's supply of a commodity was
    /// originally produced, through re-export chains and (with recipes)
    /// processing stages; beside the direct one-step import mix.
    ///
    /// Example: lodestone origin --country US --commodity graphite --stage mining
    Origin(trade_cmds::OriginArgs),
    /// Compare production between sources (USGS vs World Mining Data) and
    /// flag disagreements beyond a tolerance.
    Crosscheck(trade_cmds::CrosscheckArgs),
    /// Criticality by a published method (EU JRC 2017, GeoPolRisk,
    /// USGS-style), with every input and intermediate term shown.
    ///
    /// Without --material, ranks every material the data support.
    /// Example: lodestone criticality --method geopolrisk --country JP --material nickel
    Criticality(crit_cmds::CriticalityArgs),
    /// Stress-test supply: run a scenario file (export bans, outages, route
    /// closures, demand shocks) through the supply network and report who runs
    /// short, when, by how much, and how long stocks last (time to survive,
    /// recovery time, first-to-fail ranking); with a [monte_carlo] section,
    /// the distribution of shortfall over many seeded runs.
    ///
    /// Periods are numbered from 0. Scenario format: docs/scenarios.md.
    /// Example: lodestone stress examples/scenarios/rare-earth-export-ban.toml
    /// Monte Carlo: lodestone stress examples/scenarios/monte-carlo-critical-minerals.toml --runs 10000 --seed 7
    Stress(stress_cmds::StressArgs),
    /// Time to survive (Simchi-Levi et al. 2015): for each producer node
    /// removed, the longest time the rest of the network, with its stocks
    /// and spare capacity, keeps meeting all demand (one linear program per
    /// node); nodes whose TTS is below their time to recover (TTR) are the
    /// exposure hot spots. Sorted by TTS, lowest first.
    ///
    /// Method: docs/scenarios.md ("Time to survive").
    /// Example: lodestone tts --commodity rare_earths --ttr 12 --stock-months 3
    Tts(tts_cmds::TtsArgs),
    /// Joint supply plan: which mines, refineries and plants to build where
    /// and when, what stocks to hold and where partners buy, at least
    /// expected cost plus a penalty on unmet demand, under policy limits and
    /// disruption scenarios (a two-stage MIP solved with HiGHS). Prints
    /// builds, stock targets, supply by origin, shortfall and duals, or why a
    /// plan is infeasible.
    ///
    /// Format: docs/plans.md. Example: lodestone plan examples/plans/jp-us-rare-earths.toml
    /// The permitting lever: ... --sweep permitting_years=1..10
    Plan(plan_cmds::PlanArgs),
    /// Write a report: one self-contained HTML file (inline charts, opens
    /// offline), Markdown or JSON, with concentration per commodity-stage
    /// (production by location and by owner, reserves), and optionally a
    /// stress scenario's results and a solved plan.
    ///
    /// Example: lodestone report --commodity rare_earths,nickel --scenario examples/scenarios/rare-earth-export-ban.toml --plan examples/plans/jp-us-rare-earths.toml --out report.html
    Report(report_cmds::ReportArgs),
    /// Administer the shared workspace's database: parties, users, API
    /// tokens, the audit log (SQLite lodestone.db by default, PostgreSQL with
    /// --database-url).
    ///
    /// Example: lodestone admin user add --party japan --name aiko
    Admin(admin_cmds::AdminArgs),
    /// Serve the shared workspace: a JSON API under /api/v1 (OpenAPI at
    /// /api/v1/openapi.json), bearer-token auth (tokens from `lodestone admin
    /// user add`), background stress and plan jobs.
    ///
    /// Example: lodestone serve --bind 127.0.0.1:8080 --database-url postgres://lodestone@127.0.0.1/lodestone
    Serve(ServeArgs),
    /// Validate, export, document or rebuild datasets.
    #[command(subcommand)]
    Dataset(DatasetCommand),
    /// Import public releases, as published, into a new dataset directory.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// One JSON object (stable; documented in docs/cli-json.md).
    Json,
    /// Comma-separated rows with a header.
    Csv,
}

#[derive(clap::Args)]
pub struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::Args)]
pub struct BriefArgs {
    /// Year to report (default: the latest year with data for each commodity-stage).
    #[arg(long)]
    pub year: Option<i32>,
    /// How many top producers to show per commodity-stage.
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// Show only these commodities (comma-separated ids), e.g. rare_earths,nickel.
    #[arg(long, value_delimiter = ',')]
    pub commodity: Vec<String>,
    /// The partner countries whose import dependence the briefing shows: a
    /// dataset group.
    #[arg(long, default_value = "jp_us_ph")]
    pub partners: String,
    /// The group of concern whose share of each partner's imports is shown.
    #[arg(long, default_value = "us_covered_nations")]
    pub concern: String,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Where the output is located.
    Location,
    /// The home country of its owners (needs ownership rows).
    Owner,
}

#[derive(clap::Args)]
pub struct ExposureArgs {
    /// Commodity id (see `lodestone commodities`), e.g. rare_earths.
    #[arg(long)]
    pub commodity: String,
    /// Stage, e.g. mining or refining.
    #[arg(long)]
    pub stage: String,
    /// Year (default: the latest year with production data).
    #[arg(long)]
    pub year: Option<i32>,
    /// Attribute output by location or by owner country.
    #[arg(long, value_enum, default_value_t = ByArg::Location)]
    pub by: ByArg,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Subcommand)]
enum DatasetCommand {
    /// Check a dataset directory and list every problem (file, line, column).
    Validate {
        /// The dataset directory.
        dir: PathBuf,
    },
    /// Write the dataset in use (the embedded default unless --dataset) to a
    /// new directory, for editing.
    Export {
        /// Directory to create (must not exist, or be empty).
        dir: PathBuf,
    },
    /// Print the dataset format (docs/dataset-format.md) from the schema.
    Schema,
    /// Rebuild the default dataset from the raw public files.
    BuildDefault {
        /// Directory of raw files (the repository's data/raw).
        #[arg(long, default_value = "data/raw")]
        raw: PathBuf,
        /// Directory to create.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// USGS Mineral Commodity Summaries world data (MCS2025_World_Data.csv),
    /// as published; optionally the U.S. salient statistics and the net import
    /// reliance table.
    UsgsMcs {
        /// The world data CSV.
        file: PathBuf,
        /// Directory of salient-statistics CSVs (mcs2025-*_salient.csv).
        #[arg(long)]
        salient: Option<PathBuf>,
        /// The net import reliance table (MCS2025_Fig2_Net_Import_Reliance.csv).
        #[arg(long)]
        nir: Option<PathBuf>,
        /// Directory to create for the new dataset.
        #[arg(long)]
        out: PathBuf,
        /// List every skipped cell, not just counts per reason.
        #[arg(long)]
        verbose: bool,
    },
    /// CEPII BACI bilateral trade (the directory with trade.csv, products.csv
    /// and countries.csv), mapped from HS6 codes to commodity-stages.
    Baci {
        /// The BACI directory.
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        verbose: bool,
    },
    /// World Bank WGI Political Stability estimates (political_stability.csv).
    Wgi {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        verbose: bool,
    },
    /// World Mining Data production (production.csv), as a second source.
    Wmd {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: std::net::SocketAddr,
    /// Database: `postgres://...`, `sqlite:PATH` or a path (default
    /// lodestone.db in the working directory; also LODESTONE_DATABASE_URL).
    #[arg(long, value_name = "URL", env = "LODESTONE_DATABASE_URL", default_value = "sqlite:lodestone.db")]
    database_url: String,
    /// Largest request body in MiB.
    #[arg(long, default_value_t = 64)]
    max_body_mib: usize,
    /// Background job runner threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
}

fn serve(a: &ServeArgs) -> Result<()> {
    let cfg = lodestone_server::Config {
        bind: a.bind,
        database_url: a.database_url.clone(),
        max_body: a.max_body_mib << 20,
        workers: a.workers,
    };
    lodestone_server::serve(cfg, |addr| eprintln!("lodestone serving on http://{addr} (Ctrl-C stops)")).map_err(CliError::Input)
}

/// What went wrong, and so which exit code.
pub enum CliError {
    /// Bad input or usage: exit 2.
    Input(String),
    /// A bug or an environment failure: exit 1.
    Internal(String),
}

pub type Result<T> = std::result::Result<T, CliError>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r = match cli.command {
        Command::Brief(a) => commands::brief(cli.dataset.as_deref(), &a),
        Command::Commodities(a) => commands::commodities(cli.dataset.as_deref(), a.format),
        Command::Exposure(a) => commands::exposure(cli.dataset.as_deref(), &a),
        Command::Imports(a) => trade_cmds::imports(cli.dataset.as_deref(), &a),
        Command::Criticality(a) => crit_cmds::criticality(cli.dataset.as_deref(), &a),
        Command::Stress(a) => stress_cmds::stress(cli.dataset.as_deref(), &a),
        Command::Tts(a) => tts_cmds::tts(cli.dataset.as_deref(), &a),
        Command::Plan(a) => plan_cmds::plan(cli.dataset.as_deref(), &a),
        Command::Report(a) => report_cmds::report(cli.dataset.as_deref(), &a),
        Command::Admin(a) => admin_cmds::admin(&a),
        Command::Serve(a) => serve(&a),
        Command::Origin(a) => trade_cmds::origin(cli.dataset.as_deref(), &a),
        Command::Crosscheck(a) => trade_cmds::crosscheck(cli.dataset.as_deref(), &a),
        Command::Dataset(DatasetCommand::Validate { dir }) => commands::validate(&dir),
        Command::Dataset(DatasetCommand::Export { dir }) => commands::export(cli.dataset.as_deref(), &dir),
        Command::Dataset(DatasetCommand::Schema) => {
            print!("{}", lodestone_model::schema::markdown());
            Ok(())
        }
        Command::Dataset(DatasetCommand::BuildDefault { raw, out }) => commands::build_default(&raw, &out),
        Command::Import(ImportCommand::UsgsMcs { file, salient, nir, out, verbose }) => commands::write_import(
            lodestone_import::usgs_dataset(&file, salient.as_deref(), nir.as_deref()),
            &out,
            verbose,
        ),
        Command::Import(ImportCommand::Baci { dir, out, verbose }) => {
            commands::write_import(lodestone_import::baci_dataset(&dir), &out, verbose)
        }
        Command::Import(ImportCommand::Wgi { file, out, verbose }) => {
            commands::write_import(lodestone_import::wgi_dataset(&file), &out, verbose)
        }
        Command::Import(ImportCommand::Wmd { file, out, verbose }) => {
            commands::write_import(lodestone_import::wmd_dataset(&file), &out, verbose)
        }
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Input(m)) => {
            eprintln!("error: {}", m.trim_end());
            ExitCode::from(2)
        }
        Err(CliError::Internal(m)) => {
            eprintln!("internal error: {}", m.trim_end());
            ExitCode::from(1)
        }
    }
}
