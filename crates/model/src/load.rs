//! Loading and validating a dataset.
//!
//! Every check runs and every problem is collected; a dataset with any
//! problem is not returned at all. Nothing here panics on any input: the
//! tests feed it a crafted bad file for each kind of error.

use crate::dataset::*;
use crate::ids::{is_snake_id, is_source_id, CommodityKey, CountryCode, UNATTRIBUTED};
use crate::schema::{self, Kind, Table};
use crate::units::Unit;
use crate::fasthash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::Hasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// One thing wrong with a dataset, located as precisely as the input allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line in the file (the header is line 1).
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
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

/// All the problems found in a dataset. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems {
    /// Where the dataset was read from (a directory, or `<embedded>`).
    pub origin: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "dataset {} has {n} problem{}:", self.origin, if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Keys of `dataset.toml`: name, required, meaning. Drives parsing and docs.
pub const MANIFEST_KEYS: &[(&str, bool, &str)] = &[
    ("name", true, "Short machine name of the dataset (lowercase, digits, `-`, `_`, `.`)."),
    ("title", false, "Human-readable title."),
    ("description", false, "What the dataset covers and how it was built."),
    ("version", false, "The dataset's own version string."),
    ("stages", true, "Supply-chain stages, upstream first (`[\"mining\", \"refining\", \"component\", \"product\"]`); each lower_snake_case."),
    ("default_year", false, "The year analyses use when none is given; if absent, the latest year with production data for each commodity-stage."),
];

/// Checks that span rows or tables (cell checks are in the schema). Drives docs.
pub const CROSS_CHECKS: &[(&str, &str)] = &[
    ("duplicate key", "two rows of a table with the same values in the table's key columns."),
    ("unknown commodity", "a `commodity`/`stage` pair (or `input_commodity`/`input_stage`) not declared in commodities.csv; in tables with only a `commodity` column, an id not declared at any stage."),
    ("unit mismatch", "a row whose `unit` has a different dimension from its commodity-stage's unit (carats against tonnes). Convertible units are converted."),
    ("ownership over 100%", "ownership shares for one commodity, stage, location and year that sum to more than 1."),
    ("recipe cycle", "a recipe whose output is its own input."),
    ("missing source", "a `source` not declared in sources.csv."),
];

/// Loads and validates the dataset in directory `dir`.
///
/// Any table may be stored gzip-compressed as `NAME.csv.gz` instead of
/// `NAME.csv` (the default dataset does this for its large trade table).
pub fn load_dir(dir: &Path) -> Result<Dataset, Problems> {
    let origin = dir.display().to_string();
    if !dir.is_dir() {
        return Err(Problems {
            origin,
            problems: vec![Problem {
                file: dir.display().to_string(),
                line: None,
                column: None,
                message: "is not a directory (a dataset is a directory with dataset.toml and CSV tables)".into(),
            }],
        });
    }
    load_with(&origin, |name| match std::fs::read(dir.join(name)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot be read: {e}")),
    })
}

/// Loads a dataset from named texts (file name -> contents), as
/// [`Dataset::validate`] does.
pub fn load_texts(origin: &str, files: &BTreeMap<String, String>) -> Result<Dataset, Problems> {
    load_with(origin, |name| Ok(files.get(name).map(|t| t.as_bytes().to_vec())))
}

