//! The mapping files in `crates/import/mappings/`, embedded at build time.
//!
//! Every decision about how a publisher's labels map onto the data model
//! (country names, USGS TYPEs, units, salient columns) lives in those CSV
//! files, each with a note column saying why, so a reviewer can read and
//! correct them without reading code. They are checked when loaded: a
//! mapping that names an unknown stage, unit, country or commodity is an
//! error, not a surprise later.

use crate::cells::{normalize, Lines};
use crate::sources;
use crate::ImportError;
use lodestone_model::{ids::is_source_id, is_snake_id, Commodity, CommodityKey, CountryCode, Source, Unit};
use std::collections::{BTreeSet, HashMap};

/// The stages of the default dataset, upstream first.
pub const STAGES: [&str; 4] = ["mining", "refining", "component", "product"];

const DIR: &str = "crates/import/mappings";

macro_rules! mapping {
    ($name:literal) => {
        (concat!("crates/import/mappings/", $name), include_str!(concat!("../mappings/", $name)))
    };
}

pub(crate) const USGS_COUNTRIES: (&str, &str) = mapping!("usgs_countries.csv");
pub(crate) const USGS_TYPES: (&str, &str) = mapping!("usgs_types.csv");
pub(crate) const USGS_UNITS: (&str, &str) = mapping!("usgs_units.csv");
pub(crate) const USGS_RESERVE_NOTES: (&str, &str) = mapping!("usgs_reserve_notes.csv");
pub(crate) const USGS_NIR_ITEMS: (&str, &str) = mapping!("usgs_nir_items.csv");
pub(crate) const EXTRA_COMMODITIES: (&str, &str) = mapping!("extra_commodities.csv");
pub(crate) const SALIENT_FILES: (&str, &str) = mapping!("salient_files.csv");
pub(crate) const SALIENT_COLUMNS: (&str, &str) = mapping!("salient_columns.csv");
pub(crate) const SALIENT_CATEGORIES: (&str, &str) = mapping!("salient_categories.csv");
pub(crate) const SALIENT_UNITS: (&str, &str) = mapping!("salient_units.csv");
pub(crate) const CURATED_SOURCES: (&str, &str) = mapping!("curated_sources.csv");
pub(crate) const HS6_COMMODITIES: (&str, &str) = mapping!("hs6_commodities.csv");
pub(crate) const BACI_COUNTRIES: (&str, &str) = mapping!("baci_countries.csv");
pub(crate) const WGI_COUNTRIES: (&str, &str) = mapping!("wgi_countries.csv");
pub(crate) const WMD_COMMODITIES: (&str, &str) = mapping!("wmd_commodities.csv");
pub(crate) const WMD_COUNTRIES: (&str, &str) = mapping!("wmd_countries.csv");
pub(crate) const WMD_UNITS: (&str, &str) = mapping!("wmd_units.csv");
pub(crate) const WMD_EXCLUDED_ROWS: (&str, &str) = mapping!("wmd_excluded_rows.csv");

/// A parsed mapping file: header plus records with their line numbers.
pub(crate) struct MapTable {
    pub file: &'static str,
    header: Vec<String>,
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl MapTable {
    pub fn parse((file, text): (&'static str, &str), required: &[&str]) -> Result<MapTable, ImportError> {
        let text = crate::cells::strip_bom(text);
        let lines = Lines::new(text);
        let mut rdr = crate::cells::csv_reader(text);
        let mut header = Vec::new();
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| {
                ImportError::at(file, lines.at(e.position()), None, format!("cannot be read as CSV: {e}"))
            })?;
            let line = lines.of(&rec);
            if i == 0 {
                header = rec.iter().map(|h| h.trim().to_string()).collect();
                for r in required {
                    if !header.iter().any(|h| h == r) {
                        return Err(ImportError::at(
                            file,
                            1,
                            Some(r),
                            "required column is missing from the header".into(),
                        ));
                    }
                }
                continue;
            }
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim().is_empty()) {
                continue;
            }
            if rec.len() != header.len() {
                return Err(ImportError::at(
                    file,
                    line,
                    None,
                    format!("expected {} fields (as in the header), found {}", header.len(), rec.len()),
                ));
            }
            rows.push((line, rec));
        }
        Ok(MapTable { file, header, rows })
    }

    /// The cell of `col` in `rec` (trimmed; empty when the column is absent).
    pub fn get<'a>(&self, rec: &'a csv::StringRecord, col: &str) -> &'a str {
        self.header.iter().position(|h| h == col).and_then(|i| rec.get(i)).unwrap_or("").trim()
    }

    pub fn err(&self, line: u64, col: &str, msg: String) -> ImportError {
        ImportError::at(self.file, line, Some(col), msg)
    }
}

