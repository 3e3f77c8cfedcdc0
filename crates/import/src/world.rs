//! USGS MCS 2025 world production, capacity and reserves
//! (`MCS2025_World_Data.csv`), read as published.
//!
//! One row per (COMMODITY, COUNTRY, TYPE); five value columns: production
//! for two years, capacity for two years, reserves for one. The TYPE
//! decides the commodity-stage (`mappings/usgs_types.csv`), the COUNTRY
//! label the ISO code (`mappings/usgs_countries.csv`). Each value cell
//! becomes a row or a [`Skip`](crate::Skip) with its reason.

use crate::catalog::{Catalog, CountryRule, CountryTarget, ReservesRule, TypeRule, TypeTarget};
use crate::cells::{csv_reader, join_notes, normalize, parse_number, read_text, Lines};
use crate::sources::WORLD_SOURCE;
use crate::{ImportError, Imported};
use lodestone_model::{Bound, CommodityKey, CountryCode, Output, Reserve};
use std::collections::HashMap;
use std::path::Path;

/// What a value column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Measure {
    Production,
    Capacity,
    Reserves,
}

/// A value column of the header.
#[derive(Clone, Debug)]
struct ValueCol {
    idx: usize,
    /// As published (`PROD_EST_ 2024`).
    name: String,
    measure: Measure,
    year: i32,
    /// `_EST_` columns: every value is a USGS estimate.
    estimated: bool,
    /// Index of the notes column for this value.
    notes_idx: usize,
}

const WIDTH: usize = 13;
const FIXED: [(usize, &str); 8] = [
    (0, "SOURCE"),
    (1, "COMMODITY"),
    (2, "COUNTRY"),
    (3, "TYPE"),
    (4, "UNIT_MEAS"),
    (7, "PROD_NOTES"),
    (10, "CAP_NOTES"),
    (12, "RESERVE_NOTES"),
];
/// Value columns: position, prefix (before the year), measure, estimated, notes column.
const VALUES: [(usize, &str, Measure, bool, usize); 5] = [
    (5, "PROD_", Measure::Production, false, 7),
    (6, "PROD_EST_", Measure::Production, true, 7),
    (8, "CAP_", Measure::Capacity, false, 10),
    (9, "CAP_EST_", Measure::Capacity, true, 10),
    (11, "RESERVES_", Measure::Reserves, false, 12),
];

/// Checks the header (after removing stray spaces: `PROD_EST_ 2024`) and
/// reads the years from the value columns' names.
fn parse_header(file: &str, header: &csv::StringRecord) -> Result<Vec<ValueCol>, ImportError> {
    let expected = "SOURCE, COMMODITY, COUNTRY, TYPE, UNIT_MEAS, PROD_<year>, PROD_EST_<year>, PROD_NOTES, CAP_<year>, CAP_EST_<year>, CAP_NOTES, RESERVES_<year>, RESERVE_NOTES";
    if header.len() != WIDTH {
        return Err(ImportError::at(
            file,
            1,
            None,
            format!("malformed header: expected {WIDTH} columns ({expected}), found {}", header.len()),
        ));
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace() && *c != '\u{feff}').collect::<String>();
    for (i, name) in FIXED {
        let h = header.get(i).unwrap_or("");
        if squeeze(h) != name {
            return Err(ImportError::at(
                file,
                1,
                Some(h.trim()),
                format!("malformed header: expected `{name}` as column {} ({expected})", i + 1),
            ));
        }
    }
    let mut cols = Vec::new();
    for (idx, prefix, measure, estimated, notes_idx) in VALUES {
        let h = header.get(idx).unwrap_or("");
        let year = squeeze(h)
            .strip_prefix(prefix)
            .and_then(|y| (y.len() == 4).then(|| y.parse::<i32>().ok()).flatten())
            .filter(|y| (1900..=2200).contains(y));
        let Some(year) = year else {
            return Err(ImportError::at(
                file,
                1,
                Some(h.trim()),
                format!("malformed header: expected `{prefix}<year>` as column {} ({expected})", idx + 1),
            ));
        };
        cols.push(ValueCol { idx, name: h.trim().to_string(), measure, year, estimated, notes_idx });
    }
    Ok(cols)
}

