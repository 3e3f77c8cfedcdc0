//! Scenario files: TOML text -> a validated [`Scenario`].
//!
//! [`parse_scenario`] takes the text and a file name (for messages only; this
//! crate reads no files) and a [`Dataset`] to check countries, commodities
//! and groups against. Every problem is reported, each at the exact key with
//! line and column and what was expected. The format is described in
//! `docs/scenarios.md` at the repository root.

use crate::chokepoints;
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::fmt;
use std::ops::Range;
use toml_edit::{ImDocument, InlineTable, Item, Table, Value};

/// Length of one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Week,
}

impl Period {
    pub fn per_year(self) -> f64 {
        match self {
            Period::Month => 12.0,
            Period::Week => 52.0,
        }
    }
}

/// A commodity selector: one commodity-stage (`nickel/mining`) or every
/// declared stage of a commodity (`nickel`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CommoditySel {
    Key(CommodityKey),
    AllStages(String),
}

impl CommoditySel {
    pub fn matches(&self, key: &CommodityKey) -> bool {
        match self {
            CommoditySel::Key(k) => k == key,
            CommoditySel::AllStages(c) => &key.commodity == c,
        }
    }
}

/// Flows crossing a chokepoint: every exporter in `from` to every importer
/// in `to` (a single pair is a 1 x 1 pairing).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FlowSel {
    pub from: Vec<CountryCode>,
    pub to: Vec<CountryCode>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DisruptionKind {
    /// `country` withholds `share` of its exports of `commodity` from every
    /// importer outside `exempt_group`.
    ExportRestriction { country: CountryCode, commodity: CommoditySel, share: f64, exempt_group: Option<String> },
    /// `share` of the capacity of `country`'s producers of `commodity` is lost.
    Outage { country: CountryCode, commodity: CommoditySel, share: f64 },
    /// `share` of every listed flow (of `commodity`, or of all commodities) is
    /// blocked.
    RouteClosure { chokepoint: String, flows: Vec<FlowSel>, commodity: Option<CommoditySel>, share: f64 },
    /// `country`'s final demand for `commodity` is multiplied by `factor`.
    DemandShock { country: CountryCode, commodity: CommoditySel, factor: f64 },
}

/// A disruption over periods `start .. start + duration` (0-based).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Disruption {
    pub name: String,
    pub start: usize,
    pub duration: usize,
    #[serde(flatten)]
    pub kind: DisruptionKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// Stocks are never drawn.
    Never,
    /// Stocks are drawn when deliveries fall short of need.
    WhenShort,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Short supply is shared pro rata to normal quantities.
    ProRata,
    /// Claimants in the group (domestic use of a member, exports to a
    /// member) are served first, pro rata among themselves; the rest share
    /// what remains pro rata.
    Priority(String),
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Policy {
    pub release: Release,
    /// At most this share of the stock at the start of a period is drawn in it.
    pub max_release_share: f64,
    pub allocation: Allocation,
    /// Whether short buyers reroute to suppliers with spare capacity.
    pub reroute: bool,
    /// Periods a buyer must have been short before it reroutes.
    pub reroute_lag: usize,
    /// Periods over which rerouted volume ramps up to the full shortage.
    pub reroute_ramp: usize,
    /// Periods over which a disruption's effect fades out after it ends.
    pub recovery: usize,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            release: Release::WhenShort,
            max_release_share: 1.0,
            allocation: Allocation::ProRata,
            reroute: true,
            reroute_lag: 2,
            reroute_ramp: 3,
            recovery: 0,
        }
    }
}

/// A stock given by the scenario for one country and commodity selector.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StockSpec {
    pub country: CountryCode,
    pub commodity: CommoditySel,
    /// Months of normal demand (converted to the period).
    pub months: Option<f64>,
    /// An absolute quantity in the commodity-stage's unit.
    pub quantity: Option<f64>,
}

/// How the network is built from the dataset.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NetworkSpec {
    /// Base year; `None`: each table's latest year for each commodity-stage.
    pub year: Option<i32>,
    /// Commodities in the network; empty means every commodity-stage with
    /// production or trade data.
    pub commodities: Vec<CommoditySel>,
    /// Spare capacity as a fraction of production where `capacity` has no row.
    pub headroom: f64,
    /// Stock, in months of normal demand, for nodes without a stockpile row
    /// or a `stock` entry.
    pub stock_months: f64,
    pub stocks: Vec<StockSpec>,
}