/// How the reserves column of a USGS TYPE is read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ReservesRule {
    /// In the same unit as production.
    Same,
    /// In this unit (converted to the commodity's unit).
    In(Unit),
    /// Not imported (a different basis; the mapping note says why).
    Skip,
}

/// Where the rows of a USGS (COMMODITY, TYPE, UNIT_MEAS) go.
#[derive(Clone, Debug)]
pub(crate) struct TypeTarget {
    pub key: CommodityKey,
    /// The unit the published values are in, which is also the commodity's unit.
    pub unit: Unit,
    /// The PROD_ columns hold capacity (cement clinker).
    pub prod_as_capacity: bool,
    pub reserves: ReservesRule,
}

#[derive(Clone, Debug)]
pub(crate) struct TypeRule {
    pub commodity: String,
    pub type_: String,
    pub unit_meas: String,
    /// `None`: the TYPE is not imported (the note says why).
    pub target: Option<TypeTarget>,
    pub note: String,
    /// The unit differs from the one UNIT_MEAS names (a correction).
    pub unit_corrected: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CountryTarget {
    Iso(CountryCode),
    /// `ZZ`: a quantity USGS does not attribute to a named country.
    Unattributed,
    /// Not a country: an aggregate (world total).
    Skip,
}

#[derive(Clone, Debug)]
pub(crate) struct CountryRule {
    pub target: CountryTarget,
    /// The USGS qualifier in the label ("beneficiated"), carried into row notes.
    pub qualifier: String,
    /// The row is one part of a country total; parts are summed.
    pub sum_parts: bool,
    pub note: String,
}

/// A RESERVE_NOTES phrase that changes the unit or basis of the reserves.
#[derive(Clone, Debug)]
pub(crate) struct ReserveNote {
    /// Lowercase phrase to look for.
    pub contains: String,
    /// `Some(unit)` for a unit change; `None` for a change of basis.
    pub unit: Option<Unit>,
    pub meaning: String,
}

#[derive(Clone, Debug)]
pub(crate) struct SalientFile {
    pub published: String,
    pub commodity: String,
}

#[derive(Clone, Debug)]
pub(crate) enum ColumnMatch {
    /// A `_`/`-`/space-separated token of the column name.
    Token(String),
    /// The whole column name.
    Column(String),
}

#[derive(Clone, Debug)]
pub(crate) struct SalientColumnRule {
    pub file: String,
    pub matches: ColumnMatch,
    pub commodity: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
    pub note: String,
}

impl SalientColumnRule {
    pub fn applies(&self, file: &str, column: &str) -> bool {
        self.file == file
            && match &self.matches {
                ColumnMatch::Column(c) => c == column,
                ColumnMatch::Token(t) => tokens(column).any(|x| x == t),
            }
    }
}

/// The tokens of a salient column name.
pub(crate) fn tokens(column: &str) -> impl Iterator<Item = &str> {
    column.split(['_', '-', ' ', ',']).filter(|t| !t.is_empty())
}

/// Every mapping, loaded and checked.
pub(crate) struct Catalog {
    pub types: Vec<TypeRule>,
    pub countries: HashMap<String, CountryRule>,
    pub units: HashMap<String, Unit>,
    pub reserve_notes: Vec<ReserveNote>,
    /// Every commodity-stage an importer may declare, in mapping-file order.
    pub commodities: Vec<Commodity>,
    pub salient_files: HashMap<String, SalientFile>,
    pub salient_columns: Vec<SalientColumnRule>,
    /// (token, category); category `(group)` marks a prefix to strip.
    pub salient_categories: Vec<(String, String)>,
    pub salient_units: HashMap<String, String>,
    pub nir_items: HashMap<String, String>,
    pub curated_sources: HashMap<String, Source>,
}

impl Catalog {
    pub fn load() -> Result<Catalog, ImportError> {
        let units = load_units()?;
        let curated_sources = load_curated_sources()?;
        let mut cat = Catalog {
            types: vec![],
            countries: load_countries()?,
            reserve_notes: load_reserve_notes()?,
            commodities: vec![],
            salient_files: HashMap::new(),
            salient_columns: vec![],
            salient_categories: vec![],
            salient_units: HashMap::new(),
            nir_items: HashMap::new(),
            units,
            curated_sources,
        };
        cat.load_types()?;
        cat.load_extra_commodities()?;
        cat.load_salient()?;
        cat.load_nir_items()?;
        Ok(cat)
    }