/// A value cell, parsed.
enum Cell {
    Blank,
    /// A publisher's token in place of a value (`W`, `NA`, `XX`): the reason.
    Token(&'static str),
    Num(f64, Bound),
}

fn parse_cell(raw: &str) -> Result<Cell, String> {
    let t = normalize(raw);
    match t.as_str() {
        "" => Ok(Cell::Blank),
        "W" => Ok(Cell::Token("withheld (W)")),
        "NA" | "na" => Ok(Cell::Token("not available (NA)")),
        "XX" | "xx" => Ok(Cell::Token("not applicable (XX)")),
        _ => match parse_number(raw, false) {
            Ok(Some((x, b))) => Ok(Cell::Num(x, b)),
            Ok(None) => Ok(Cell::Blank),
            Err(e) => Err(format!("{e}, `W`, `NA` or blank")),
        },
    }
}

/// Why a blank value cell is blank, from the notes column beside it.
fn blank_reason(note: &str) -> &'static str {
    let n = normalize(note).to_lowercase();
    if n.is_empty() {
        "blank"
    } else if n == "w" || n.starts_with("w ") {
        "withheld (W)"
    } else if n == "na" || n.starts_with("na ") || n.contains("not available") {
        "not available (NA)"
    } else if n == "xx" {
        "not applicable (XX)"
    } else if n.starts_with("less than 1/2 unit") || n.starts_with("less than ½ unit") {
        "less than ½ unit"
    } else if ["large", "small", "moderate", "moderate to large", "very small"].contains(&n.as_str()) {
        "qualitative estimate only"
    } else if n.contains("included in") || n.contains("included with") {
        "included in another row"
    } else {
        "blank"
    }
}

/// Notes that only mark the 2023 value as estimated or missing; they are
/// carried by the `estimated` flag instead of the note.
const YEAR_MARKERS: [&str; 3] = ["estimated 2023", "estimated for 2023", "na for 2023"];

fn usgs_note(raw: &str) -> String {
    let n = normalize(raw);
    if n.is_empty() || YEAR_MARKERS.contains(&n.to_lowercase().as_str()) {
        String::new()
    } else {
        format!("USGS note: {n}")
    }
}

/// One published cell on its way to becoming a row.
struct Part {
    line: u64,
    label: String,
    quantity: f64,
    bound: Bound,
    estimated: bool,
    note: String,
    sum: bool,
}

type GroupKey = (Measure, CommodityKey, Option<CountryCode>, String, i32);