impl Default for NetworkSpec {
    fn default() -> NetworkSpec {
        NetworkSpec { year: None, commodities: vec![], headroom: 0.1, stock_months: 0.0, stocks: vec![] }
    }
}

/// A duration distribution, in periods. Draws are rounded to the nearest
/// whole period and clamped to at least 1.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum DurationDist {
    Fixed { periods: f64 },
    Uniform { min: f64, max: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
    /// exp(N(ln median, sigma^2)).
    Lognormal { median: f64, sigma: f64 },
}

/// A Monte Carlo catalogue entry: a disruption that starts in any period
/// with the per-period probability implied by `annual_probability`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CatalogueEvent {
    pub name: String,
    pub annual_probability: f64,
    pub duration: DurationDist,
    pub kind: DisruptionKind,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MonteCarloSpec {
    pub runs: usize,
    pub seed: u64,
    pub events: Vec<CatalogueEvent>,
}

/// A validated scenario.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub horizon: usize,
    pub period: Period,
    pub network: NetworkSpec,
    pub disruptions: Vec<Disruption>,
    pub policy: Policy,
    pub monte_carlo: Option<MonteCarloSpec>,
}

impl Scenario {
    /// A scenario with no disruptions and default settings (for code that
    /// builds scenarios directly).
    pub fn new(name: &str, horizon: usize) -> Scenario {
        Scenario {
            name: name.into(),
            description: String::new(),
            horizon,
            period: Period::Month,
            network: NetworkSpec::default(),
            disruptions: vec![],
            policy: Policy::default(),
            monte_carlo: None,
        }
    }
}

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Dotted path of the key (`disruption[2].share`); empty for syntax errors.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
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

impl std::error::Error for ScenarioErrors {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    let before = &text[..b];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Parses and validates a scenario. `file` names the text in messages.
pub fn parse_scenario(file: &str, text: &str, ds: &Dataset) -> Result<Scenario, ScenarioErrors> {
    let mut cx = Cx { file, text, ds, errors: vec![] };
    let doc = match ImDocument::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            cx.err(at, "", format!("not valid TOML: {}", e.message()));
            return Err(ScenarioErrors(cx.errors));
        }
    };
    let root = doc.as_table();
    let sc = cx.scenario(root);
    cx.errors.sort_by_key(|e| (e.line, e.column));
    match sc {
        Some(sc) if cx.errors.is_empty() => Ok(sc),
        _ => Err(ScenarioErrors(cx.errors)),
    }
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    ds: &'a Dataset,
    errors: Vec<ScenarioError>,
}

#[derive(Clone, Copy)]
enum Tab<'a> {
    T(&'a Table),
    I(&'a InlineTable),
}

/// A table being read: remembers the keys used so the rest can be reported
/// as unknown.
struct Obj<'a> {
    tab: Tab<'a>,
    path: String,
    used: Vec<&'static str>,
}

fn span_start(s: Option<Range<usize>>) -> usize {
    s.map_or(0, |r| r.start)
}

impl<'a> Obj<'a> {
    fn new(tab: Tab<'a>, path: String) -> Obj<'a> {
        Obj { tab, path, used: vec![] }
    }

    fn span(&self) -> usize {
        match self.tab {
            Tab::T(t) => span_start(t.span()),
            Tab::I(t) => span_start(t.span()),
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Whether the table has `key`; records it as a valid key here either way
    /// (for keys read only when present).
    fn has(&mut self, key: &'static str) -> bool {
        self.used.push(key);
        self.keys().iter().any(|k| k.0 == key)
    }

    fn get(&mut self, key: &'static str) -> Option<(&'a Item, usize)> {
        self.used.push(key);
        let (k, item) = match self.tab {
            Tab::T(t) => t.get_key_value(key)?,
            Tab::I(t) => t.get_key_value(key)?,
        };
        let at = item.span().or_else(|| k.span()).map_or(self.span(), |s| s.start);
        Some((item, at))
    }

    fn keys(&self) -> Vec<(String, usize)> {
        match self.tab {
            Tab::T(t) => t
                .iter()
                .map(|(k, _)| (k.to_string(), span_start(t.key(k).and_then(|k| k.span()))))
                .collect(),
            Tab::I(t) => t
                .iter()
                .map(|(k, _)| (k.to_string(), span_start(t.key(k).and_then(|k| k.span()))))
                .collect(),
        }
    }
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a datetime",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "an inline table",
        },
    }
}

fn value_type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "an inline table",
    }
}