    /// A source by id: built in, or from curated_sources.csv.
    pub fn source(&self, id: &str) -> Option<Source> {
        sources::builtin(id).or_else(|| self.curated_sources.values().find(|s| s.id == id).cloned())
    }

    pub fn commodity(&self, key: &CommodityKey) -> Option<&Commodity> {
        self.commodities.iter().find(|c| &c.key == key)
    }

    /// Every declared stage of a commodity id.
    pub fn stages_of(&self, id: &str) -> Vec<&Commodity> {
        self.commodities.iter().filter(|c| c.key.commodity == id).collect()
    }

    pub fn has_commodity_id(&self, id: &str) -> bool {
        self.commodities.iter().any(|c| c.key.commodity == id)
    }

    /// The commodity-stage a row of `hs6_commodities.csv` or
    /// `wmd_commodities.csv` names (columns `commodity`, `stage`, `name`,
    /// `basis`, `unit`, `material`, `note`). A pair the USGS mappings declare
    /// is reused as declared: the row must leave `name`, `basis`, `unit` and
    /// `material` empty (it takes the USGS basis, and its `note` says why the
    /// basis matches). Any other pair is declared by the row, citing `source`.
    /// Returns the declaration and whether it is a reused USGS one.
    pub fn declaration_from_row(
        &self,
        t: &MapTable,
        line: u64,
        rec: &csv::StringRecord,
        source: &str,
    ) -> Result<(Commodity, bool), ImportError> {
        let id = t.get(rec, "commodity");
        if !is_snake_id(id) {
            return Err(t.err(
                line,
                "commodity",
                format!("expected a lower_snake_case commodity id or `skip`, found `{id}`"),
            ));
        }
        let stage = t.get(rec, "stage");
        if !STAGES.contains(&stage) {
            return Err(t.err(line, "stage", format!("expected one of {}, found `{stage}`", STAGES.join(", "))));
        }
        let note = t.get(rec, "note");
        if note.is_empty() {
            return Err(t.err(line, "note", "every mapping needs a note saying why".into()));
        }
        let key = CommodityKey::new(id, stage);
        if let Some(c) = self.commodity(&key) {
            for col in ["name", "basis", "unit", "material"] {
                if !t.get(rec, col).is_empty() {
                    return Err(t.err(
                        line,
                        col,
                        format!("{key} is declared by the USGS mappings; a row reusing it leaves `{col}` empty (it takes the USGS declaration)"),
                    ));
                }
            }
            return Ok((c.clone(), true));
        }
        let unit_code = t.get(rec, "unit");
        let unit = Unit::parse(unit_code).ok_or_else(|| {
            t.err(line, "unit", format!("unknown unit `{unit_code}`; expected one of {}", Unit::known_codes()))
        })?;
        let name = t.get(rec, "name");
        if name.is_empty() {
            return Err(t.err(line, "name", format!("{key} is new, so the row must name it")));
        }
        let material = t.get(rec, "material");
        if !material.is_empty() && !is_snake_id(material) {
            return Err(t.err(line, "material", format!("expected a lower_snake_case id, found `{material}`")));
        }
        Ok((
            Commodity {
                key,
                name: name.to_string(),
                unit,
                basis: t.get(rec, "basis").to_string(),
                hs_codes: vec![],
                material: material.to_string(),
                source: source.to_string(),
                note: note.to_string(),
            },
            false,
        ))
    }