/// Loads a dataset through `read`, which returns a file's bytes, `None` when
/// the file is absent, or an error message. For each table `NAME.csv`,
/// `NAME.csv.gz` is tried when the plain file is absent.
pub fn load_with(
    origin: &str,
    read: impl Fn(&str) -> Result<Option<Vec<u8>>, String>,
) -> Result<Dataset, Problems> {
    let read = |name: &str| -> Result<Option<String>, String> {
        let (bytes, gz) = match read(name)? {
            Some(b) => (b, false),
            None => match read(&format!("{name}.gz"))? {
                Some(b) => (b, true),
                None => return Ok(None),
            },
        };
        let bytes = if gz { gunzip(&bytes).map_err(|e| format!("{name}.gz: cannot be decompressed: {e}"))? } else { bytes };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| format!("is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))
    };
    let mut cx = Cx::default();
    let manifest = match read("dataset.toml") {
        Ok(Some(text)) => parse_manifest(&text, &mut cx),
        Ok(None) => {
            cx.file_problem("dataset.toml", "is missing (every dataset needs a manifest)");
            None
        }
        Err(e) => {
            cx.file_problem("dataset.toml", &e);
            None
        }
    };
    // Tables load in schema order (a table only refers to tables before it).
    let cx = &mut cx;
    let sources = load_table(&schema::SOURCES, &read, cx, source_row());
    let countries = load_table(&schema::COUNTRIES, &read, cx, country_row());
    let groups = load_table(&schema::GROUPS, &read, cx, group_row());
    let commodities = load_table(&schema::COMMODITIES, &read, cx, commodity_row());
    let production = load_table(&schema::PRODUCTION, &read, cx, output_row(&schema::PRODUCTION));
    let production_other = load_table(&schema::PRODUCTION_OTHER, &read, cx, output_row(&schema::PRODUCTION_OTHER));
    let capacity = load_table(&schema::CAPACITY, &read, cx, output_row(&schema::CAPACITY));
    let reserves = load_table(&schema::RESERVES, &read, cx, reserve_row());
    let ownership = load_table(&schema::OWNERSHIP, &read, cx, ownership_row());
    let recipes = load_table(&schema::RECIPES, &read, cx, recipe_row());
    let trade = load_table(&schema::TRADE, &read, cx, trade_row());
    let demand = load_table(&schema::DEMAND, &read, cx, demand_row());
    let stockpiles = load_table(&schema::STOCKPILES, &read, cx, stockpile_row());
    let import_reliance = load_table(&schema::IMPORT_RELIANCE, &read, cx, import_reliance_row());
    let salient = load_table(&schema::SALIENT, &read, cx, salient_row());
    let governance = load_table(&schema::GOVERNANCE, &read, cx, governance_row());
    let (Some(manifest), true) = (manifest, cx.problems.is_empty()) else {
        return Err(Problems { origin: origin.to_string(), problems: std::mem::take(&mut cx.problems) });
    };
    let mut ds = Dataset {
        manifest,
        sources,
        countries,
        groups,
        commodities,
        production,
        production_other,
        capacity,
        reserves,
        ownership,
        recipes,
        trade,
        demand,
        stockpiles,
        import_reliance,
        salient,
        governance,
    };
    // Trade is by far the largest table; keep it sorted so analyses find a
    // commodity-stage's (and year's) flows by binary search, not a scan.
    // It is usually written sorted already.
    let order = |a: &TradeFlow, b: &TradeFlow| {
        (&a.key, a.year, a.exporter, a.importer).cmp(&(&b.key, b.year, b.exporter, b.importer))
    };
    if ds.trade.windows(2).any(|w| order(&w[0], &w[1]).is_gt()) {
        ds.trade.sort_by(order);
    }
    Ok(ds)
}

/// Reads, parses and checks one table, records what it declares for the
/// tables after it, and returns its rows that passed every check, typed by
/// `build`.
fn load_table<T>(
    table: &'static Table,
    read: &dyn Fn(&str) -> Result<Option<String>, String>,
    cx: &mut Cx,
    mut build: impl FnMut(&mut Row) -> T,
) -> Vec<T> {
    let text = match read(table.file) {
        Ok(t) => t,
        Err(e) => {
            cx.file_problem(table.file, &e);
            None
        }
    };
    let required = ["sources.csv", "countries.csv", "commodities.csv"].contains(&table.file);
    let Some(text) = text else {
        if required {
            cx.file_problem(table.file, "is missing (required in every dataset)");
        }
        return vec![];
    };
    let max_rows = lines_in(&text);
    if declares(table) {
        // Every row, with a flag for whether all its checks passed. Rows with
        // problems still declare their ids, so one bad cell does not cascade
        // into "unknown" errors in every table that refers to it.
        let mut rows = vec![];
        parse_table(table, &text, max_rows, cx, &mut |row| rows.push(Row { vals: std::mem::take(&mut row.vals), ..*row }));
        register(table, &rows, cx);
        rows.into_iter().filter(|r| r.ok).map(|mut r| build(&mut r)).collect()
    } else {
        // Nothing to declare: type each row as it passes, reusing one row's
        // cells throughout.
        let mut out = Vec::with_capacity(max_rows);
        parse_table(table, &text, max_rows, cx, &mut |row| {
            if row.ok {
                out.push(build(row));
            }
        });
        out
    }
}

impl Dataset {
    /// Runs every load-time check on a dataset assembled in memory (by an
    /// importer), by writing it out as text and loading that: an imported
    /// dataset passes exactly the checks a loaded one does. Line numbers in
    /// the problems refer to the files as [`crate::write`] would write them.
    pub fn validate(&self) -> Result<Dataset, Problems> {
        load_texts("<in memory>", &crate::write::to_texts(self))
    }
}

// ---------------------------------------------------------------------------
// Parsing machinery

#[derive(Default)]
struct Cx {
    problems: Vec<Problem>,
    stages: FxHashSet<String>,
    sources: FxHashSet<String>,
    countries: CountrySet,
    groups: FxHashSet<String>,
    /// Declared commodity-stage pairs and their units (`None` when the
    /// declaring row's unit was itself bad), by commodity then stage so that
    /// a row's pair is looked up from its cells without building a key.
    commodities: FxHashMap<String, FxHashMap<String, Option<&'static Unit>>>,
    commodity_ids: FxHashSet<String>,
}

impl Cx {
    fn file_problem(&mut self, file: &str, msg: &str) {
        self.problems.push(Problem { file: file.into(), line: None, column: None, message: msg.into() });
    }

    fn problem(&mut self, file: &str, line: u64, column: Option<&str>, msg: String) {
        self.problems.push(Problem {
            file: file.into(),
            line: Some(line),
            column: column.map(str::to_string),
            message: msg,
        });
    }

    fn commodity_unit(&self, commodity: &str, stage: &str) -> Option<Option<&'static Unit>> {
        self.commodities.get(commodity).and_then(|m| m.get(stage)).copied()
    }
}

/// Declared countries, as a bitmap over the 26 x 26 two-capital codes.
#[derive(Default)]
struct CountrySet([u64; 11]);

