//! Plan files: TOML text -> [`PlanFile`] (syntax, types and unknown keys,
//! each error with its line and column). Checks against a dataset (known
//! countries, commodities, groups) happen in [`crate::instance`], which
//! keeps the spans this module records.

use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// A located problem in a plan file (or in a scenario file it names).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlanError {
    pub file: String,
    /// 1-based; 0 when the problem has no position (e.g. an unreadable file).
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Dotted path of the key (`project[2].capacity`); empty when none.
    pub key: String,
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: ", self.file)?;
        } else {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanErrors(pub Vec<PlanError>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanErrors {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    lodestone_sim::scenario::line_col(text, byte)
}

/// Text plus file name, to turn spans into [`PlanError`]s.
#[derive(Clone, Copy)]
pub struct Located<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Located<'_> {
    pub fn error(&self, byte: usize, key: &str, message: impl Into<String>) -> PlanError {
        let (line, column) = line_col(self.text, byte);
        PlanError { file: self.file.to_string(), line, column, key: key.to_string(), message: message.into() }
    }
}

/// The file as written (units and defaults not yet applied).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub start_year: Spanned<i64>,
    /// Horizon in years, or ...
    pub years: Option<Spanned<i64>>,
    /// ... in quarters (exactly one of the two).
    pub quarters: Option<Spanned<i64>>,
    /// A group name from the dataset, or a list of country codes.
    pub partners: Spanned<toml::Value>,
    #[serde(default)]
    pub data: DataSection,
    #[serde(default)]
    pub demand: Vec<DemandSpec>,
    #[serde(default)]
    pub recipe: Vec<RecipeSpec>,
    #[serde(default)]
    pub costs: CostsSection,
    #[serde(default)]
    pub project: Vec<ProjectSpec>,
    #[serde(default)]
    pub stockpile: Vec<StockpileSpec>,
    #[serde(default)]
    pub policy: Vec<PolicySpec>,
    #[serde(default)]
    pub objective: ObjectiveSection,
    #[serde(default)]
    pub scenario: Vec<ScenarioRef>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Base year for production and trade (default: each commodity-stage's latest).
    pub year: Option<Spanned<i64>>,
    /// Partners may buy up to this share more than the base-year flow from
    /// each outside supplier (default 0.10).
    pub lane_headroom: Option<Spanned<f64>>,
    /// Existing producers' spare capacity where the dataset has no capacity
    /// row, as a share of production (default 0).
    pub capacity_headroom: Option<Spanned<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandSpec {
    pub commodity: Spanned<String>,
    /// Growth per year (0.05 = 5%).
    #[serde(default)]
    pub growth: Option<Spanned<f64>>,
    /// Countries with this demand (default: every partner).
    #[serde(default)]
    pub countries: Option<Vec<Spanned<String>>>,
    /// Base-year quantity per year by country, replacing the dataset's
    /// apparent consumption.
    #[serde(default)]
    pub quantity: Option<Spanned<toml::value::Table>>,
    /// At most this share of demand may go unmet (a hard constraint).
    #[serde(default)]
    pub max_shortfall_share: Option<Spanned<f64>>,
    /// Per unit of this demand left unmet (default: `objective.shortfall_penalty`).
    #[serde(default)]
    pub shortfall_penalty: Option<Spanned<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeSpec {
    pub output: Spanned<String>,
    pub input: Spanned<String>,
    /// Units of input per unit of output.
    pub quantity: Spanned<f64>,
    pub source: Spanned<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsSection {
    /// Unit cost of existing producers in partner countries, by commodity-stage
    /// (default: the mean import unit value of that commodity-stage).
    #[serde(default)]
    pub domestic: Option<Spanned<toml::value::Table>>,
    /// Unit cost where neither trade values nor `domestic` give one.
    #[serde(default)]
    pub default_unit_cost: Option<Spanned<f64>>,
    /// Cost per unit shipped between partner or project nodes (default 0).
    #[serde(default)]
    pub partner_shipping: Option<Spanned<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    pub id: Spanned<String>,
    /// mine, refinery or plant.
    pub kind: Spanned<String>,
    pub country: Spanned<String>,
    pub commodity: Spanned<String>,
    /// Per year, in the commodity-stage's unit.
    pub capacity: Spanned<f64>,
    /// One-off, in the money unit (USD), paid when construction starts.
    pub capex: Spanned<f64>,
    /// Per unit produced.
    pub opex: Spanned<f64>,
    pub permitting_years: Spanned<f64>,
    pub build_years: Spanned<f64>,
    #[serde(default)]
    pub earliest_year: Option<Spanned<i64>>,
    /// Allow at most this many copies of the project (default 1).
    #[serde(default)]
    pub max_units: Option<Spanned<i64>>,
    #[serde(default)]
    pub source: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockpileSpec {
    pub holder: Spanned<String>,
    pub commodity: Spanned<String>,
    /// Largest stock target, in the commodity-stage's unit.
    pub max: Spanned<f64>,
    /// Stock already held at the start (default 0).
    #[serde(default)]
    pub initial: Option<Spanned<f64>>,
    /// Cost per unit held per year.
    pub hold_cost: Spanned<f64>,
    /// Cost per unit bought (default: mean import unit value).
    #[serde(default)]
    pub purchase_cost: Option<Spanned<f64>>,
    /// `disruption` (default: released only in periods a scenario disrupts
    /// this commodity) or `any`.
    #[serde(default)]
    pub release: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// `max_share` (at most `share` of each partner's supply from the group)
    /// or `min_share` (at least).
    pub kind: Spanned<String>,
    /// A group name from the dataset (`partners` means the plan's partners) ...
    #[serde(default)]
    pub group: Option<Spanned<String>>,
    /// ... or a list of countries.
    #[serde(default)]
    pub countries: Option<Vec<Spanned<String>>>,
    pub commodity: Spanned<String>,
    pub share: Spanned<f64>,
    /// Partners it applies to (default: all).
    #[serde(default)]
    pub partners: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub from_year: Option<Spanned<i64>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSection {
    /// Multiplies every money cost (default 1).
    #[serde(default)]
    pub cost_weight: Option<Spanned<f64>>,
    /// Per unit of unmet demand (default: 10 x the highest unit cost in the plan).
    #[serde(default)]
    pub shortfall_penalty: Option<Spanned<f64>>,
    /// Per unit of shortfall away from the demand-proportional split across
    /// partners (default 0: off).
    #[serde(default)]
    pub fairness: Option<Spanned<f64>>,
    /// Per year (default 0).
    #[serde(default)]
    pub discount_rate: Option<Spanned<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRef {
    /// A scenario file of the stress issue, relative to the plan file.
    pub file: Spanned<String>,
    pub probability: Spanned<f64>,
}

/// Parses the text of a plan file (syntax, types, unknown keys).
pub fn parse_plan_file(file: &str, text: &str) -> Result<PlanFile, PlanErrors> {
    let loc = Located { file, text };
    match toml::from_str::<PlanFile>(text) {
        Ok(p) => Ok(p),
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let msg = e.message().trim().to_string();
            let msg = msg.replace("missing field", "missing key").replace("unknown field", "unknown key");
            Err(PlanErrors(vec![loc.error(at, "", msg)]))
        }
    }
}