    fn load_types(&mut self) -> Result<(), ImportError> {
        let t = MapTable::parse(
            USGS_TYPES,
            &[
                "commodity",
                "type",
                "unit_meas",
                "id",
                "stage",
                "name",
                "basis",
                "unit",
                "prod_columns",
                "reserves",
                "note",
            ],
        )?;
        let mut seen = BTreeSet::new();
        // key -> (name, unit, basis, notes)
        let mut decls: Vec<(CommodityKey, String, Unit, String, Vec<String>)> = vec![];
        for (line, rec) in &t.rows {
            let line = *line;
            let commodity = normalize(t.get(rec, "commodity"));
            let type_ = normalize(t.get(rec, "type"));
            let unit_meas = normalize(t.get(rec, "unit_meas"));
            let note = t.get(rec, "note").to_string();
            if !seen.insert((commodity.clone(), type_.clone(), unit_meas.clone())) {
                return Err(t.err(line, "type", "this (commodity, type, unit_meas) is mapped twice".into()));
            }
            let id = t.get(rec, "id");
            if id == "skip" {
                if note.is_empty() {
                    return Err(t.err(line, "note", "a skipped TYPE needs a note saying why".into()));
                }
                self.types.push(TypeRule { commodity, type_, unit_meas, target: None, note, unit_corrected: false });
                continue;
            }
            if !is_snake_id(id) {
                return Err(t.err(
                    line,
                    "id",
                    format!("expected a lower_snake_case commodity id or `skip`, found `{id}`"),
                ));
            }
            let stage = t.get(rec, "stage");
            if !STAGES.contains(&stage) {
                return Err(t.err(line, "stage", format!("expected one of {}, found `{stage}`", STAGES.join(", "))));
            }
            let unit_code = t.get(rec, "unit");
            let unit = Unit::parse(unit_code).ok_or_else(|| {
                t.err(line, "unit", format!("unknown unit `{unit_code}`; expected one of {}", Unit::known_codes()))
            })?;
            let published = self.units.get(&unit_meas).copied();
            let unit_corrected = published.map(|u| u.code) != Some(unit.code);
            if unit_corrected && note.is_empty() {
                return Err(t.err(
                    line,
                    "unit",
                    format!("unit `{unit_code}` differs from UNIT_MEAS `{unit_meas}`; a correction needs a note with the evidence"),
                ));
            }
            let prod_as_capacity = match t.get(rec, "prod_columns") {
                "production" | "" => false,
                "capacity" => true,
                other => {
                    return Err(t.err(
                        line,
                        "prod_columns",
                        format!("expected `production` or `capacity`, found `{other}`"),
                    ))
                }
            };
            let reserves = match t.get(rec, "reserves") {
                "" => ReservesRule::Same,
                "skip" => ReservesRule::Skip,
                code => {
                    let u = Unit::parse(code).ok_or_else(|| {
                        t.err(line, "reserves", format!("expected empty, `skip` or a unit code, found `{code}`"))
                    })?;
                    if u.factor_to(&unit).is_none() {
                        return Err(t.err(
                            line,
                            "reserves",
                            format!("unit `{code}` cannot be converted to `{unit_code}`"),
                        ));
                    }
                    ReservesRule::In(u)
                }
            };
            let key = CommodityKey::new(id, stage);
            let name = t.get(rec, "name").to_string();
            let basis = t.get(rec, "basis").to_string();
            match decls.iter_mut().find(|d| d.0 == key) {
                Some(d) => {
                    if d.1 != name || d.2.code != unit.code || d.3 != basis {
                        return Err(t.err(
                            line,
                            "id",
                            format!("{key} is mapped before with a different name, unit or basis; rows of one commodity-stage must agree"),
                        ));
                    }
                    if !note.is_empty() && !d.4.contains(&note) {
                        d.4.push(note.clone());
                    }
                }
                None => decls.push((
                    key.clone(),
                    name,
                    unit,
                    basis,
                    if note.is_empty() { vec![] } else { vec![note.clone()] },
                )),
            }
            self.types.push(TypeRule {
                commodity,
                type_,
                unit_meas,
                target: Some(TypeTarget { key, unit, prod_as_capacity, reserves }),
                note,
                unit_corrected,
            });
        }
        for (key, name, unit, basis, notes) in decls {
            self.commodities.push(Commodity {
                key,
                name,
                unit,
                basis,
                hs_codes: vec![],
                material: String::new(),
                source: sources::WORLD_SOURCE.to_string(),
                note: notes.join(" "),
            });
        }
        Ok(())
    }