impl CountrySet {
    fn insert(&mut self, c: CountryCode) {
        let i = c.index();
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn contains(&self, c: CountryCode) -> bool {
        let i = c.index();
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

#[derive(Clone, Debug)]
enum Val {
    Missing,
    Str(String),
    Country(Option<CountryCode>),
    Num(f64),
    Year(i32),
    Bool(bool),
    Bound(Bound),
    Unit(&'static Unit),
    Codes(Vec<String>),
}

/// A parsed row: one value per schema column (`Missing` where the cell was
/// empty, absent or bad).
struct Row {
    table: &'static Table,
    line: u64,
    vals: Vec<Val>,
    /// Whether every check on this row passed.
    ok: bool,
}

/// The positions of `names` among `table`'s columns (`None` for a name the
/// table lacks, which reads as a missing cell). Typed-row builders resolve
/// their columns once per table, not once per cell.
fn cols<const N: usize>(table: &Table, names: [&str; N]) -> [Option<usize>; N] {
    names.map(|n| table.columns.iter().position(|c| c.name == n))
}

impl Row {
    fn get(&self, name: &str) -> &Val {
        match self.table.columns.iter().position(|c| c.name == name) {
            Some(i) => &self.vals[i],
            None => &Val::Missing,
        }
    }
    fn at(&self, i: Option<usize>) -> &Val {
        i.and_then(|i| self.vals.get(i)).unwrap_or(&Val::Missing)
    }
    fn s(&self, name: &str) -> String {
        self.str(name).to_string()
    }
    fn str(&self, name: &str) -> &str {
        match self.get(name) {
            Val::Str(s) => s,
            _ => "",
        }
    }
    fn num(&self, name: &str) -> f64 {
        match self.get(name) {
            Val::Num(x) => *x,
            _ => 0.0,
        }
    }
    fn year(&self, name: &str) -> i32 {
        match self.get(name) {
            Val::Year(y) => *y,
            _ => 0,
        }
    }
    fn country(&self, name: &str) -> Option<CountryCode> {
        match self.get(name) {
            Val::Country(c) => *c,
            _ => None,
        }
    }
    fn unit(&self, name: &str) -> Option<&'static Unit> {
        match self.get(name) {
            Val::Unit(u) => Some(*u),
            _ => None,
        }
    }
    fn key(&self) -> CommodityKey {
        CommodityKey::new(self.s("commodity"), self.s("stage"))
    }

    // Consuming accessors by column position, for building typed rows: each
    // string moves out of the row instead of being copied.

    fn take_s(&mut self, i: Option<usize>) -> String {
        match i.and_then(|i| self.vals.get_mut(i)) {
            Some(v @ Val::Str(_)) => match std::mem::replace(v, Val::Missing) {
                Val::Str(s) => s,
                _ => String::new(),
            },
            _ => String::new(),
        }
    }
    fn take_codes(&mut self, i: Option<usize>) -> Vec<String> {
        match i.and_then(|i| self.vals.get_mut(i)) {
            Some(v @ Val::Codes(_)) => match std::mem::replace(v, Val::Missing) {
                Val::Codes(c) => c,
                _ => vec![],
            },
            _ => vec![],
        }
    }
    fn take_key(&mut self, commodity: Option<usize>, stage: Option<usize>) -> CommodityKey {
        CommodityKey { commodity: self.take_s(commodity), stage: self.take_s(stage) }
    }
    fn num_at(&self, i: Option<usize>) -> f64 {
        match self.at(i) {
            Val::Num(x) => *x,
            _ => 0.0,
        }
    }
    fn opt_num_at(&self, i: Option<usize>) -> Option<f64> {
        match self.at(i) {
            Val::Num(x) => Some(*x),
            _ => None,
        }
    }
    fn year_at(&self, i: Option<usize>) -> i32 {
        match self.at(i) {
            Val::Year(y) => *y,
            _ => 0,
        }
    }
    fn opt_year_at(&self, i: Option<usize>) -> Option<i32> {
        match self.at(i) {
            Val::Year(y) => Some(*y),
            _ => None,
        }
    }
    fn country_at(&self, i: Option<usize>) -> Option<CountryCode> {
        match self.at(i) {
            Val::Country(c) => *c,
            _ => None,
        }
    }
    /// For columns whose kind guarantees a declared country.
    fn declared_country_at(&self, i: Option<usize>) -> CountryCode {
        self.country_at(i).unwrap_or_else(|| CountryCode::parse("ZZ").expect("ZZ is two capitals"))
    }
    fn bool_at(&self, i: Option<usize>) -> bool {
        matches!(self.at(i), Val::Bool(true))
    }
    fn bound_at(&self, i: Option<usize>) -> Bound {
        match self.at(i) {
            Val::Bound(b) => *b,
            _ => Bound::Exact,
        }
    }
    fn unit_at(&self, i: Option<usize>) -> Option<&'static Unit> {
        match self.at(i) {
            Val::Unit(u) => Some(*u),
            _ => None,
        }
    }
}

fn parse_manifest(text: &str, cx: &mut Cx) -> Option<Manifest> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        name: String,
        #[serde(default)]
        title: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        version: String,
        stages: Vec<String>,
        default_year: Option<i32>,
    }
    let raw: Raw = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            cx.problems.push(Problem {
                file: "dataset.toml".into(),
                line,
                column: None,
                message: e.message().to_string(),
            });
            // Still declare the stages if the TOML itself parses, so tables are
            // checked against them rather than failing wholesale.
            if let Ok(t) = text.parse::<toml::Table>() {
                if let Some(toml::Value::Array(a)) = t.get("stages") {
                    cx.stages = a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
                }
            }
            return None;
        }
    };
    let line_of = |key: &str| -> Option<u64> {
        text.lines().position(|l| l.trim_start().starts_with(key)).map(|i| i as u64 + 1)
    };
    let mut ok = true;
    // Declare the stages even if the manifest has problems, so that tables
    // are still checked against them.
    cx.stages = raw.stages.iter().cloned().collect();
    if !is_source_id(&raw.name) {
        cx.problems.push(Problem {
            file: "dataset.toml".into(),
            line: line_of("name"),
            column: Some("name".into()),
            message: format!("expected lowercase letters, digits, `-`, `_` or `.`, found `{}`", raw.name),
        });
        ok = false;
    }
    let mut seen = HashSet::new();
    if raw.stages.is_empty() {
        cx.problems.push(Problem {
            file: "dataset.toml".into(),
            line: line_of("stages"),
            column: Some("stages".into()),
            message: "expected at least one stage".into(),
        });
        ok = false;
    }
    for s in &raw.stages {
        if !is_snake_id(s) || !seen.insert(s.clone()) {
            cx.problems.push(Problem {
                file: "dataset.toml".into(),
                line: line_of("stages"),
                column: Some("stages".into()),
                message: format!("expected distinct lower_snake_case stage names, found `{s}`"),
            });
            ok = false;
        }
    }
    if let Some(y) = raw.default_year {
        if !(1900..=2200).contains(&y) {
            cx.problems.push(Problem {
                file: "dataset.toml".into(),
                line: line_of("default_year"),
                column: Some("default_year".into()),
                message: format!("expected a year from 1900 to 2200, found {y}"),
            });
            ok = false;
        }
    }
    ok.then(|| Manifest {
        name: raw.name,
        title: raw.title,
        description: raw.description,
        version: raw.version,
        stages: raw.stages,
        default_year: raw.default_year,
    })
}