/// Reads `MCS2025_World_Data.csv` as published. See the module docs.
pub fn usgs_world(path: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
    let file = path.display().to_string();
    let text = read_text(path)?;
    let mut out = Imported::default();
    let lines = Lines::new(&text);
    let mut rdr = csv_reader(&text);
    let mut records = rdr.records();
    let header = match records.next() {
        None => return Err(ImportError::at(&file, 1, None, "is empty; expected a header row".into())),
        Some(Err(e)) => return Err(ImportError::at(&file, 1, None, format!("cannot be read as CSV: {e}"))),
        Some(Ok(h)) => h,
    };
    let cols = parse_header(&file, &header)?;
    let mut order: Vec<GroupKey> = Vec::new();
    let mut groups: HashMap<GroupKey, Vec<Part>> = HashMap::new();

    for rec in records {
        let rec = rec.map_err(|e| {
            let line = lines.at(e.position());
            ImportError::at(&file, line, None, format!("cannot be read as CSV: {e}"))
        })?;
        let line = lines.of(&rec);
        if rec.len() != WIDTH {
            return Err(ImportError::at(
                &file,
                line,
                None,
                format!("expected {WIDTH} fields (as in the header), found {}", rec.len()),
            ));
        }
        out.report.rows_read += 1;
        let f = |i: usize| rec.get(i).unwrap_or("");
        if rec.iter().all(|c| normalize(c).is_empty()) {
            out.report.skip(&file, line, "", "", "blank row", "");
            continue;
        }
        let commodity = normalize(f(1));
        let type_ = normalize(f(3));
        let unit_meas = normalize(f(4));
        let label = normalize(f(2));
        let rule = find_type(&cat, &file, line, &commodity, &type_, &unit_meas)?;
        let country = cat.countries.get(&label).ok_or_else(|| {
            ImportError::at(
                &file,
                line,
                Some("COUNTRY"),
                format!(
                    "unknown country name `{}`; expected a name listed in crates/import/mappings/usgs_countries.csv (mapped to an ISO code, `ZZ` or `skip`)",
                    f(2).trim()
                ),
            )
        })?;
        // Parse every value first: a malformed number is an error even in a
        // row that is skipped (an aggregate), so nothing malformed slips by.
        let mut cells = Vec::with_capacity(cols.len());
        for c in &cols {
            let cell = parse_cell(f(c.idx)).map_err(|e| ImportError::at(&file, line, Some(&c.name), e))?;
            cells.push(cell);
        }
        if let Some(target) = &rule.target {
            if out.commodities.iter().all(|c| c.key != target.key) {
                let decl = cat.commodity(&target.key).ok_or_else(|| {
                    ImportError::at(&file, line, Some("TYPE"), format!("{} is mapped but not declared", target.key))
                })?;
                out.declare(decl);
                out.report.count(target.key.to_string());
            }
            if rule.unit_corrected {
                // Once per mapping rule (notes are deduplicated).
                out.report.note(format!(
                    "{}: values of TYPE `{}` (UNIT_MEAS `{}`) read as {} per usgs_types.csv: {}",
                    target.key, rule.type_, rule.unit_meas, target.unit.code, rule.note
                ));
            }
        }
        for (c, cell) in cols.iter().zip(cells) {
            let raw = f(c.idx);
            let notes = f(c.notes_idx);
            let Some(target) = &rule.target else {
                out.report.skip(&file, line, &c.name, raw, "type not imported", &rule.note);
                continue;
            };
            if country.target == CountryTarget::Skip {
                out.report.skip(&file, line, &c.name, raw, "aggregate: world total", &label);
                continue;
            }
            let (x, bound) = match cell {
                Cell::Blank => {
                    out.report.skip(&file, line, &c.name, raw, blank_reason(notes), notes);
                    continue;
                }
                Cell::Token(reason) => {
                    out.report.skip(&file, line, &c.name, raw, reason, notes);
                    continue;
                }
                Cell::Num(x, b) => (x, b),
            };
            let part = make_part(&file, line, c, x, bound, target, rule, country, &label, &rec, &cat, &mut out)?;
            let Some((measure, part)) = part else { continue };
            let key: GroupKey = (measure, target.key.clone(), country_code(country), producer(country, &label), c.year);
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            groups.entry(key).or_default().push(part);
        }
    }

    for key in order {
        let parts = groups.remove(&key).unwrap_or_default();
        combine(&file, key, parts, &mut out)?;
    }
    out.cite_sources(&cat)?;
    Ok(out)
}

/// The mapping of a (COMMODITY, TYPE, UNIT_MEAS), or an error naming what is missing.
fn find_type<'a>(
    cat: &'a Catalog,
    file: &str,
    line: u64,
    commodity: &str,
    type_: &str,
    unit_meas: &str,
) -> Result<&'a TypeRule, ImportError> {
    if let Some(r) = cat.types.iter().find(|r| r.commodity == commodity && r.type_ == type_ && r.unit_meas == unit_meas)
    {
        return Ok(r);
    }
    let known: Vec<&str> = cat
        .types
        .iter()
        .filter(|r| r.commodity == commodity && r.type_ == type_)
        .map(|r| r.unit_meas.as_str())
        .collect();
    if !known.is_empty() {
        return Err(ImportError::at(
            file,
            line,
            Some("UNIT_MEAS"),
            format!(
                "unexpected unit `{unit_meas}` for {commodity} / {type_}; expected {} (or add the combination to crates/import/mappings/usgs_types.csv)",
                known.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(" or ")
            ),
        ));
    }
    Err(ImportError::at(
        file,
        line,
        Some("TYPE"),
        format!(
            "unknown COMMODITY/TYPE pair `{commodity}` / `{type_}`; expected a pair listed in crates/import/mappings/usgs_types.csv"
        ),
    ))
}