    fn load_extra_commodities(&mut self) -> Result<(), ImportError> {
        let t = MapTable::parse(EXTRA_COMMODITIES, &["commodity", "stage", "name", "unit", "basis", "source", "note"])?;
        for (line, rec) in &t.rows {
            let line = *line;
            let id = t.get(rec, "commodity");
            let stage = t.get(rec, "stage");
            if !is_snake_id(id) {
                return Err(t.err(line, "commodity", format!("expected a lower_snake_case id, found `{id}`")));
            }
            if !STAGES.contains(&stage) {
                return Err(t.err(line, "stage", format!("expected one of {}, found `{stage}`", STAGES.join(", "))));
            }
            let unit_code = t.get(rec, "unit");
            let unit = Unit::parse(unit_code).ok_or_else(|| {
                t.err(line, "unit", format!("unknown unit `{unit_code}`; expected one of {}", Unit::known_codes()))
            })?;
            let source = t.get(rec, "source");
            if self.source(source).is_none() {
                return Err(t.err(line, "source", format!("unknown source `{source}`")));
            }
            let key = CommodityKey::new(id, stage);
            if self.commodity(&key).is_some() {
                return Err(t.err(line, "commodity", format!("{key} is already declared by usgs_types.csv")));
            }
            self.commodities.push(Commodity {
                key,
                name: t.get(rec, "name").to_string(),
                unit,
                basis: t.get(rec, "basis").to_string(),
                hs_codes: vec![],
                material: String::new(),
                source: source.to_string(),
                note: t.get(rec, "note").to_string(),
            });
        }
        Ok(())
    }