/// Parses and checks every row of `table` in `text` (which has at most
/// `max_rows` rows), passing each to `each` with its cells parsed and `ok` set.
fn parse_table(table: &'static Table, text: &str, max_rows: usize, cx: &mut Cx, each: &mut impl FnMut(&mut Row)) {
    let file = table.file;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv_reader(text.as_bytes());
    // One record, reused for every row.
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            cx.problem(file, 1, None, format!("is empty; expected a header row ({})", table.header().join(",")));
            return;
        }
        Err(e) => {
            cx.problem(file, 1, None, format!("cannot be read as CSV: {e}"));
            return;
        }
    }
    let header = rec.clone();
    // Map each schema column to its position in the file.
    let mut pos: Vec<Option<usize>> = vec![None; table.columns.len()];
    let mut header_ok = true;
    for (i, name) in header.iter().enumerate() {
        match table.columns.iter().position(|c| c.name == name.trim()) {
            Some(ci) if pos[ci].is_none() => pos[ci] = Some(i),
            Some(_) => {
                cx.problem(file, 1, Some(name), "column appears twice in the header".into());
                header_ok = false;
            }
            None => {
                cx.problem(
                    file,
                    1,
                    Some(name),
                    format!("unknown column; expected one of: {}", table.header().join(", ")),
                );
                header_ok = false;
            }
        }
    }
    for (ci, c) in table.columns.iter().enumerate() {
        if c.required && pos[ci].is_none() {
            cx.problem(file, 1, Some(c.name), "required column is missing from the header".into());
            header_ok = false;
        }
    }
    if !header_ok {
        return;
    }
    let width = header.len();
    let bytes = text.as_bytes();
    let mut lines = LineCounter { bytes, scanned: 0, newlines: 0 };
    // The key columns, and their positions in the file (`None`: absent,
    // read as "").
    let key_names: Vec<&str> =
        table.key.iter().copied().filter(|k| table.columns.iter().any(|c| c.name == *k)).collect();
    let key_pos: Vec<Option<usize>> = key_names
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| c.name == *k))
        .map(|ci| pos[ci])
        .collect();
    let mut keys = KeySet::new(bytes, &key_pos, sorted_order(table, &key_names), max_rows);
    let layout = Layout::of(table);
    // Per column, the last cell that passed a lookup check, and its value:
    // runs of equal ids (a sorted table's commodity and stage, its source)
    // skip the lookup. A cell's value depends only on its text and on what
    // earlier tables declared, which is fixed while this table is read.
    let mut memo: Vec<(String, Option<Val>)> = vec![(String::new(), None); table.columns.len()];
    let mut row = Row { table, line: 0, vals: Vec::with_capacity(table.columns.len()), ok: false };
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                cx.problem(file, line, None, format!("cannot be read as CSV: {e}"));
                continue;
            }
        }
        let line = rec.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if rec.len() != width {
            cx.problem(file, line, None, format!("expected {width} fields (as in the header), found {}", rec.len()));
            continue;
        }
        let before = cx.problems.len();
        row.vals.clear();
        for (ci, col) in table.columns.iter().enumerate() {
            let raw = pos[ci].and_then(|p| rec.get(p)).unwrap_or("");
            let (cell, remembered) = &mut memo[ci];
            let val = match remembered {
                Some(val) if cell == raw => val.clone(),
                _ => {
                    let before = cx.problems.len();
                    let val = parse_cell(file, line, col, raw, cx);
                    if memoizable(col.kind) && cx.problems.len() == before && !matches!(val, Val::Missing) {
                        cell.clear();
                        cell.push_str(raw);
                        *remembered = Some(val.clone());
                    }
                    val
                }
            };
            row.vals.push(val);
        }
        // Key uniqueness, on the cells as written (trimmed).
        if let Some(first) = keys.first_or_insert(&rec, line) {
            let desc: Vec<String> =
                table.key.iter().zip(key_cells(&rec, &key_pos)).map(|(k, v)| format!("{k}={v}")).collect();
            cx.problem(file, line, None, format!("duplicate key ({}); first on line {first}", desc.join(", ")));
        }
        row.line = line;
        check_row(&mut row, &layout, cx);
        row.ok = cx.problems.len() == before;
        each(&mut row);
    }
}

/// Whether a cell of `kind` is worth remembering: its check is a lookup by
/// string. (Country codes are checked against a bitmap, faster than the
/// comparison.)
fn memoizable(kind: Kind) -> bool {
    matches!(kind, Kind::Ident | Kind::Stage | Kind::Commodity | Kind::Group | Kind::SourceRef | Kind::Unit)
}

/// The reader every table is parsed with (the duplicate-key check re-reads
/// single records with the same settings).
fn csv_reader<R: std::io::Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(r)
}

/// An upper bound on the rows in `text`, for sizing.
fn lines_in(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// Whether [`register`] records anything from `table` (its rows are then
/// kept until the table is done).
fn declares(table: &Table) -> bool {
    ["sources.csv", "countries.csv", "groups.csv", "commodities.csv", "ownership.csv"].contains(&table.file)
}

/// A record's key cells, trimmed (absent columns read as "").
fn key_cells<'r>(rec: &'r csv::StringRecord, key_pos: &'r [Option<usize>]) -> impl Iterator<Item = &'r str> + 'r {
    key_pos.iter().map(|p| trim(p.and_then(|p| rec.get(p)).unwrap_or("")))
}

/// `s.trim()`, returning at once when `s` starts and ends with printable
/// ASCII (as nearly every cell does).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: &u8| *c > b' ' && *c < 0x80;
    match (b.first(), b.last()) {
        (Some(first), Some(last)) if !(plain(first) && plain(last)) => s.trim(),
        _ => s,
    }
}

/// Line numbers from byte offsets: the csv crate's own line count drifts on
/// `\r\n` line endings, which spreadsheets on Windows write. Records come in
/// file order, so newlines are counted incrementally.
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Newlines in `bytes[..scanned]`.
    scanned: usize,
    newlines: u64,
}

impl LineCounter<'_> {
    /// The 1-based line of the record starting at `byte`.
    fn line_at(&mut self, byte: u64) -> u64 {
        let bytes = self.bytes;
        // A record's position may point at the tail of the previous `\r\n`;
        // step over line-end bytes to the record's first real byte.
        let mut b = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while b < bytes.len() && (bytes[b] == b'\n' || bytes[b] == b'\r') {
            b += 1;
        }
        let count = |s: &[u8]| s.iter().filter(|&&c| c == b'\n').count() as u64;
        if b >= self.scanned {
            self.newlines += count(&bytes[self.scanned..b]);
            self.scanned = b;
            self.newlines + 1
        } else {
            count(&bytes[..b]) + 1
        }
    }
}

/// The keys seen so far in a table, for the duplicate-key check, without
/// storing any key.
///
/// While each record's key is greater than the one before (in `order`; the
/// large tables are written sorted), all keys so far are distinct and each
/// record is only compared with the one before it. From the first record
/// that breaks the order on, keys are found by hash: each hash maps to the
/// line and byte position of the first record with it, and on a hit that
/// record is read again from the text and its key cells compared, so the
/// check is exact. Keys that share a hash with a different earlier key
/// (vanishingly rare) are kept in full in `others`.
struct KeySet<'a> {
    text: &'a [u8],
    key_pos: &'a [Option<usize>],
    /// Indices into `key_pos`: the column order of the sorted fast path.
    order: Vec<usize>,
    /// Whether every key so far was greater than the one before.
    sorted: bool,
    /// The previous record's key cells, in `order`, end to end, and where
    /// each ends.
    prev: String,
    prev_ends: Vec<usize>,
    /// While `sorted`: (hash, line, byte position) of every record so far,
    /// to index by hash if the order breaks.
    seen: Vec<(u64, u64, u64)>,
    /// Key hash -> (line, byte position) of its first record.
    first: FxHashMap<u64, (u64, u64)>,
    others: HashMap<Vec<String>, u64>,
}