/// Levenshtein distance between two short keys (in characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The allowed key nearest to an unknown one, if near enough to be a typo:
/// the same letters in another case, or at most a third of the key's
/// characters (at least 1, at most 3) edited.
fn closest<'k>(key: &str, allowed: &[&'k str]) -> Option<&'k str> {
    if let Some(k) = allowed.iter().find(|a| a.eq_ignore_ascii_case(key)) {
        return Some(k);
    }
    let limit = (key.chars().count() / 3).clamp(1, 3);
    allowed
        .iter()
        .map(|a| (edit_distance(&key.to_ascii_lowercase(), a), *a))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, a)| a)
}

impl<'a> Cx<'a> {
    fn err(&mut self, byte: usize, key: &str, message: String) {
        let (line, column) = line_col(self.text, byte);
        self.errors.push(ScenarioError { file: self.file.into(), line, column, key: key.into(), message });
    }

    /// Reports every key of `o` that was never asked for, with the keys
    /// valid at that position and the nearest one when it looks like a typo.
    fn finish(&mut self, o: &Obj<'a>) {
        let mut allowed: Vec<&str> = vec![];
        for k in &o.used {
            if !allowed.contains(k) {
                allowed.push(k);
            }
        }
        for (k, at) in o.keys() {
            if !allowed.contains(&k.as_str()) {
                let list = allowed.join(", ");
                let mut msg = format!("unknown key `{k}`; expected one of: {list}");
                if let Some(s) = closest(&k, &allowed) {
                    msg.push_str(&format!("; did you mean `{s}`?"));
                }
                self.err(at, &o.key_path(&k), msg);
            }
        }
    }

    fn missing(&mut self, o: &Obj<'a>, key: &str, what: &str) {
        let at = o.span();
        self.err(at, &o.key_path(key), format!("missing required key `{key}` ({what})"));
    }