    fn load_salient(&mut self) -> Result<(), ImportError> {
        let t = MapTable::parse(SALIENT_FILES, &["file", "commodity_published", "commodity"])?;
        for (line, rec) in &t.rows {
            let id = t.get(rec, "commodity");
            if !self.has_commodity_id(id) {
                return Err(t.err(
                    *line,
                    "commodity",
                    format!("commodity `{id}` is declared in neither usgs_types.csv nor extra_commodities.csv"),
                ));
            }
            let f = SalientFile { published: normalize(t.get(rec, "commodity_published")), commodity: id.to_string() };
            if self.salient_files.insert(t.get(rec, "file").to_string(), f).is_some() {
                return Err(t.err(*line, "file", "file code mapped twice".into()));
            }
        }
        let t = MapTable::parse(SALIENT_COLUMNS, &["file", "match", "commodity", "unit", "category", "note"])?;
        for (line, rec) in &t.rows {
            let m = t.get(rec, "match");
            let matches = if let Some(x) = m.strip_prefix("token:") {
                ColumnMatch::Token(x.to_string())
            } else if let Some(x) = m.strip_prefix("column:") {
                ColumnMatch::Column(x.to_string())
            } else {
                return Err(t.err(*line, "match", format!("expected `token:...` or `column:...`, found `{m}`")));
            };
            let opt = |c: &str| Some(t.get(rec, c).to_string()).filter(|s| !s.is_empty());
            let commodity = opt("commodity");
            if let Some(id) = &commodity {
                if !self.has_commodity_id(id) {
                    return Err(t.err(*line, "commodity", format!("commodity `{id}` is not declared")));
                }
            }
            self.salient_columns.push(SalientColumnRule {
                file: t.get(rec, "file").to_string(),
                matches,
                commodity,
                unit: opt("unit"),
                category: opt("category"),
                note: t.get(rec, "note").to_string(),
            });
        }
        let t = MapTable::parse(SALIENT_CATEGORIES, &["token", "category"])?;
        for (_, rec) in &t.rows {
            self.salient_categories.push((t.get(rec, "token").to_string(), t.get(rec, "category").to_string()));
        }
        let t = MapTable::parse(SALIENT_UNITS, &["suffix", "unit"])?;
        for (_, rec) in &t.rows {
            self.salient_units.insert(t.get(rec, "suffix").to_string(), t.get(rec, "unit").to_string());
        }
        Ok(())
    }