fn country_code(c: &CountryRule) -> Option<CountryCode> {
    match c.target {
        CountryTarget::Iso(cc) => Some(cc),
        _ => None,
    }
}

/// The `producer` column: empty for a country total, the USGS label for
/// an unattributed row ("Other Countries").
fn producer(c: &CountryRule, label: &str) -> String {
    match c.target {
        CountryTarget::Unattributed => label.to_string(),
        _ => String::new(),
    }
}

/// Turns one numeric cell into a part of a row (or a skip).
#[allow(clippy::too_many_arguments)]
fn make_part(
    file: &str,
    line: u64,
    c: &ValueCol,
    x: f64,
    bound: Bound,
    target: &TypeTarget,
    rule: &TypeRule,
    country: &CountryRule,
    label: &str,
    rec: &csv::StringRecord,
    cat: &Catalog,
    out: &mut Imported,
) -> Result<Option<(Measure, Part)>, ImportError> {
    let raw = rec.get(c.idx).unwrap_or("");
    let notes_raw = rec.get(c.notes_idx).unwrap_or("");
    let mut notes: Vec<String> = Vec::new();
    if !country.qualifier.is_empty() {
        notes.push(format!("USGS label \"{label}\""));
    }
    if country.target == CountryTarget::Unattributed && !country.note.is_empty() {
        notes.push(country.note.clone());
        // "Other countries" rows are the usual residual; anything else
        // unattributed (a combined "United States and Canada") is reported.
        if !label.to_lowercase().starts_with("other countries") {
            out.report.note(format!(
                "{}: `{label}` kept as unattributed (ZZ) under its own label: {}",
                target.key, country.note
            ));
        }
    }
    notes.push(usgs_note(notes_raw));
    let measure = match c.measure {
        Measure::Reserves => Measure::Reserves,
        Measure::Production if target.prod_as_capacity => Measure::Capacity,
        m => m,
    };
    let mut quantity = x;
    match c.measure {
        Measure::Reserves => {
            let unit = match target.reserves {
                ReservesRule::Skip => {
                    out.report.skip(file, line, &c.name, raw, "reserves not imported for this type", &rule.note);
                    return Ok(None);
                }
                ReservesRule::Same => target.unit,
                ReservesRule::In(u) => u,
            };
            check_reserve_note(file, line, notes_raw, target, cat)?;
            if unit.code != target.unit.code {
                let factor = unit.factor_to(&target.unit).ok_or_else(|| {
                    ImportError::at(
                        file,
                        line,
                        Some(&c.name),
                        format!("reserves unit {} cannot be converted to {}", unit.code, target.unit.code),
                    )
                })?;
                quantity = x * factor;
                notes.push(format!("published in {} ({raw}), converted to {}", unit.name, target.unit.code));
            }
        }
        Measure::Production | Measure::Capacity => {
            if bound != Bound::Exact {
                return Err(ImportError::at(
                    file,
                    line,
                    Some(&c.name),
                    format!(
                        "expected a plain number (a `>`/`<` bound is only expected in reserves), found `{}`",
                        raw.trim()
                    ),
                ));
            }
        }
    }
    let type_estimated = rule.type_.to_lowercase().contains("estimated");
    let estimated = c.measure != Measure::Reserves
        && (c.estimated || type_estimated || notes_raw.to_lowercase().contains("estimated"));
    if target.prod_as_capacity && c.measure == Measure::Production {
        notes.push(format!("published in the {} column; USGS TYPE `{}`", c.name, rule.type_));
    }
    out.report.cells_imported += 1;
    Ok(Some((
        measure,
        Part {
            line,
            label: label.to_string(),
            quantity,
            bound,
            estimated,
            note: join_notes(&notes),
            sum: country.sum_parts,
        },
    )))
}

