//! The typed, validated dataset.
//!
//! A [`Dataset`] only exists after every check in [`crate::load`] passed, so
//! its invariants hold for everything downstream: every reference resolves,
//! every quantity is finite, non-negative and in its commodity-stage's unit,
//! keys are unique, ownership shares per location sum to at most 1.

use crate::ids::{CommodityKey, CountryCode};
use crate::units::Unit;
use std::collections::{BTreeMap, BTreeSet};

/// The contents of `dataset.toml`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Manifest {
    pub name: String,
    pub title: String,
    pub description: String,
    pub version: String,
    /// Supply-chain stages, upstream first.
    pub stages: Vec<String>,
    /// The year analyses use when none is given; `None` means the latest
    /// year with production data for the commodity-stage.
    pub default_year: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub year: Option<i32>,
    pub url: String,
    pub license: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Country {
    pub code: CountryCode,
    pub name: String,
    pub iso3: String,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GroupMember {
    pub group: String,
    pub country: CountryCode,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Commodity {
    pub key: CommodityKey,
    pub name: String,
    pub unit: Unit,
    pub basis: String,
    pub hs_codes: Vec<String>,
    /// The raw material this commodity-stage belongs to; empty means the
    /// commodity id itself. See [`Commodity::material`].
    pub material: String,
    pub source: String,
    pub note: String,
}

impl Commodity {
    /// The raw material: the `material` column, else the commodity id.
    pub fn material(&self) -> &str {
        if self.material.is_empty() {
            &self.key.commodity
        } else {
            &self.material
        }
    }
}

/// How a published number bounds the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The value itself.
    #[default]
    Exact,
    /// The truth is more than the value (`>90000000`).
    AtLeast,
    /// The truth is less than the value (`<1`).
    AtMost,
}

impl Bound {
    pub fn symbol(self) -> &'static str {
        match self {
            Bound::Exact => "",
            Bound::AtLeast => ">",
            Bound::AtMost => "<",
        }
    }
}