    fn load_nir_items(&mut self) -> Result<(), ImportError> {
        let t = MapTable::parse(USGS_NIR_ITEMS, &["item", "commodity"])?;
        for (line, rec) in &t.rows {
            let id = t.get(rec, "commodity");
            if !self.has_commodity_id(id) {
                return Err(t.err(*line, "commodity", format!("commodity `{id}` is not declared")));
            }
            self.nir_items.insert(normalize(t.get(rec, "item")), id.to_string());
        }
        Ok(())
    }
}

fn load_units() -> Result<HashMap<String, Unit>, ImportError> {
    let t = MapTable::parse(USGS_UNITS, &["unit_meas", "unit"])?;
    let mut m = HashMap::new();
    for (line, rec) in &t.rows {
        let code = t.get(rec, "unit");
        let u = Unit::parse(code).ok_or_else(|| {
            t.err(*line, "unit", format!("unknown unit `{code}`; expected one of {}", Unit::known_codes()))
        })?;
        m.insert(normalize(t.get(rec, "unit_meas")), u);
    }
    Ok(m)
}

fn load_countries() -> Result<HashMap<String, CountryRule>, ImportError> {
    let t = MapTable::parse(USGS_COUNTRIES, &["usgs_name", "code", "qualifier", "combine", "note"])?;
    let iso: BTreeSet<CountryCode> = crate::iso::iso_countries().into_iter().map(|c| c.code).collect();
    let mut m = HashMap::new();
    for (line, rec) in &t.rows {
        let code = t.get(rec, "code");
        let target = match code {
            "skip" => CountryTarget::Skip,
            "ZZ" => CountryTarget::Unattributed,
            c => match CountryCode::parse(c) {
                Some(cc) if iso.contains(&cc) => CountryTarget::Iso(cc),
                _ => {
                    return Err(t.err(
                        *line,
                        "code",
                        format!("expected an ISO 3166-1 alpha-2 code, `ZZ` or `skip`, found `{c}`"),
                    ))
                }
            },
        };
        let sum_parts = match t.get(rec, "combine") {
            "" => false,
            "sum" => true,
            other => return Err(t.err(*line, "combine", format!("expected empty or `sum`, found `{other}`"))),
        };
        let rule = CountryRule {
            target,
            qualifier: t.get(rec, "qualifier").to_string(),
            sum_parts,
            note: t.get(rec, "note").to_string(),
        };
        if m.insert(normalize(t.get(rec, "usgs_name")), rule).is_some() {
            return Err(t.err(*line, "usgs_name", "name mapped twice".into()));
        }
    }
    Ok(m)
}

fn load_reserve_notes() -> Result<Vec<ReserveNote>, ImportError> {
    let t = MapTable::parse(USGS_RESERVE_NOTES, &["contains", "meaning"])?;
    let mut v = vec![];
    for (line, rec) in &t.rows {
        let meaning = t.get(rec, "meaning").to_string();
        let unit = match meaning.strip_prefix("unit:") {
            Some(code) => {
                Some(Unit::parse(code).ok_or_else(|| t.err(*line, "meaning", format!("unknown unit `{code}`")))?)
            }
            None => None,
        };
        v.push(ReserveNote { contains: t.get(rec, "contains").to_lowercase(), unit, meaning });
    }
    Ok(v)
}

fn load_curated_sources() -> Result<HashMap<String, Source>, ImportError> {
    let t =
        MapTable::parse(CURATED_SOURCES, &["citation", "id", "title", "publisher", "year", "url", "license", "note"])?;
    let mut m = HashMap::new();
    for (line, rec) in &t.rows {
        let id = t.get(rec, "id");
        if !is_source_id(id) {
            return Err(t.err(
                *line,
                "id",
                format!("expected a source id (lowercase letters, digits, `-`, `_`, `.`), found `{id}`"),
            ));
        }
        let year = match t.get(rec, "year") {
            "" => None,
            y => Some(y.parse::<i32>().map_err(|_| t.err(*line, "year", format!("expected a year, found `{y}`")))?),
        };
        let s = Source {
            id: id.to_string(),
            title: t.get(rec, "title").to_string(),
            publisher: t.get(rec, "publisher").to_string(),
            year,
            url: t.get(rec, "url").to_string(),
            license: t.get(rec, "license").to_string(),
            note: t.get(rec, "note").to_string(),
        };
        m.insert(normalize(t.get(rec, "citation")), s);
    }
    Ok(m)
}

/// For error messages: where the mapping files live.
pub(crate) fn mapping_path(name: &str) -> String {
    format!("{DIR}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_load_and_agree() {
        let cat = Catalog::load().unwrap_or_else(|e| panic!("{e}"));
        // The pairs the rest of the project relies on.
        for k in [
            "rare_earths/mining",
            "nickel/mining",
            "nickel/refining",
            "cobalt/mining",
            "lithium/mining",
            "graphite/mining",
            "gallium/refining",
            "germanium/refining",
            "copper/mining",
            "copper/refining",
        ] {
            let key = CommodityKey::parse(k).unwrap_or_else(|| panic!("{k}"));
            assert!(cat.commodity(&key).is_some(), "{k}");
        }
        // Every declaration is unique and cites a describable source.
        let keys: BTreeSet<String> = cat.commodities.iter().map(|c| c.key.to_string()).collect();
        assert_eq!(keys.len(), cat.commodities.len());
        assert!(cat.commodities.iter().all(|c| cat.source(&c.source).is_some()));
        // Every NIR item and salient file maps to a declared commodity id.
        assert!(cat.nir_items.values().all(|id| cat.has_commodity_id(id)));
        assert!(cat.salient_files.values().all(|f| cat.has_commodity_id(&f.commodity)));
        // A unit correction is always explained.
        assert!(cat.types.iter().filter(|t| t.unit_corrected).all(|t| !t.note.is_empty()));
        assert_eq!(
            cat.countries.get("Congo (Kinshasa)").map(|c| c.target),
            CountryCode::parse("CD").map(CountryTarget::Iso)
        );
    }
}