impl<'a> KeySet<'a> {
    fn new(text: &'a [u8], key_pos: &'a [Option<usize>], order: Vec<usize>, rows: usize) -> KeySet<'a> {
        KeySet {
            text,
            key_pos,
            order,
            sorted: true,
            prev: String::new(),
            prev_ends: vec![],
            seen: Vec::with_capacity(rows),
            first: FxHashMap::default(),
            others: HashMap::new(),
        }
    }

    /// The line of an earlier record with `rec`'s key, or `None` after noting
    /// `rec` (on `line`) as the first with it.
    fn first_or_insert(&mut self, rec: &csv::StringRecord, line: u64) -> Option<u64> {
        let mut h = FxHasher::default();
        for cell in key_cells(rec, self.key_pos) {
            h.write_usize(cell.len());
            h.write(cell.as_bytes());
        }
        let hash = key_hash(h.finish());
        let byte = rec.position().map_or(0, |p| p.byte());
        if self.sorted {
            if self.follows_prev(rec) {
                self.seen.push((hash, line, byte));
                return None;
            }
            self.unsort();
        }
        match self.first.entry(hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((line, byte));
                None
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let (first_line, first_byte) = *o.get();
                let same = self
                    .record_at(first_byte)
                    .is_some_and(|first| key_cells(&first, self.key_pos).eq(key_cells(rec, self.key_pos)));
                if same {
                    return Some(first_line);
                }
                let key: Vec<String> = key_cells(rec, self.key_pos).map(str::to_string).collect();
                match self.others.entry(key) {
                    std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(line);
                        None
                    }
                }
            }
        }
    }

    /// Whether `rec`'s key (in `order`) is greater than the previous
    /// record's (true for the first record); if so it becomes the previous
    /// key.
    fn follows_prev(&mut self, rec: &csv::StringRecord) -> bool {
        let key_pos = self.key_pos;
        let cell = |i: usize| trim(key_pos[i].and_then(|p| rec.get(p)).unwrap_or(""));
        let mut greater = self.prev_ends.is_empty();
        if !greater {
            let mut start = 0;
            for (&i, &end) in self.order.iter().zip(&self.prev_ends) {
                match cell(i).cmp(&self.prev[start..end]) {
                    std::cmp::Ordering::Greater => {
                        greater = true;
                        break;
                    }
                    std::cmp::Ordering::Less => break,
                    std::cmp::Ordering::Equal => start = end,
                }
            }
        }
        if greater {
            self.prev.clear();
            self.prev_ends.clear();
            for &i in &self.order {
                self.prev.push_str(cell(i));
                self.prev_ends.push(self.prev.len());
            }
        }
        greater
    }

    /// Leaves the sorted fast path: indexes every key seen so far by hash.
    /// Those keys are all distinct, so a hash already taken belongs to a
    /// different key, which goes to `others`.
    fn unsort(&mut self) {
        self.sorted = false;
        let seen = std::mem::take(&mut self.seen);
        self.first.reserve(seen.len());
        for (hash, line, byte) in seen {
            if let std::collections::hash_map::Entry::Vacant(v) = self.first.entry(hash) {
                v.insert((line, byte));
            } else if let Some(rec) = self.record_at(byte) {
                self.others.insert(key_cells(&rec, self.key_pos).map(str::to_string).collect(), line);
            }
        }
    }

    /// The record at byte `pos` of the text, read again. A leading newline
    /// (skipped as a blank line) keeps the reader from taking a U+FEFF that
    /// starts the record's first cell for a byte-order mark.
    fn record_at(&self, pos: u64) -> Option<csv::StringRecord> {
        let start = usize::try_from(pos).ok()?.min(self.text.len());
        let mut rdr = csv_reader(std::io::Read::chain(&b"\n"[..], &self.text[start..]));
        let mut rec = csv::StringRecord::new();
        rdr.read_record(&mut rec).ok()?.then_some(rec)
    }
}

/// A key's hash as the duplicate-key check uses it. Unit tests keep only six
/// bits, so that distinct keys collide and the exact comparison is tested.
fn key_hash(h: u64) -> u64 {
    if cfg!(test) {
        h & 63
    } else {
        h
    }
}