/// A row of `production.csv` or `capacity.csv`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Output {
    pub key: CommodityKey,
    /// `None` for output the source does not attribute to a named country.
    pub country: Option<CountryCode>,
    pub producer: String,
    pub year: i32,
    /// In the commodity-stage's unit.
    pub quantity: f64,
    pub estimated: bool,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reserve {
    pub key: CommodityKey,
    pub country: Option<CountryCode>,
    pub producer: String,
    pub year: i32,
    /// In the commodity-stage's unit.
    pub quantity: f64,
    pub bound: Bound,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ownership {
    pub key: CommodityKey,
    pub location: CountryCode,
    pub owner: CountryCode,
    pub year: i32,
    pub share: f64,
    pub basis: String,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Recipe {
    pub output: CommodityKey,
    pub input: CommodityKey,
    pub quantity: f64,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TradeFlow {
    pub key: CommodityKey,
    pub exporter: CountryCode,
    pub importer: CountryCode,
    pub year: i32,
    /// In the commodity-stage's unit.
    pub quantity: f64,
    pub value_kusd: Option<f64>,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Demand {
    pub key: CommodityKey,
    pub country: CountryCode,
    pub sector: String,
    pub year: i32,
    pub quantity: f64,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Stockpile {
    pub key: CommodityKey,
    pub holder: CountryCode,
    pub year: i32,
    pub quantity: f64,
    pub release_rule: String,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ImportReliance {
    pub country: CountryCode,
    pub commodity: String,
    pub item: String,
    pub year: i32,
    pub percent: f64,
    pub bound: Bound,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Salient {
    pub country: CountryCode,
    pub commodity: String,
    pub item: String,
    pub category: String,
    pub year: i32,
    pub value: f64,
    pub unit: String,
    pub bound: Bound,
    pub source: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Governance {
    pub country: CountryCode,
    pub indicator: String,
    pub year: i32,
    pub estimate: f64,
    pub std_err: Option<f64>,
    pub source: String,
    pub note: String,
}

/// A validated dataset. Build one with [`crate::load`] (or, in importers,
/// assemble the tables and pass them through [`Dataset::validate`], which
/// runs the same checks). `trade` is sorted by commodity-stage, year,
/// exporter and importer ([`Dataset::trade_of`] and [`Dataset::trade_in`]
/// rely on it).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Dataset {
    pub manifest: Manifest,
    pub sources: Vec<Source>,
    pub countries: Vec<Country>,
    pub groups: Vec<GroupMember>,
    pub commodities: Vec<Commodity>,
    pub production: Vec<Output>,
    /// Production estimates from other sources, for cross-checks only.
    pub production_other: Vec<Output>,
    pub capacity: Vec<Output>,
    pub reserves: Vec<Reserve>,
    pub ownership: Vec<Ownership>,
    pub recipes: Vec<Recipe>,
    pub trade: Vec<TradeFlow>,
    pub demand: Vec<Demand>,
    pub stockpiles: Vec<Stockpile>,
    pub import_reliance: Vec<ImportReliance>,
    pub salient: Vec<Salient>,
    pub governance: Vec<Governance>,
}

impl Dataset {
    /// An empty dataset with the given manifest, for importers to fill.
    pub fn empty(manifest: Manifest) -> Dataset {
        Dataset {
            manifest,
            sources: vec![],
            countries: vec![],
            groups: vec![],
            commodities: vec![],
            production: vec![],
            production_other: vec![],
            capacity: vec![],
            reserves: vec![],
            ownership: vec![],
            recipes: vec![],
            trade: vec![],
            demand: vec![],
            stockpiles: vec![],
            import_reliance: vec![],
            salient: vec![],
            governance: vec![],
        }
    }

    pub fn commodity(&self, key: &CommodityKey) -> Option<&Commodity> {
        self.commodities.iter().find(|c| &c.key == key)
    }

    pub fn country(&self, code: CountryCode) -> Option<&Country> {
        self.countries.iter().find(|c| c.code == code)
    }

    pub fn country_name(&self, code: CountryCode) -> &str {
        self.country(code).map(|c| c.name.as_str()).unwrap_or("")
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Group names, sorted.
    pub fn group_names(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.groups.iter().map(|g| g.group.as_str()).collect();
        set.into_iter().collect()
    }

    /// The members of a group (empty if the group is not declared).
    pub fn group(&self, name: &str) -> BTreeSet<CountryCode> {
        self.groups.iter().filter(|g| g.group == name).map(|g| g.country).collect()
    }

    /// All groups as name -> members.
    pub fn groups_map(&self) -> BTreeMap<&str, BTreeSet<CountryCode>> {
        let mut m: BTreeMap<&str, BTreeSet<CountryCode>> = BTreeMap::new();
        for g in &self.groups {
            m.entry(g.group.as_str()).or_default().insert(g.country);
        }
        m
    }

    /// Position of a stage in the manifest's upstream-first order.
    pub fn stage_index(&self, stage: &str) -> Option<usize> {
        self.manifest.stages.iter().position(|s| s == stage)
    }

    /// Years with production rows for a commodity-stage, ascending.
    pub fn production_years(&self, key: &CommodityKey) -> Vec<i32> {
        let set: BTreeSet<i32> =
            self.production.iter().filter(|p| &p.key == key).map(|p| p.year).collect();
        set.into_iter().collect()
    }

    /// The trade flows of one commodity-stage (all years), by binary search
    /// over the sorted trade table.
    pub fn trade_of(&self, key: &CommodityKey) -> &[TradeFlow] {
        let lo = self.trade.partition_point(|t| &t.key < key);
        let hi = self.trade.partition_point(|t| &t.key <= key);
        &self.trade[lo..hi]
    }

    /// The trade flows of one commodity-stage in one year.
    pub fn trade_in(&self, key: &CommodityKey, year: i32) -> &[TradeFlow] {
        let all = self.trade_of(key);
        let lo = all.partition_point(|t| t.year < year);
        let hi = all.partition_point(|t| t.year <= year);
        &all[lo..hi]
    }

    /// Years with trade flows for a commodity-stage, ascending.
    pub fn trade_years(&self, key: &CommodityKey) -> Vec<i32> {
        let mut v: Vec<i32> = self.trade_of(key).iter().map(|t| t.year).collect();
        v.dedup();
        v
    }

    /// Commodity-stages with any trade flows, sorted.
    pub fn traded_keys(&self) -> Vec<&CommodityKey> {
        let mut v: Vec<&CommodityKey> = self.trade.iter().map(|t| &t.key).collect();
        v.dedup();
        v
    }

    /// Commodity-stages sorted by commodity id, then stage in manifest order.
    pub fn commodities_sorted(&self) -> Vec<&Commodity> {
        let mut v: Vec<&Commodity> = self.commodities.iter().collect();
        v.sort_by_key(|c| (c.key.commodity.clone(), self.stage_index(&c.key.stage)));
        v
    }
}
