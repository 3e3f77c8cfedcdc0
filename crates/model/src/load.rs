//! Loading and validating a dataset.
//!
//! Every check runs and every problem is collected; a dataset with any
//! problem is not returned at all. Nothing here panics on any input: the
//! tests feed it a crafted bad file for each kind of error.

use crate::dataset::*;
use crate::ids::{is_snake_id, is_source_id, CommodityKey, CountryCode, UNATTRIBUTED};
use crate::schema::{self, Kind, Table};
use crate::units::Unit;
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
    let mut rows: HashMap<&'static str, Vec<Row>> = HashMap::new();
    for table in schema::TABLES {
        let text = match read(table.file) {
            Ok(t) => t,
            Err(e) => {
                cx.file_problem(table.file, &e);
                None
            }
        };
        let required = ["sources.csv", "countries.csv", "commodities.csv"].contains(&table.file);
        // Every row, with a flag for whether all its checks passed. Rows with
        // problems still declare their ids (below), so one bad cell does not
        // cascade into "unknown" errors in every table that refers to it.
        let parsed = match text {
            Some(t) => parse_table(table, &t, &mut cx),
            None if required => {
                cx.file_problem(table.file, "is missing (required in every dataset)");
                vec![]
            }
            None => vec![],
        };
        register(table, &parsed, &mut cx);
        rows.insert(table.file, parsed.into_iter().filter(|r| r.ok).collect());
    }
    let (Some(manifest), true) = (manifest, cx.problems.is_empty()) else {
        return Err(Problems { origin: origin.to_string(), problems: cx.problems });
    };
    let mut take = |t: &Table| rows.remove(t.file).unwrap_or_default();
    let mut ds = Dataset {
        manifest,
        sources: take(&schema::SOURCES).iter().map(source).collect(),
        countries: take(&schema::COUNTRIES).iter().map(country).collect(),
        groups: take(&schema::GROUPS).iter().map(group).collect(),
        commodities: take(&schema::COMMODITIES).iter().map(commodity).collect(),
        production: take(&schema::PRODUCTION).iter().map(output).collect(),
        production_other: take(&schema::PRODUCTION_OTHER).iter().map(output).collect(),
        capacity: take(&schema::CAPACITY).iter().map(output).collect(),
        reserves: take(&schema::RESERVES).iter().map(reserve).collect(),
        ownership: take(&schema::OWNERSHIP).iter().map(ownership).collect(),
        recipes: take(&schema::RECIPES).iter().map(recipe).collect(),
        trade: take(&schema::TRADE).iter().map(trade).collect(),
        demand: take(&schema::DEMAND).iter().map(demand).collect(),
        stockpiles: take(&schema::STOCKPILES).iter().map(stockpile).collect(),
        import_reliance: take(&schema::IMPORT_RELIANCE).iter().map(import_reliance).collect(),
        salient: take(&schema::SALIENT).iter().map(salient).collect(),
        governance: take(&schema::GOVERNANCE).iter().map(governance).collect(),
    };
    // Trade is by far the largest table; keep it sorted so analyses find a
    // commodity-stage's (and year's) flows by binary search, not a scan.
    ds.trade.sort_by(|a, b| {
        (&a.key, a.year, a.exporter, a.importer).cmp(&(&b.key, b.year, b.exporter, b.importer))
    });
    Ok(ds)
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
    stages: HashSet<String>,
    sources: HashSet<String>,
    countries: HashSet<CountryCode>,
    groups: HashSet<String>,
    /// Declared commodity-stage pairs and their units (`None` when the
    /// declaring row's unit was itself bad).
    commodities: HashMap<CommodityKey, Option<Unit>>,
    commodity_ids: HashSet<String>,
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
    Unit(Unit),
    Codes(Vec<String>),
}

/// A row whose every cell passed its checks.
struct Row {
    table: &'static Table,
    line: u64,
    vals: Vec<Val>,
    /// Whether every check on this row passed.
    ok: bool,
}

