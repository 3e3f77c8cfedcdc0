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

mod catalog;
mod cells;
mod curated;
mod iso;
mod nir;
mod report;
mod salient;
mod sources;
mod world;

pub use curated::{curated_ownership, lodestone_groups};
pub use iso::iso_countries;
pub use nir::usgs_nir_table;
pub use report::{Counts, Report, Skip};
pub use salient::usgs_salient;
pub use sources::{iso_source, usgs_nir_source, usgs_salient_source, usgs_world_source};
pub use world::usgs_world;

use catalog::Catalog;
use lodestone_model::{
    Commodity, Country, Dataset, GroupMember, ImportReliance, Manifest, Output, Ownership, Reserve, Salient, Source,
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
    /// commodity-stage once. A second declaration must be identical.
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
            match ds.commodities.iter().find(|x| x.key == c.key) {
                Some(x) if *x != c => return Err(conflict("commodity-stage", &c.key.to_string())),
                Some(_) => {}
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
and net import reliance; curated single facts (ownership) with their publications; country groups."
            .into(),
        version: String::new(),
        stages: catalog::STAGES.iter().map(|s| s.to_string()).collect(),
        default_year: None,
    }
}

/// Builds the default dataset from a `data/raw` directory and validates it.
///
/// Reads `iso-codes/` (embedded), `lodestone/groups.csv` and
/// `lodestone/sources.csv` (if present), `usgs-mcs-2025/world/`,
/// `usgs-mcs-2025/salient/`, `usgs-mcs-2025/trends/` (figure 2) and
/// `curated/ownership.csv`. Returns the dataset and each importer's report.
pub fn build_default(raw: &Path) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let mut ds = Dataset::empty(default_manifest());
    let mut reports = Vec::new();

    let countries = iso_countries();
    let iso = Imported {
        sources: vec![iso_source()],
        report: Report { rows_read: countries.len(), cells_imported: countries.len(), ..Report::default() },
        countries,
        ..Imported::default()
    };
    reports.push(("iso-3166-1".to_string(), iso.merge_into(&mut ds)?));

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
    ];
    for (name, imported) in steps {
        reports.push((name.to_string(), imported.merge_into(&mut ds)?));
    }
    let ds = ds.validate().map_err(|p| ImportError {
        file: p.origin.clone(),
        line: None,
        column: None,
        message: format!("the assembled dataset does not validate:\n{p}"),
    })?;
    Ok((ds, reports))
}

/// A standalone dataset from a USGS world-data file (plus, optionally, the
/// salient-statistics directory and the net-import-reliance table): the ISO
/// country list, the USGS rows and their sources, validated.
pub fn usgs_dataset(
    world: &Path,
    salient: Option<&Path>,
    nir: Option<&Path>,
) -> Result<(Dataset, Vec<(String, Report)>), ImportError> {
    let mut manifest = default_manifest();
    manifest.name = "usgs-mcs-2025".into();
    manifest.title = "USGS Mineral Commodity Summaries 2025 (imported)".into();
    manifest.description = "Imported by `lodestone import usgs-mcs` from the USGS data release as published.".into();
    let mut ds = Dataset::empty(manifest);
    let countries = iso_countries();
    let iso = Imported {
        sources: vec![iso_source()],
        report: Report { rows_read: countries.len(), cells_imported: countries.len(), ..Report::default() },
        countries,
        ..Imported::default()
    };
    let mut reports = vec![("iso-3166-1".to_string(), iso.merge_into(&mut ds)?)];
    reports.push(("usgs world".to_string(), usgs_world(world)?.merge_into(&mut ds)?));
    if let Some(dir) = salient {
        reports.push(("usgs salient".to_string(), usgs_salient(dir)?.merge_into(&mut ds)?));
    }
    if let Some(f) = nir {
        reports.push(("usgs net import reliance".to_string(), usgs_nir_table(f)?.merge_into(&mut ds)?));
    }
    let ds = ds.validate().map_err(|p| ImportError {
        file: p.origin.clone(),
        line: None,
        column: None,
        message: format!("the imported dataset does not validate:\n{p}"),
    })?;
    Ok((ds, reports))
}