/// A RESERVE_NOTES phrase that changes unit or basis must agree with the
/// mapping; otherwise the reserves would be silently mis-scaled.
fn check_reserve_note(
    file: &str,
    line: u64,
    note: &str,
    target: &TypeTarget,
    cat: &Catalog,
) -> Result<(), ImportError> {
    let lower = note.to_lowercase();
    for n in &cat.reserve_notes {
        if !lower.contains(&n.contains) {
            continue;
        }
        let agrees = matches!((n.unit, target.reserves), (Some(u), ReservesRule::In(r)) if u.code == r.code);
        if !agrees {
            let reads = match target.reserves {
                ReservesRule::Same => format!("in the production unit ({})", target.unit.code),
                ReservesRule::In(u) => format!("in {}", u.code),
                ReservesRule::Skip => "not at all".to_string(),
            };
            return Err(ImportError::at(
                file,
                line,
                Some("RESERVE_NOTES"),
                format!(
                    "the note `{}` changes the reserves ({}), but crates/import/mappings/usgs_types.csv reads the reserves of {} {reads}; expected its `reserves` column to be {}",
                    normalize(note),
                    n.meaning,
                    target.key,
                    match n.unit {
                        Some(u) => format!("`{}`", u.code),
                        None => "`skip` (with the reason in the note)".to_string(),
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// Makes one row from the parts of a key: a single part as is; several
/// parts summed only when every one is marked `combine=sum` in the country
/// mapping; otherwise a duplicate-key error.
fn combine(file: &str, key: GroupKey, mut parts: Vec<Part>, out: &mut Imported) -> Result<(), ImportError> {
    let (measure, ckey, country, producer, year) = key;
    let part = if parts.len() == 1 {
        parts.remove(0)
    } else {
        let first = &parts[0];
        let mut labels: Vec<&str> = parts.iter().map(|p| p.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        let summable = parts.iter().all(|p| p.sum && p.bound == Bound::Exact) && labels.len() == parts.len();
        if !summable {
            let second = &parts[1];
            return Err(ImportError::at(
                file,
                second.line,
                Some("COUNTRY"),
                format!(
                    "duplicate {measure:?} row for {ckey}, {}, {year}: line {} (`{}`) gives the same key; expected one row per country, or labels marked `combine=sum` in crates/import/mappings/usgs_countries.csv when they are parts of one total",
                    country.map(|c| c.to_string()).unwrap_or_else(|| "ZZ".into()),
                    first.line,
                    first.label
                ),
            ));
        }
        let total: f64 = parts.iter().map(|p| p.quantity).sum();
        let detail: Vec<String> =
            parts.iter().map(|p| format!("\"{}\" (line {}) {}", p.label, p.line, p.quantity)).collect();
        let other: Vec<String> = parts
            .iter()
            .flat_map(|p| p.note.split("; ").map(str::to_string))
            .filter(|n| !n.is_empty() && !n.starts_with("USGS label"))
            .collect();
        let mut notes = vec![format!("sum of USGS rows {}", detail.join(" + "))];
        notes.extend(other);
        notes.dedup();
        out.report.note(format!(
            "{ckey} {} {year} ({measure:?}): summed {} USGS rows ({})",
            country.map(|c| c.to_string()).unwrap_or_else(|| "ZZ".into()),
            parts.len(),
            labels.join(" + ")
        ));
        Part {
            line: first.line,
            label: String::new(),
            quantity: total,
            bound: Bound::Exact,
            estimated: parts.iter().any(|p| p.estimated),
            note: join_notes(&notes),
            sum: true,
        }
    };
    let counts = out.report.count(ckey.to_string());
    match measure {
        Measure::Production | Measure::Capacity => {
            if measure == Measure::Production {
                counts.production += 1;
            } else {
                counts.capacity += 1;
            }
            let row = Output {
                key: ckey,
                country,
                producer,
                year,
                quantity: part.quantity,
                estimated: part.estimated,
                source: WORLD_SOURCE.to_string(),
                note: part.note,
            };
            if measure == Measure::Production {
                out.production.push(row);
            } else {
                out.capacity.push(row);
            }
        }
        Measure::Reserves => {
            counts.reserves += 1;
            out.reserves.push(Reserve {
                key: ckey,
                country,
                producer,
                year,
                quantity: part.quantity,
                bound: part.bound,
                source: WORLD_SOURCE.to_string(),
                note: part.note,
            });
        }
    }
    Ok(())
}