impl Row {
    fn get(&self, name: &str) -> &Val {
        match self.table.columns.iter().position(|c| c.name == name) {
            Some(i) => &self.vals[i],
            None => &Val::Missing,
        }
    }
    fn s(&self, name: &str) -> String {
        match self.get(name) {
            Val::Str(s) => s.clone(),
            _ => String::new(),
        }
    }
    fn num(&self, name: &str) -> f64 {
        match self.get(name) {
            Val::Num(x) => *x,
            _ => 0.0,
        }
    }
    fn opt_num(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            Val::Num(x) => Some(*x),
            _ => None,
        }
    }
    fn year(&self, name: &str) -> i32 {
        match self.get(name) {
            Val::Year(y) => *y,
            _ => 0,
        }
    }
    fn opt_year(&self, name: &str) -> Option<i32> {
        match self.get(name) {
            Val::Year(y) => Some(*y),
            _ => None,
        }
    }
    fn country(&self, name: &str) -> Option<CountryCode> {
        match self.get(name) {
            Val::Country(c) => *c,
            _ => None,
        }
    }
    /// For columns whose kind guarantees a declared country.
    fn declared_country(&self, name: &str) -> CountryCode {
        self.country(name).unwrap_or(CountryCode::parse("ZZ").expect("ZZ is two capitals"))
    }
    fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), Val::Bool(true))
    }
    fn bound(&self, name: &str) -> Bound {
        match self.get(name) {
            Val::Bound(b) => *b,
            _ => Bound::Exact,
        }
    }
    fn unit(&self, name: &str) -> Option<Unit> {
        match self.get(name) {
            Val::Unit(u) => Some(*u),
            _ => None,
        }
    }
    fn codes(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Val::Codes(c) => c.clone(),
            _ => vec![],
        }
    }
    fn key(&self) -> CommodityKey {
        CommodityKey::new(self.s("commodity"), self.s("stage"))
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

fn parse_table(table: &'static Table, text: &str, cx: &mut Cx) -> Vec<Row> {
    let file = table.file;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        None => {
            cx.problem(file, 1, None, format!("is empty; expected a header row ({})", table.header().join(",")));
            return vec![];
        }
        Some(Err(e)) => {
            cx.problem(file, 1, None, format!("cannot be read as CSV: {e}"));
            return vec![];
        }
        Some(Ok(h)) => h,
    };
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
        return vec![];
    }
    let width = header.len();
    // Line numbers from byte offsets: the csv crate's own line count drifts
    // on `\r\n` line endings, which spreadsheets on Windows write.
    let newlines: Vec<usize> =
        text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    // A record's position may point at the tail of the previous `\r\n`;
    // step over line-end bytes to the record's first real byte.
    let bytes = text.as_bytes();
    let line_at = |byte: u64| {
        let mut b = byte as usize;
        while b < bytes.len() && (bytes[b] == b'\n' || bytes[b] == b'\r') {
            b += 1;
        }
        newlines.partition_point(|&nl| nl < b) as u64 + 1
    };
    let mut out = Vec::new();
    let mut keys: HashMap<Vec<String>, u64> = HashMap::new();
    let key_idx: Vec<usize> = table
        .key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| c.name == *k))
        .collect();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                cx.problem(file, line, None, format!("cannot be read as CSV: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| line_at(p.byte())).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if rec.len() != width {
            cx.problem(file, line, None, format!("expected {width} fields (as in the header), found {}", rec.len()));
            continue;
        }
        let before = cx.problems.len();
        let mut vals = Vec::with_capacity(table.columns.len());
        for (ci, col) in table.columns.iter().enumerate() {
            let raw = pos[ci].and_then(|p| rec.get(p)).unwrap_or("");
            vals.push(parse_cell(file, line, col, raw, cx));
        }
        // Key uniqueness, on the cells as written (trimmed).
        let key: Vec<String> = key_idx
            .iter()
            .map(|&ci| pos[ci].and_then(|p| rec.get(p)).unwrap_or("").trim().to_string())
            .collect();
        if let Some(first) = keys.get(&key) {
            let desc: Vec<String> =
                table.key.iter().zip(&key).map(|(k, v)| format!("{k}={v}")).collect();
            cx.problem(file, line, None, format!("duplicate key ({}); first on line {first}", desc.join(", ")));
        } else {
            keys.insert(key, line);
        }
        let mut row = Row { table, line, vals, ok: false };
        check_row(&mut row, cx);
        row.ok = cx.problems.len() == before;
        out.push(row);
    }
    out
}