    fn string(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<(String, usize)> {
        let (item, at) = o.get(key)?;
        match item.as_str() {
            Some(s) => Some((s.to_string(), at)),
            None => {
                let t = type_name(item);
                self.err(at, &o.key_path(key), format!("expected a string, found {t}"));
                None
            }
        }
    }

    fn number(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<(f64, usize)> {
        let (item, at) = o.get(key)?;
        let v = item.as_float().or_else(|| item.as_integer().map(|i| i as f64));
        match v {
            Some(x) if x.is_finite() => Some((x, at)),
            Some(_) => {
                self.err(at, &o.key_path(key), "expected a finite number".into());
                None
            }
            None => {
                let t = type_name(item);
                self.err(at, &o.key_path(key), format!("expected a number, found {t}"));
                None
            }
        }
    }

    fn integer(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<(i64, usize)> {
        let (item, at) = o.get(key)?;
        match item.as_integer() {
            Some(i) => Some((i, at)),
            None => {
                let t = type_name(item);
                self.err(at, &o.key_path(key), format!("expected a whole number, found {t}"));
                None
            }
        }
    }

    fn boolean(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<bool> {
        let (item, at) = o.get(key)?;
        match item.as_bool() {
            Some(b) => Some(b),
            None => {
                let t = type_name(item);
                self.err(at, &o.key_path(key), format!("expected true or false, found {t}"));
                None
            }
        }
    }

    /// A whole number of periods in `min ..= max` (`what` names the bound).
    fn periods(&mut self, o: &mut Obj<'a>, key: &'static str, min: i64, max: Option<(i64, &str)>) -> Option<usize> {
        let (i, at) = self.integer(o, key)?;
        if i < min {
            let what = if i < 0 { "negative" } else { "too small" };
            self.err(at, &o.key_path(key), format!("{what} ({i}); expected a whole number of periods >= {min}"));
            return None;
        }
        if let Some((m, why)) = max {
            if i > m {
                self.err(at, &o.key_path(key), format!("{i} is {why}; expected at most {m}"));
                return None;
            }
        }
        Some(i as usize)
    }

    fn share(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<f64> {
        let (x, at) = self.number(o, key)?;
        if !(0.0..=1.0).contains(&x) {
            self.err(at, &o.key_path(key), format!("share {x} is outside 0-1; expected a fraction between 0 and 1"));
            return None;
        }
        Some(x)
    }

    fn nonneg(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<f64> {
        let (x, at) = self.number(o, key)?;
        if x < 0.0 {
            self.err(at, &o.key_path(key), format!("negative ({x}); expected a number >= 0"));
            return None;
        }
        Some(x)
    }

    fn country(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<CountryCode> {
        let (s, at) = self.string(o, key)?;
        self.country_str(&s, at, &o.key_path(key))
    }

    fn country_str(&mut self, s: &str, at: usize, path: &str) -> Option<CountryCode> {
        match CountryCode::parse(s) {
            Some(c) if self.ds.country(c).is_some() => Some(c),
            Some(_) => {
                self.err(at, path, format!("unknown country `{s}`: not declared in the dataset"));
                None
            }
            None => {
                self.err(at, path, format!("`{s}` is not a country code; expected two capital letters (ISO 3166-1 alpha-2)"));
                None
            }
        }
    }

    fn commodity(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<CommoditySel> {
        let (s, at) = self.string(o, key)?;
        let path = o.key_path(key);
        if s.contains('/') {
            match CommodityKey::parse(&s) {
                Some(k) if self.ds.commodity(&k).is_some() => Some(CommoditySel::Key(k)),
                Some(k) => {
                    let stages: Vec<String> = self
                        .ds
                        .commodities
                        .iter()
                        .filter(|c| c.key.commodity == k.commodity)
                        .map(|c| c.key.to_string())
                        .collect();
                    let hint = if stages.is_empty() {
                        String::new()
                    } else {
                        format!("; declared stages of `{}`: {}", k.commodity, stages.join(", "))
                    };
                    self.err(at, &path, format!("unknown commodity `{s}`: not declared in the dataset{hint}"));
                    None
                }
                None => {
                    self.err(at, &path, format!("`{s}` is not a commodity; expected `commodity/stage` or `commodity`"));
                    None
                }
            }
        } else if self.ds.commodities.iter().any(|c| c.key.commodity == s) {
            Some(CommoditySel::AllStages(s))
        } else {
            self.err(at, &path, format!("unknown commodity `{s}`: not declared in the dataset at any stage"));
            None
        }
    }

    fn group(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<String> {
        let (s, at) = self.string(o, key)?;
        if self.ds.groups.iter().any(|g| g.group == s) {
            Some(s)
        } else {
            let names = self.ds.group_names().join(", ");
            self.err(at, &o.key_path(key), format!("unknown group `{s}`; groups in the dataset: {names}"));
            None
        }
    }

    fn table(&mut self, o: &mut Obj<'a>, key: &'static str) -> Option<Obj<'a>> {
        let (item, at) = o.get(key)?;
        let path = o.key_path(key);
        match item {
            Item::Table(t) => Some(Obj::new(Tab::T(t), path)),
            Item::Value(Value::InlineTable(t)) => Some(Obj::new(Tab::I(t), path)),
            other => {
                let t = type_name(other);
                self.err(at, &path, format!("expected a table, found {t}"));
                None
            }
        }
    }

    /// An array of tables (`[[key]]`) or an array of inline tables.
    fn tables(&mut self, o: &mut Obj<'a>, key: &'static str) -> Vec<Obj<'a>> {
        let Some((item, at)) = o.get(key) else { return vec![] };
        let path = o.key_path(key);
        match item {
            Item::ArrayOfTables(a) => {
                a.iter().enumerate().map(|(i, t)| Obj::new(Tab::T(t), format!("{path}[{}]", i + 1))).collect()
            }
            Item::Value(Value::Array(a)) => {
                let mut out = vec![];
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::InlineTable(t) => out.push(Obj::new(Tab::I(t), format!("{path}[{}]", i + 1))),
                        other => {
                            let t = value_type_name(other);
                            let at = span_start(other.span());
                            self.err(at, &format!("{path}[{}]", i + 1), format!("expected an inline table, found {t}"));
                        }
                    }
                }
                out
            }
            other => {
                let t = type_name(other);
                self.err(at, &path, format!("expected an array of tables, found {t}"));
                vec![]
            }
        }
    }

    fn country_list(&mut self, v: &'a Value, path: &str) -> Vec<CountryCode> {
        let mut out = vec![];
        match v {
            Value::String(s) => out.extend(self.country_str(s.value(), span_start(v.span()), path)),
            Value::Array(a) => {
                for x in a.iter() {
                    match x.as_str() {
                        Some(s) => out.extend(self.country_str(s, span_start(x.span()), path)),
                        None => {
                            let t = value_type_name(x);
                            self.err(span_start(x.span()), path, format!("expected a country code, found {t}"));
                        }
                    }
                }
            }
            other => {
                let t = value_type_name(other);
                self.err(span_start(v.span()), path, format!("expected a country code or a list of them, found {t}"));
            }
        }
        out
    }

    fn scenario(&mut self, root: &'a Table) -> Option<Scenario> {
        let mut o = Obj::new(Tab::T(root), String::new());
        let name = self.string(&mut o, "name").map(|s| s.0);
        if name.is_none() && o.keys().iter().all(|k| k.0 != "name") {
            self.missing(&o, "name", "a string naming the scenario");
        }
        let description = self.string(&mut o, "description").map_or(String::new(), |s| s.0);
        let horizon = if o.has("horizon") {
            self.periods(&mut o, "horizon", 1, Some((100_000, "too long")))
        } else {
            self.missing(&o, "horizon", "the number of periods simulated");
            None
        };
        let period = match self.string(&mut o, "period") {
            None => Period::Month,
            Some((s, at)) => match s.as_str() {
                "month" => Period::Month,
                "week" => Period::Week,
                _ => {
                    self.err(at, "period", format!("unknown period `{s}`; expected `month` or `week`"));
                    Period::Month
                }
            },
        };
        let h = horizon.unwrap_or(usize::MAX);
        let network = match self.table(&mut o, "network") {
            Some(mut t) => self.network(&mut t),
            None => NetworkSpec::default(),
        };
        let mut disruptions = vec![];
        for mut t in self.tables(&mut o, "disruption") {
            if let Some(d) = self.disruption(&mut t, h) {
                disruptions.push(d);
            }
        }
        let policy = match self.table(&mut o, "policy") {
            Some(mut t) => self.policy(&mut t),
            None => Policy::default(),
        };
        let monte_carlo = match self.table(&mut o, "monte_carlo") {
            Some(mut t) => self.monte_carlo(&mut t),
            None => None,
        };
        self.finish(&o);
        Some(Scenario {
            name: name?,
            description,
            horizon: horizon?,
            period,
            network,
            disruptions,
            policy,
            monte_carlo,
        })
    }

    fn network(&mut self, o: &mut Obj<'a>) -> NetworkSpec {
        let mut n = NetworkSpec::default();
        if let Some((y, at)) = self.integer(o, "year") {
            if !(1900..=2200).contains(&y) {
                self.err(at, &o.key_path("year"), format!("year {y} is out of range; expected 1900-2200"));
            } else {
                n.year = Some(y as i32);
            }
        }
        if let Some((item, at)) = o.get("commodities") {
            let path = o.key_path("commodities");
            match item.as_array() {
                Some(a) => {
                    for v in a.iter() {
                        let at = span_start(v.span());
                        match v.as_str() {
                            Some(s) => {
                                // Reuse the selector check through a one-key view.
                                if let Some(sel) = self.commodity_str(s, at, &path) {
                                    n.commodities.push(sel);
                                }
                            }
                            None => self.err(at, &path, "expected a commodity string".into()),
                        }
                    }
                }
                None => self.err(at, &path, "expected a list of commodities".into()),
            }
        }
        if let Some(h) = self.nonneg(o, "headroom") {
            n.headroom = h;
        }
        if let Some(m) = self.nonneg(o, "stock_months") {
            n.stock_months = m;
        }
        for mut t in self.tables(o, "stock") {
            let country = self.country(&mut t, "country");
            let commodity = self.commodity(&mut t, "commodity");
            let months = self.nonneg(&mut t, "months");
            let quantity = self.nonneg(&mut t, "quantity");
            let has = |k: &str| t.keys().iter().any(|x| x.0 == k);
            if has("months") == has("quantity") {
                let at = t.span();
                self.err(at, &t.path, "expected exactly one of `months` or `quantity`".into());
            }
            self.finish(&t);
            if let (Some(country), Some(commodity)) = (country, commodity) {
                n.stocks.push(StockSpec { country, commodity, months, quantity });
            }
        }
        self.finish(o);
        n
    }

    fn commodity_str(&mut self, s: &str, at: usize, path: &str) -> Option<CommoditySel> {
        if let Some(k) = CommodityKey::parse(s) {
            if self.ds.commodity(&k).is_some() {
                return Some(CommoditySel::Key(k));
            }
        } else if !s.contains('/') && self.ds.commodities.iter().any(|c| c.key.commodity == s) {
            return Some(CommoditySel::AllStages(s.to_string()));
        }
        self.err(at, path, format!("unknown commodity `{s}`: not declared in the dataset"));
        None
    }

    /// The fields of a disruption other than name, start and duration.
    fn kind(&mut self, o: &mut Obj<'a>) -> Option<DisruptionKind> {
        let (kind, at) = match self.string(o, "kind") {
            Some(k) => k,
            None => {
                o.used.extend(KIND_KEYS);
                if !o.keys().iter().any(|k| k.0 == "kind") {
                    self.missing(o, "kind", "export_restriction, outage, route_closure or demand_shock");
                }
                return None;
            }
        };
        let need_country = |cx: &mut Self, o: &mut Obj<'a>| {
            let c = cx.country(o, "country");
            if c.is_none() && !o.keys().iter().any(|k| k.0 == "country") {
                cx.missing(o, "country", "an ISO 3166-1 alpha-2 code");
            }
            c
        };
        let need_commodity = |cx: &mut Self, o: &mut Obj<'a>| {
            let c = cx.commodity(o, "commodity");
            if c.is_none() && !o.keys().iter().any(|k| k.0 == "commodity") {
                cx.missing(o, "commodity", "`commodity/stage` or `commodity`");
            }
            c
        };
        match kind.as_str() {
            "export_restriction" => {
                let country = need_country(self, o);
                let commodity = need_commodity(self, o);
                let share = if o.has("share") { self.share(o, "share") } else { Some(1.0) };
                let exempt_group = self.group(o, "exempt_group");
                Some(DisruptionKind::ExportRestriction { country: country?, commodity: commodity?, share: share?, exempt_group })
            }
            "outage" => {
                let country = need_country(self, o);
                let commodity = need_commodity(self, o);
                let share = if o.has("share") { self.share(o, "share") } else { Some(1.0) };
                Some(DisruptionKind::Outage { country: country?, commodity: commodity?, share: share? })
            }
            "route_closure" => {
                let (cp, cp_at) = match self.string(o, "chokepoint") {
                    Some(c) => c,
                    None => {
                        o.used.extend(["commodity", "share", "flows"]);
                        if !o.keys().iter().any(|k| k.0 == "chokepoint") {
                            self.missing(o, "chokepoint", "a chokepoint name");
                        }
                        return None;
                    }
                };
                let commodity = self.commodity(o, "commodity");
                let share = if o.has("share") { self.share(o, "share") } else { Some(1.0) };
                let mut flows = vec![];
                let has_flows = o.keys().iter().any(|k| k.0 == "flows");
                for mut f in self.tables(o, "flows") {
                    let from = f.get("from").map(|(i, _)| i);
                    let to = f.get("to").map(|(i, _)| i);
                    let (fp, tp) = (f.key_path("from"), f.key_path("to"));
                    let from = match from.and_then(|i| i.as_value()) {
                        Some(v) => self.country_list(v, &fp),
                        None => {
                            self.missing(&f, "from", "an exporter or a list of exporters");
                            vec![]
                        }
                    };
                    let to = match to.and_then(|i| i.as_value()) {
                        Some(v) => self.country_list(v, &tp),
                        None => {
                            self.missing(&f, "to", "an importer or a list of importers");
                            vec![]
                        }
                    };
                    self.finish(&f);
                    flows.push(FlowSel { from, to });
                }
                if !has_flows {
                    match chokepoints::chokepoint(&cp) {
                        Some(c) => {
                            let known = |v: &[&str]| -> Vec<CountryCode> {
                                v.iter()
                                    .filter_map(|s| CountryCode::parse(s))
                                    .filter(|c| self.ds.country(*c).is_some())
                                    .collect()
                            };
                            for (a, b) in c.pairings {
                                flows.push(FlowSel { from: known(a), to: known(b) });
                                if c.both_ways {
                                    flows.push(FlowSel { from: known(b), to: known(a) });
                                }
                            }
                        }
                        None => {
                            let names: Vec<&str> = chokepoints::CHOKEPOINTS.iter().map(|c| c.name).collect();
                            self.err(
                                cp_at,
                                &o.key_path("chokepoint"),
                                format!(
                                    "unknown chokepoint `{cp}` and no `flows` given; expected one of the catalogue ({}) or a `flows` list",
                                    names.join(", ")
                                ),
                            );
                            return None;
                        }
                    }
                }
                Some(DisruptionKind::RouteClosure { chokepoint: cp, flows, commodity, share: share? })
            }
            "demand_shock" => {
                let country = need_country(self, o);
                let commodity = need_commodity(self, o);
                let factor = match self.nonneg(o, "factor") {
                    Some(f) => Some(f),
                    None => {
                        if !o.keys().iter().any(|k| k.0 == "factor") {
                            self.missing(o, "factor", "the multiplier on demand, e.g. 1.3");
                        }
                        None
                    }
                };
                Some(DisruptionKind::DemandShock { country: country?, commodity: commodity?, factor: factor? })
            }
            other => {
                o.used.extend(KIND_KEYS);
                self.err(
                    at,
                    &o.key_path("kind"),
                    format!("unknown disruption kind `{other}`; expected export_restriction, outage, route_closure or demand_shock"),
                );
                None
            }
        }
    }

    fn disruption(&mut self, o: &mut Obj<'a>, horizon: usize) -> Option<Disruption> {
        let name = self.string(o, "name").map_or_else(|| o.path.clone(), |s| s.0);
        let kind = self.kind(o);
        let hmax = horizon.saturating_sub(1).min(i64::MAX as usize) as i64;
        let start = if o.has("start") {
            self.periods(o, "start", 0, Some((hmax, "beyond the horizon (periods are numbered from 0)")))
        } else {
            self.missing(o, "start", "the first period, from 0");
            None
        };
        let duration = if o.has("duration") {
            self.periods(o, "duration", 1, None)
        } else {
            self.missing(o, "duration", "a whole number of periods >= 1");
            None
        };
        self.finish(o);
        Some(Disruption { name, start: start?, duration: duration?, kind: kind? })
    }

    fn policy(&mut self, o: &mut Obj<'a>) -> Policy {
        let mut p = Policy::default();
        if let Some((s, at)) = self.string(o, "release") {
            match s.as_str() {
                "never" => p.release = Release::Never,
                "when_short" => p.release = Release::WhenShort,
                _ => self.err(at, &o.key_path("release"), format!("unknown release rule `{s}`; expected `when_short` or `never`")),
            }
        }
        if let Some(x) = self.share(o, "max_release_share") {
            p.max_release_share = x;
        }
        if let Some((s, at)) = self.string(o, "allocation") {
            match s.as_str() {
                "pro_rata" => p.allocation = Allocation::ProRata,
                "priority" => {}
                _ => self.err(at, &o.key_path("allocation"), format!("unknown allocation rule `{s}`; expected `pro_rata` or `priority`")),
            }
            if s == "priority" {
                match self.group(o, "priority_group") {
                    Some(g) => p.allocation = Allocation::Priority(g),
                    None => {
                        if !o.keys().iter().any(|k| k.0 == "priority_group") {
                            self.missing(o, "priority_group", "the group served first under `allocation = \"priority\"`");
                        }
                    }
                }
            }
        }
        if let Some(b) = self.boolean(o, "reroute") {
            p.reroute = b;
        }
        if let Some(x) = self.periods(o, "reroute_lag", 0, None) {
            p.reroute_lag = x;
        }
        if let Some(x) = self.periods(o, "reroute_ramp", 1, None) {
            p.reroute_ramp = x;
        }
        if let Some(x) = self.periods(o, "recovery", 0, None) {
            p.recovery = x;
        }
        self.finish(o);
        p
    }

    fn monte_carlo(&mut self, o: &mut Obj<'a>) -> Option<MonteCarloSpec> {
        let runs = self.periods(o, "runs", 1, Some((10_000_000, "too many runs")));
        let seed = match self.integer(o, "seed") {
            Some((s, at)) if s < 0 => {
                self.err(at, &o.key_path("seed"), format!("negative ({s}); expected a whole number >= 0"));
                None
            }
            Some((s, _)) => Some(s as u64),
            None => Some(0),
        };
        let mut events = vec![];
        for mut t in self.tables(o, "event") {
            let name = self.string(&mut t, "name").map_or_else(|| t.path.clone(), |s| s.0);
            let p = self.share(&mut t, "annual_probability");
            if p.is_none() && !t.keys().iter().any(|k| k.0 == "annual_probability") {
                self.missing(&t, "annual_probability", "a probability between 0 and 1 per year");
            }
            let dist = match self.table(&mut t, "duration") {
                Some(mut d) => self.dist(&mut d),
                None => {
                    if !t.keys().iter().any(|k| k.0 == "duration") {
                        self.missing(&t, "duration", "a distribution table such as { dist = \"uniform\", min = 1, max = 6 }");
                    }
                    None
                }
            };
            let kind = self.kind(&mut t);
            self.finish(&t);
            if let (Some(p), Some(d), Some(k)) = (p, dist, kind) {
                events.push(CatalogueEvent { name, annual_probability: p, duration: d, kind: k });
            }
        }
        self.finish(o);
        Some(MonteCarloSpec { runs: runs.unwrap_or(1000), seed: seed?, events })
    }

    /// A duration distribution table; every key in it is checked, even
    /// when a required one is missing.
    fn dist(&mut self, o: &mut Obj<'a>) -> Option<DurationDist> {
        let r = self.dist_fields(o);
        self.finish(o);
        r
    }

    fn dist_fields(&mut self, o: &mut Obj<'a>) -> Option<DurationDist> {
        let Some((d, at)) = self.string(o, "dist") else {
            // The valid keys, for the unknown-key check.
            o.used.extend(DIST_KEYS);
            if !o.keys().iter().any(|k| k.0 == "dist") {
                self.missing(o, "dist", "fixed, uniform, triangular or lognormal");
            }
            return None;
        };
        let num = |cx: &mut Self, o: &mut Obj<'a>, k: &'static str| {
            let v = cx.nonneg(o, k);
            if v.is_none() && !o.keys().iter().any(|x| x.0 == k) {
                cx.missing(o, k, "a number of periods");
            }
            v
        };
        let r = match d.as_str() {
            "fixed" => Some(DurationDist::Fixed { periods: num(self, o, "periods")? }),
            "uniform" => {
                let (a, b) = (num(self, o, "min"), num(self, o, "max"));
                let (a, b) = (a?, b?);
                if a > b {
                    self.err(o.span(), &o.key_path("max"), format!("max {b} is below min {a}"));
                }
                Some(DurationDist::Uniform { min: a, max: b })
            }
            "triangular" => {
                let (a, m, b) = (num(self, o, "min"), num(self, o, "mode"), num(self, o, "max"));
                let (a, m, b) = (a?, m?, b?);
                if !(a <= m && m <= b) {
                    self.err(o.span(), &o.key_path("mode"), format!("expected min <= mode <= max, found {a}, {m}, {b}"));
                }
                Some(DurationDist::Triangular { min: a, mode: m, max: b })
            }
            "lognormal" => {
                let (m, s) = (num(self, o, "median"), num(self, o, "sigma"));
                Some(DurationDist::Lognormal { median: m?, sigma: s? })
            }
            _ => {
                o.used.extend(DIST_KEYS);
                self.err(
                    at,
                    &o.key_path("dist"),
                    format!("unknown distribution `{d}`; expected fixed, uniform, triangular or lognormal"),
                );
                None
            }
        };
        r
    }
}

/// Every key a duration distribution table may have.
const DIST_KEYS: [&str; 7] = ["dist", "periods", "min", "mode", "max", "median", "sigma"];

/// Every key a disruption's kind may bring (beyond name, kind, start,
/// duration), used to judge other keys when the kind is missing or unknown.
const KIND_KEYS: [&str; 8] = ["country", "commodity", "share", "exempt_group", "chokepoint", "flows", "factor", "kind"];