/// The order of a table's key columns (as indices into `key_names`) in which
/// its file is usually sorted: trade as [`Dataset::trade`] keeps it (and so
/// as it is written), other tables in key order. Only speed depends on it.
fn sorted_order(table: &Table, key_names: &[&str]) -> Vec<usize> {
    let hint: &[&str] =
        if table.file == schema::TRADE.file { &["commodity", "stage", "year", "exporter", "importer"] } else { table.key };
    let mut order: Vec<usize> = hint.iter().filter_map(|k| key_names.iter().position(|n| n == k)).collect();
    for i in 0..key_names.len() {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    order
}

/// Positions of the columns that [`check_row`] reads, found once per table.
struct Layout {
    /// (commodity column, its stage column, the commodity column's name) for
    /// each pair the table has whose commodity column is of kind Commodity.
    pairs: Vec<(usize, usize, &'static str)>,
    unit: Option<usize>,
    quantity: Option<usize>,
    /// For recipes: commodity, stage, input_commodity, input_stage.
    recipe: Option<[Option<usize>; 4]>,
}

impl Layout {
    fn of(table: &'static Table) -> Layout {
        let at = |name: &str| table.columns.iter().position(|c| c.name == name);
        let mut pairs = vec![];
        for (c, s) in [("commodity", "stage"), ("input_commodity", "input_stage")] {
            if let (Some(ci), Some(si)) = (at(c), at(s)) {
                if table.columns[ci].kind == Kind::Commodity {
                    pairs.push((ci, si, table.columns[ci].name));
                }
            }
        }
        Layout {
            pairs,
            unit: at("unit"),
            quantity: at("quantity"),
            recipe: (table.file == schema::RECIPES.file)
                .then(|| cols(table, ["commodity", "stage", "input_commodity", "input_stage"])),
        }
    }
}

fn parse_cell(file: &str, line: u64, col: &schema::Column, raw: &str, cx: &mut Cx) -> Val {
    let t = if col.kind == Kind::Text { raw } else { trim(raw) };
    if t.is_empty() {
        if col.required {
            cx.problem(file, line, Some(col.name), format!("is empty; expected {}", col.kind.describe()));
        }
        return Val::Missing;
    }
    let bad = |cx: &mut Cx, what: String| {
        cx.problem(file, line, Some(col.name), what);
        Val::Missing
    };
    let expected = |found: &str| format!("expected {}, found `{found}`", col.kind.describe());
    match col.kind {
        Kind::Text => Val::Str(t.to_string()),
        Kind::Ident | Kind::Stage | Kind::Commodity | Kind::Group => {
            if !is_snake_id(t) {
                return bad(cx, format!("expected a lower_snake_case id, found `{t}`"));
            }
            let declared = match col.kind {
                Kind::Stage => cx.stages.contains(t),
                Kind::Commodity => cx.commodity_ids.contains(t),
                Kind::Group => cx.groups.contains(t),
                _ => true,
            };
            if !declared {
                let what = match col.kind {
                    Kind::Stage => "unknown stage",
                    Kind::Commodity => "unknown commodity",
                    _ => "unknown group",
                };
                return bad(cx, format!("{what} `{t}`; expected {}", col.kind.describe()));
            }
            Val::Str(t.to_string())
        }
        Kind::SourceId => {
            if is_source_id(t) {
                Val::Str(t.to_string())
            } else {
                bad(cx, expected(t))
            }
        }
        Kind::SourceRef => {
            if cx.sources.contains(t) {
                Val::Str(t.to_string())
            } else {
                bad(cx, format!("missing source `{t}`; expected {}", col.kind.describe()))
            }
        }
        Kind::CountryId => match CountryCode::parse(t) {
            Some(_) if t == UNATTRIBUTED => {
                bad(cx, format!("`{UNATTRIBUTED}` is reserved for unattributed quantities and cannot be declared"))
            }
            Some(c) => Val::Country(Some(c)),
            None => bad(cx, expected(t)),
        },
        Kind::Country | Kind::CountryOrUnattributed => {
            if col.kind == Kind::CountryOrUnattributed && t == UNATTRIBUTED {
                return Val::Country(None);
            }
            match CountryCode::parse(t) {
                Some(c) if cx.countries.contains(c) => Val::Country(Some(c)),
                Some(_) => bad(cx, format!("unknown country code `{t}`; expected {}", col.kind.describe())),
                None => bad(cx, expected(t)),
            }
        }
        Kind::Year => match t.parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => Val::Year(y),
            _ => bad(cx, expected(t)),
        },
        Kind::Quantity | Kind::Number | Kind::Share | Kind::Positive => {
            let Ok(x) = t.parse::<f64>() else {
                return bad(cx, format!("expected a number ({}), found `{t}`", col.kind.describe()));
            };
            let ok = x.is_finite()
                && match col.kind {
                    Kind::Quantity => x >= 0.0,
                    Kind::Share => (0.0..=1.0).contains(&x),
                    Kind::Positive => x > 0.0,
                    _ => true,
                };
            if ok {
                Val::Num(x)
            } else {
                let what = if x < 0.0 && col.kind != Kind::Share { "negative number" } else { "out of range" };
                bad(cx, format!("{what}: expected {}, found `{t}`", col.kind.describe()))
            }
        }
        Kind::Unit => match crate::units::UNITS.iter().find(|u| u.code == t) {
            Some(u) => Val::Unit(u),
            None => bad(cx, format!("unknown unit `{t}`; expected one of {}", Unit::known_codes())),
        },
        Kind::Bool => match t {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            _ => bad(cx, expected(t)),
        },
        Kind::Bound => match t {
            ">" => Val::Bound(Bound::AtLeast),
            "<" => Val::Bound(Bound::AtMost),
            _ => bad(cx, expected(t)),
        },
        Kind::HsCodes => {
            let codes: Vec<String> = t.split_whitespace().map(str::to_string).collect();
            if codes.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())) {
                Val::Codes(codes)
            } else {
                bad(cx, expected(t))
            }
        }
    }
}

/// Checks that span cells of one row: commodity-stage pairs and units.
fn check_row(row: &mut Row, layout: &Layout, cx: &mut Cx) {
    let file = row.table.file;
    for &(ci, si, c) in &layout.pairs {
        let (Val::Str(cv), Val::Str(sv)) = (&row.vals[ci], &row.vals[si]) else {
            continue;
        };
        let Some(declared) = cx.commodity_unit(cv, sv) else {
            let msg =
                format!("unknown commodity `{cv}/{sv}`: this commodity-stage pair is not declared in commodities.csv");
            cx.problem(file, row.line, Some(c), msg);
            continue;
        };
        // Convert the row's quantity into the commodity-stage's unit.
        let Some(unit) = declared else { continue };
        if c == "commodity" {
            if let Some(ru) = row.unit_at(layout.unit) {
                match ru.factor_to(unit) {
                    Some(f) => {
                        if f != 1.0 {
                            if let Some(Val::Num(q)) = layout.quantity.map(|i| &mut row.vals[i]) {
                                *q *= f;
                            }
                        }
                    }
                    None => {
                        let msg = format!(
                            "unit mismatch: {cv}/{sv} is measured in {unit} ({:?}), this row in {ru} ({:?})",
                            unit.dimension, ru.dimension
                        );
                        cx.problem(file, row.line, Some("unit"), msg);
                    }
                }
            }
        }
    }
    if let Some([c, s, ic, is]) = layout.recipe {
        let str_at = |i: Option<usize>| match row.at(i) {
            Val::Str(s) => s.as_str(),
            _ => "",
        };
        if str_at(c) == str_at(ic) && str_at(s) == str_at(is) {
            cx.problem(
                file,
                row.line,
                Some("input_commodity"),
                "recipe cycle: a commodity-stage cannot be its own input".into(),
            );
        }
    }
}