fn parse_cell(file: &str, line: u64, col: &schema::Column, raw: &str, cx: &mut Cx) -> Val {
    let t = if col.kind == Kind::Text { raw } else { raw.trim() };
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
                Some(c) if cx.countries.contains(&c) => Val::Country(Some(c)),
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
        Kind::Unit => match Unit::parse(t) {
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
fn check_row(row: &mut Row, cx: &mut Cx) {
    let file = row.table.file;
    for (c, s) in [("commodity", "stage"), ("input_commodity", "input_stage")] {
        let (Some(ci), Some(_)) = (row.table.column(c), row.table.column(s)) else { continue };
        if ci.kind != Kind::Commodity {
            continue;
        }
        let (Val::Str(cv), Val::Str(sv)) = (row.get(c).clone(), row.get(s).clone()) else { continue };
        let key = CommodityKey::new(cv, sv);
        let Some(declared) = cx.commodities.get(&key).copied() else {
            cx.problem(
                file,
                row.line,
                Some(c),
                format!("unknown commodity `{key}`: this commodity-stage pair is not declared in commodities.csv"),
            );
            continue;
        };
        // Convert the row's quantity into the commodity-stage's unit.
        let Some(unit) = declared else { continue };
        if c == "commodity" {
            if let Some(ru) = row.unit("unit") {
                match ru.factor_to(&unit) {
                    Some(f) => {
                        if f != 1.0 {
                            let qi = row.table.columns.iter().position(|c| c.name == "quantity");
                            if let Some(Val::Num(q)) = qi.map(|i| &mut row.vals[i]) {
                                *q *= f;
                            }
                        }
                    }
                    None => cx.problem(
                        file,
                        row.line,
                        Some("unit"),
                        format!("unit mismatch: {key} is measured in {unit} ({:?}), this row in {ru} ({:?})", unit.dimension, ru.dimension),
                    ),
                }
            }
        }
    }
    if row.table.file == schema::RECIPES.file && row.key().commodity == row.s("input_commodity") && row.key().stage == row.s("input_stage") {
        cx.problem(file, row.line, Some("input_commodity"), "recipe cycle: a commodity-stage cannot be its own input".into());
    }
}

/// Records what a loaded table declares, for the tables after it.
fn register(table: &Table, rows: &[Row], cx: &mut Cx) {
    match table.file {
        "sources.csv" => cx.sources.extend(rows.iter().map(|r| r.s("id")).filter(|s| !s.is_empty())),
        "countries.csv" => cx.countries.extend(rows.iter().filter_map(|r| r.country("code"))),
        "groups.csv" => cx.groups.extend(rows.iter().map(|r| r.s("group")).filter(|s| !s.is_empty())),
        "commodities.csv" => {
            for r in rows {
                let key = r.key();
                if !key.commodity.is_empty() && !key.stage.is_empty() {
                    cx.commodities.insert(key.clone(), r.unit("unit"));
                }
                if !key.commodity.is_empty() {
                    cx.commodity_ids.insert(key.commodity);
                }
            }
        }
        "ownership.csv" => {
            let mut sums: BTreeMap<(CommodityKey, CountryCode, i32), (f64, Vec<u64>)> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.ok) {
                let e = sums
                    .entry((r.key(), r.declared_country("location"), r.year("year")))
                    .or_insert((0.0, vec![]));
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
// Typed rows from checked rows.

fn source(r: &Row) -> Source {
    Source {
        id: r.s("id"),
        title: r.s("title"),
        publisher: r.s("publisher"),
        year: r.opt_year("year"),
        url: r.s("url"),
        license: r.s("license"),
        note: r.s("note"),
    }
}

fn country(r: &Row) -> Country {
    Country { code: r.declared_country("code"), name: r.s("name"), iso3: r.s("iso3"), source: r.s("source") }
}

fn group(r: &Row) -> GroupMember {
    GroupMember { group: r.s("group"), country: r.declared_country("country"), source: r.s("source"), note: r.s("note") }
}

fn commodity(r: &Row) -> Commodity {
    Commodity {
        key: r.key(),
        name: r.s("name"),
        unit: r.unit("unit").unwrap_or(crate::units::UNITS[1]),
        basis: r.s("basis"),
        hs_codes: r.codes("hs_codes"),
        material: r.s("material"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn output(r: &Row) -> Output {
    Output {
        key: r.key(),
        country: r.country("country"),
        producer: r.s("producer"),
        year: r.year("year"),
        quantity: r.num("quantity"),
        estimated: r.bool("estimated"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn reserve(r: &Row) -> Reserve {
    Reserve {
        key: r.key(),
        country: r.country("country"),
        producer: r.s("producer"),
        year: r.year("year"),
        quantity: r.num("quantity"),
        bound: r.bound("bound"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn ownership(r: &Row) -> Ownership {
    Ownership {
        key: r.key(),
        location: r.declared_country("location"),
        owner: r.declared_country("owner"),
        year: r.year("year"),
        share: r.num("share"),
        basis: r.s("basis"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn recipe(r: &Row) -> Recipe {
    Recipe {
        output: r.key(),
        input: CommodityKey::new(r.s("input_commodity"), r.s("input_stage")),
        quantity: r.num("quantity"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn trade(r: &Row) -> TradeFlow {
    TradeFlow {
        key: r.key(),
        exporter: r.declared_country("exporter"),
        importer: r.declared_country("importer"),
        year: r.year("year"),
        quantity: r.num("quantity"),
        value_kusd: r.opt_num("value_kusd"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn demand(r: &Row) -> Demand {
    Demand {
        key: r.key(),
        country: r.declared_country("country"),
        sector: r.s("sector"),
        year: r.year("year"),
        quantity: r.num("quantity"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn stockpile(r: &Row) -> Stockpile {
    Stockpile {
        key: r.key(),
        holder: r.declared_country("holder"),
        year: r.year("year"),
        quantity: r.num("quantity"),
        release_rule: r.s("release_rule"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn import_reliance(r: &Row) -> ImportReliance {
    ImportReliance {
        country: r.declared_country("country"),
        commodity: r.s("commodity"),
        item: r.s("item"),
        year: r.year("year"),
        percent: r.num("percent"),
        bound: r.bound("bound"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn salient(r: &Row) -> Salient {
    Salient {
        country: r.declared_country("country"),
        commodity: r.s("commodity"),
        item: r.s("item"),
        category: r.s("category"),
        year: r.year("year"),
        value: r.num("value"),
        unit: r.s("unit"),
        bound: r.bound("bound"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn governance(r: &Row) -> Governance {
    Governance {
        country: r.declared_country("country"),
        indicator: r.s("indicator"),
        year: r.year("year"),
        estimate: r.num("estimate"),
        std_err: r.opt_num("std_err"),
        source: r.s("source"),
        note: r.s("note"),
    }
}

fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}