/// Records what a loaded table declares, for the tables after it.
fn register(table: &Table, rows: &[Row], cx: &mut Cx) {
    match table.file {
        "sources.csv" => cx.sources.extend(rows.iter().map(|r| r.s("id")).filter(|s| !s.is_empty())),
        "countries.csv" => {
            for c in rows.iter().filter_map(|r| r.country("code")) {
                cx.countries.insert(c);
            }
        }
        "groups.csv" => cx.groups.extend(rows.iter().map(|r| r.s("group")).filter(|s| !s.is_empty())),
        "commodities.csv" => {
            for r in rows {
                let (commodity, stage) = (r.str("commodity"), r.str("stage"));
                if !commodity.is_empty() && !stage.is_empty() {
                    cx.commodities.entry(commodity.to_string()).or_default().insert(stage.to_string(), r.unit("unit"));
                }
                if !commodity.is_empty() {
                    cx.commodity_ids.insert(commodity.to_string());
                }
            }
        }
        "ownership.csv" => {
            let mut sums: BTreeMap<(CommodityKey, CountryCode, i32), (f64, Vec<u64>)> = BTreeMap::new();
            let zz = CountryCode::parse("ZZ").expect("ZZ is two capitals");
            for r in rows.iter().filter(|r| r.ok) {
                let e =
                    sums.entry((r.key(), r.country("location").unwrap_or(zz), r.year("year"))).or_insert((0.0, vec![]));
                e.0 += r.num("share");
                e.1.push(r.line);
            }
            for ((key, loc, year), (sum, lines)) in sums {
                if sum > 1.0 + 1e-9 {
                    let at: Vec<String> = lines.iter().map(u64::to_string).collect();
                    cx.problem(
                        table.file,
                        *lines.last().unwrap_or(&0),
                        Some("share"),
                        format!(
                            "ownership shares over 100%: {key} located in {loc} in {year} sums to {:.1}% (lines {}); expected at most 100%",
                            sum * 100.0,
                            at.join(", ")
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Typed rows from checked rows. Each builder finds its columns once, then
// moves every string out of the row (no copies).

fn source_row() -> impl FnMut(&mut Row) -> Source {
    let [id, title, publisher, year, url, license, note] =
        cols(&schema::SOURCES, ["id", "title", "publisher", "year", "url", "license", "note"]);
    move |r| Source {
        id: r.take_s(id),
        title: r.take_s(title),
        publisher: r.take_s(publisher),
        year: r.opt_year_at(year),
        url: r.take_s(url),
        license: r.take_s(license),
        note: r.take_s(note),
    }
}

fn country_row() -> impl FnMut(&mut Row) -> Country {
    let [code, name, iso3, source] = cols(&schema::COUNTRIES, ["code", "name", "iso3", "source"]);
    move |r| Country {
        code: r.declared_country_at(code),
        name: r.take_s(name),
        iso3: r.take_s(iso3),
        source: r.take_s(source),
    }
}

fn group_row() -> impl FnMut(&mut Row) -> GroupMember {
    let [group, country, source, note] = cols(&schema::GROUPS, ["group", "country", "source", "note"]);
    move |r| GroupMember {
        group: r.take_s(group),
        country: r.declared_country_at(country),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn commodity_row() -> impl FnMut(&mut Row) -> Commodity {
    let [commodity, stage, name, unit, basis, hs_codes, material, source, note] = cols(
        &schema::COMMODITIES,
        ["commodity", "stage", "name", "unit", "basis", "hs_codes", "material", "source", "note"],
    );
    move |r| Commodity {
        key: r.take_key(commodity, stage),
        name: r.take_s(name),
        unit: r.unit_at(unit).copied().unwrap_or(crate::units::UNITS[1]),
        basis: r.take_s(basis),
        hs_codes: r.take_codes(hs_codes),
        material: r.take_s(material),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn output_row(table: &Table) -> impl FnMut(&mut Row) -> Output {
    let [commodity, stage, country, producer, year, quantity, estimated, source, note] =
        cols(table, ["commodity", "stage", "country", "producer", "year", "quantity", "estimated", "source", "note"]);
    move |r| Output {
        key: r.take_key(commodity, stage),
        country: r.country_at(country),
        producer: r.take_s(producer),
        year: r.year_at(year),
        quantity: r.num_at(quantity),
        estimated: r.bool_at(estimated),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn reserve_row() -> impl FnMut(&mut Row) -> Reserve {
    let [commodity, stage, country, producer, year, quantity, bound, source, note] = cols(
        &schema::RESERVES,
        ["commodity", "stage", "country", "producer", "year", "quantity", "bound", "source", "note"],
    );
    move |r| Reserve {
        key: r.take_key(commodity, stage),
        country: r.country_at(country),
        producer: r.take_s(producer),
        year: r.year_at(year),
        quantity: r.num_at(quantity),
        bound: r.bound_at(bound),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn ownership_row() -> impl FnMut(&mut Row) -> Ownership {
    let [commodity, stage, location, owner, year, share, basis, source, note] = cols(
        &schema::OWNERSHIP,
        ["commodity", "stage", "location", "owner", "year", "share", "basis", "source", "note"],
    );
    move |r| Ownership {
        key: r.take_key(commodity, stage),
        location: r.declared_country_at(location),
        owner: r.declared_country_at(owner),
        year: r.year_at(year),
        share: r.num_at(share),
        basis: r.take_s(basis),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn recipe_row() -> impl FnMut(&mut Row) -> Recipe {
    let [commodity, stage, input_commodity, input_stage, quantity, source, note] =
        cols(&schema::RECIPES, ["commodity", "stage", "input_commodity", "input_stage", "quantity", "source", "note"]);
    move |r| Recipe {
        output: r.take_key(commodity, stage),
        input: r.take_key(input_commodity, input_stage),
        quantity: r.num_at(quantity),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn trade_row() -> impl FnMut(&mut Row) -> TradeFlow {
    let [commodity, stage, exporter, importer, year, quantity, value_kusd, source, note] = cols(
        &schema::TRADE,
        ["commodity", "stage", "exporter", "importer", "year", "quantity", "value_kusd", "source", "note"],
    );
    move |r| TradeFlow {
        key: r.take_key(commodity, stage),
        exporter: r.declared_country_at(exporter),
        importer: r.declared_country_at(importer),
        year: r.year_at(year),
        quantity: r.num_at(quantity),
        value_kusd: r.opt_num_at(value_kusd),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn demand_row() -> impl FnMut(&mut Row) -> Demand {
    let [commodity, stage, country, sector, year, quantity, source, note] =
        cols(&schema::DEMAND, ["commodity", "stage", "country", "sector", "year", "quantity", "source", "note"]);
    move |r| Demand {
        key: r.take_key(commodity, stage),
        country: r.declared_country_at(country),
        sector: r.take_s(sector),
        year: r.year_at(year),
        quantity: r.num_at(quantity),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn stockpile_row() -> impl FnMut(&mut Row) -> Stockpile {
    let [commodity, stage, holder, year, quantity, release_rule, source, note] = cols(
        &schema::STOCKPILES,
        ["commodity", "stage", "holder", "year", "quantity", "release_rule", "source", "note"],
    );
    move |r| Stockpile {
        key: r.take_key(commodity, stage),
        holder: r.declared_country_at(holder),
        year: r.year_at(year),
        quantity: r.num_at(quantity),
        release_rule: r.take_s(release_rule),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn import_reliance_row() -> impl FnMut(&mut Row) -> ImportReliance {
    let [country, commodity, item, year, percent, bound, source, note] =
        cols(&schema::IMPORT_RELIANCE, ["country", "commodity", "item", "year", "percent", "bound", "source", "note"]);
    move |r| ImportReliance {
        country: r.declared_country_at(country),
        commodity: r.take_s(commodity),
        item: r.take_s(item),
        year: r.year_at(year),
        percent: r.num_at(percent),
        bound: r.bound_at(bound),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn salient_row() -> impl FnMut(&mut Row) -> Salient {
    let [country, commodity, item, category, year, value, unit, bound, source, note] = cols(
        &schema::SALIENT,
        ["country", "commodity", "item", "category", "year", "value", "unit", "bound", "source", "note"],
    );
    move |r| Salient {
        country: r.declared_country_at(country),
        commodity: r.take_s(commodity),
        item: r.take_s(item),
        category: r.take_s(category),
        year: r.year_at(year),
        value: r.num_at(value),
        unit: r.take_s(unit),
        bound: r.bound_at(bound),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn governance_row() -> impl FnMut(&mut Row) -> Governance {
    let [country, indicator, year, estimate, std_err, source, note] =
        cols(&schema::GOVERNANCE, ["country", "indicator", "year", "estimate", "std_err", "source", "note"]);
    move |r| Governance {
        country: r.declared_country_at(country),
        indicator: r.take_s(indicator),
        year: r.year_at(year),
        estimate: r.num_at(estimate),
        std_err: r.opt_num_at(std_err),
        source: r.take_s(source),
        note: r.take_s(note),
    }
}

fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // The gzip trailer's last four bytes hold the uncompressed size (mod
    // 2^32): a capacity hint, capped by deflate's best ratio (~1032:1) so a
    // crafted trailer cannot ask for more than the data could fill.
    let hint = match bytes.len() {
        n if n >= 18 => {
            let t = &bytes[n - 4..];
            (u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as usize).min(n.saturating_mul(1032))
        }
        _ => 0,
    };
    let mut out = Vec::with_capacity(hint);
    flate2::bufread::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn tables_load_in_schema_order() {
        let asked = RefCell::new(vec![]);
        let _ = load_with("t", |name| {
            asked.borrow_mut().push(name.to_string());
            Ok(None)
        });
        let tables: Vec<String> =
            asked.into_inner().into_iter().filter(|n| n.ends_with(".csv")).collect();
        let schema: Vec<&str> = schema::TABLES.iter().map(|t| t.file).collect();
        assert_eq!(tables, schema);
    }

    /// The duplicate-key check against a plain map of every key, on a table
    /// that starts sorted and then is not, with keys that differ only in
    /// surrounding space, quoted cells across lines, and a record that starts
    /// with U+FEFF. In unit tests key hashes keep six bits, so most keys
    /// collide with a different one.
    #[test]
    fn duplicate_keys_match_a_plain_map() {
        for eol in ["\n", "\r\n"] {
            let mut text = format!("commodity,stage,country,producer,year,quantity,unit,source,note{eol}");
            let mut line = 2;
            let mut first: BTreeMap<Vec<String>, u64> = BTreeMap::new();
            let mut expected = vec![];
            let mut seed = 7u64;
            let mut next = |n: u64| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 33) % n
            };
            let commodities = ["diamond", "nickel", "\u{feff}nickel"];
            let countries = ["CN", " CN", "ID", "JP", "ZZ"];
            let producers = ["", "p1", "  p1 ", "\"a, b\"", "\"two\nlines\"", "\"\u{feff}q\""];
            for i in 0..600u64 {
                let (c, co, p, y) = if i < 200 {
                    // Mostly sorted.
                    (i * 3 / 200, (i / 40) % 5, (i / 8) % 5, i % 8)
                } else {
                    (next(3), next(5), next(6), next(4))
                };
                let (c, co, p, y) =
                    (commodities[c as usize], countries[co as usize], producers[p as usize], 2016 + y);
                text.push_str(&format!("{c},mining,{co},{p},{y},1,t,s1,{eol}"));
                let unquoted = p.trim_matches('"').trim().to_string();
                let key = vec![c.to_string(), "mining".into(), co.trim().to_string(), unquoted, y.to_string()];
                match first.get(&key) {
                    Some(&f) => expected.push((line, f)),
                    None => {
                        first.insert(key, line);
                    }
                }
                line += 1 + p.matches('\n').count() as u64;
            }
            let mut files = BTreeMap::new();
            files.insert("dataset.toml".to_string(), "name = \"t\"\nstages = [\"mining\"]\n".to_string());
            files.insert("sources.csv".into(), "id,title,publisher\ns1,S,P\n".into());
            files.insert("countries.csv".into(), "code,name,source\nCN,China,s1\nID,Indonesia,s1\nJP,Japan,s1\n".into());
            files.insert(
                "commodities.csv".into(),
                "commodity,stage,name,unit,source\nnickel,mining,N,t,s1\ndiamond,mining,D,Mct,s1\n".into(),
            );
            files.insert("production.csv".into(), text);
            let problems = load_texts("t", &files).expect_err("duplicates").problems;
            let got: Vec<(u64, u64)> = problems
                .iter()
                .filter(|p| p.message.starts_with("duplicate key"))
                .map(|p| {
                    let first = p.message.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    (p.line.unwrap_or(0), first)
                })
                .collect();
            assert!(expected.len() > 100, "{}", expected.len());
            assert_eq!(got, expected, "line ends {eol:?}");
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\ta\n", "\u{feff}a", "a\u{a0}", "\u{a0}", "é", " é ", "\x1f", "\x7f"] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
