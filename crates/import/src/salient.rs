//! USGS MCS 2025 U.S. salient statistics (`mcs2025-*_salient.csv`), one
//! file per commodity, one row per year, one column per statistic.
//!
//! Each published cell becomes a `Salient` row (item = the column name as
//! published). The column name gives the category (its first word, see
//! `mappings/salient_categories.csv`) and the unit (its suffix, see
//! `mappings/salient_units.csv`). Net import reliance columns also become
//! `ImportReliance` rows.

use crate::catalog::{tokens, Catalog};
use crate::cells::{csv_reader, join_notes, normalize, parse_number, read_text, Lines};
use crate::sources::SALIENT_SOURCE;
use crate::{ImportError, Imported};
use lodestone_model::{Bound, CountryCode, ImportReliance, Salient};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

const NIR: &str = "net_import_reliance";
const PREFIX: &str = "mcs2025-";
const SUFFIX: &str = "_salient.csv";

/// What one column of a salient file means.
#[derive(Clone, Debug)]
struct Col {
    idx: usize,
    /// As published (trimmed); empty for an unnamed trailing column.
    name: String,
    /// Unique within the file (`Price_dt#2` when a name repeats).
    item: String,
    category: String,
    unit: String,
    commodity: String,
    note: String,
}

/// A salient cell, parsed.
enum Cell {
    Value(f64, Bound, String),
    Skip(&'static str, String),
}

/// Reads every `mcs2025-*_salient.csv` in `dir`.
pub fn usgs_salient(dir: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
    let entries = std::fs::read_dir(dir).map_err(|e| ImportError::file(dir, format!("cannot be read: {e}")))?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for e in entries {
        let e = e.map_err(|e| ImportError::file(dir, format!("cannot be read: {e}")))?;
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(code) = name.strip_prefix(PREFIX).and_then(|n| n.strip_suffix(SUFFIX)) {
            files.push((code.to_string(), e.path()));
        }
    }
    if files.is_empty() {
        return Err(ImportError::file(dir, format!("holds no {PREFIX}*{SUFFIX} files")));
    }
    files.sort();
    let us = CountryCode::parse("US")
        .ok_or_else(|| ImportError::file(dir, "internal: `US` is not a country code".into()))?;
    let mut out = Imported::default();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut keys: HashSet<(String, String, i32)> = HashSet::new();
    for (code, path) in &files {
        import_file(&cat, code, path, us, &mut out, &mut ids, &mut keys)?;
    }
    for id in &ids {
        for c in cat.stages_of(id) {
            out.declare(c);
        }
    }
    let exporters = out.import_reliance.iter().filter(|r| r.note.contains("net exporter")).count();
    if exporters > 0 {
        out.report.note(format!(
            "{exporters} net import reliance cells published as `E` (net exporter) imported as 0 percent with bound `<`"
        ));
    }
    let repeated: BTreeSet<&str> =
        out.salient.iter().filter(|r| r.item.contains('#')).map(|r| r.item.as_str()).collect();
    if !repeated.is_empty() {
        out.report.note(format!(
            "column names repeated within a file were numbered: {}",
            repeated.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    out.cite_sources(&cat)?;
    Ok(out)
}

fn import_file(
    cat: &Catalog,
    code: &str,
    path: &Path,
    us: CountryCode,
    out: &mut Imported,
    ids: &mut BTreeSet<String>,
    keys: &mut HashSet<(String, String, i32)>,
) -> Result<(), ImportError> {
    let file = path.display().to_string();
    let mapping = cat.salient_files.get(code).ok_or_else(|| {
        ImportError::at(&file, 0, None, format!("unknown salient file `{code}`; expected a file code listed in crates/import/mappings/salient_files.csv"))
    })?;
    let text = read_text(path)?;
    let lines = Lines::new(&text);
    let mut rdr = csv_reader(&text);
    let mut records = rdr.records();
    let header = match records.next() {
        None => return Err(ImportError::at(&file, 1, None, "is empty; expected a header row".into())),
        Some(Err(e)) => return Err(ImportError::at(&file, 1, None, format!("cannot be read as CSV: {e}"))),
        Some(Ok(h)) => h,
    };
    let first: Vec<String> = (0..3).map(|i| header.get(i).unwrap_or("").trim().to_string()).collect();
    if !(["DataSource", "Source"].contains(&first[0].as_str()) && first[1] == "Commodity" && first[2] == "Year") {
        return Err(ImportError::at(
            &file,
            1,
            Some(&first[0]),
            format!(
                "malformed header: expected `DataSource` (or `Source`), `Commodity`, `Year` first, found `{}`",
                first.join(", ")
            ),
        ));
    }
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut cols = Vec::new();
    for (idx, name) in names.iter().enumerate().skip(3) {
        let n = names.iter().filter(|x| *x == name).count();
        let k = names[..=idx].iter().filter(|x| *x == name).count();
        cols.push(column(
            cat,
            code,
            &file,
            idx,
            name,
            (n > 1 && !name.is_empty()).then_some((k, n)),
            &mapping.commodity,
        )?);
    }
    let nir_cols = cols.iter().filter(|c| c.category == NIR).count();

    for rec in records {
        let rec = rec.map_err(|e| {
            let line = lines.at(e.position());
            ImportError::at(&file, line, None, format!("cannot be read as CSV: {e}"))
        })?;
        let line = lines.of(&rec);
        if rec.len() != header.len() {
            return Err(ImportError::at(
                &file,
                line,
                None,
                format!("expected {} fields (as in the header), found {}", header.len(), rec.len()),
            ));
        }
        out.report.rows_read += 1;
        if rec.iter().all(|c| normalize(c).is_empty()) {
            out.report.skip(&file, line, "", "", "blank row", "");
            continue;
        }
        let published = normalize(rec.get(1).unwrap_or(""));
        if published != mapping.published {
            return Err(ImportError::at(
                &file,
                line,
                Some("Commodity"),
                format!(
                    "expected `{}` (as mapped in crates/import/mappings/salient_files.csv), found `{published}`",
                    mapping.published
                ),
            ));
        }
        let year_raw = rec.get(2).unwrap_or("").trim();
        let year = year_raw.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y)).ok_or_else(|| {
            ImportError::at(&file, line, Some("Year"), format!("expected a year (1900-2200), found `{year_raw}`"))
        })?;
        for c in &cols {
            let raw = rec.get(c.idx).unwrap_or("");
            if c.name.is_empty() {
                if !normalize(raw).is_empty() {
                    return Err(ImportError::at(
                        &file,
                        line,
                        Some(&format!("column {}", c.idx + 1)),
                        format!("expected nothing under a column with no name, found `{}`", raw.trim()),
                    ));
                }
                continue;
            }
            let nir = c.category == NIR;
            let cell = parse_cell(raw, nir).map_err(|e| ImportError::at(&file, line, Some(&c.name), e))?;
            let (value, bound, cell_note) = match cell {
                Cell::Skip(reason, detail) => {
                    out.report.skip(&file, line, &c.name, raw, reason, &detail);
                    continue;
                }
                Cell::Value(v, b, n) => (v, b, n),
            };
            if !keys.insert((c.commodity.clone(), c.item.clone(), year)) {
                return Err(ImportError::at(
                    &file,
                    line,
                    Some(&c.name),
                    format!("duplicate salient statistic {} / {} / {year} (another file maps to the same commodity and item)", c.commodity, c.item),
                ));
            }
            ids.insert(c.commodity.clone());
            let note = join_notes(&[c.note.as_str(), cell_note.as_str()]);
            out.report.cells_imported += 1;
            out.report.count(c.commodity.clone()).salient += 1;
            out.salient.push(Salient {
                country: us,
                commodity: c.commodity.clone(),
                item: c.item.clone(),
                category: c.category.clone(),
                year,
                value,
                unit: c.unit.clone(),
                bound,
                source: SALIENT_SOURCE.to_string(),
                note: note.clone(),
            });
            if nir {
                let item = if nir_cols > 1 {
                    format!("{} ({})", mapping.published, c.item)
                } else {
                    mapping.published.clone()
                };
                out.report.count(c.commodity.clone()).import_reliance += 1;
                out.import_reliance.push(ImportReliance {
                    country: us,
                    commodity: c.commodity.clone(),
                    item,
                    year,
                    percent: value,
                    bound,
                    source: SALIENT_SOURCE.to_string(),
                    note: join_notes(&[format!("column {}", c.name), note]),
                });
            }
        }
    }
    Ok(())
}

/// Category, unit and commodity of a column, from its name and the mappings.
fn column(
    cat: &Catalog,
    code: &str,
    file: &str,
    idx: usize,
    name: &str,
    dup: Option<(usize, usize)>,
    default_commodity: &str,
) -> Result<Col, ImportError> {
    let mut col = Col {
        idx,
        name: name.to_string(),
        item: name.to_string(),
        category: String::new(),
        unit: String::new(),
        commodity: default_commodity.to_string(),
        note: String::new(),
    };
    if name.is_empty() {
        return Ok(col);
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some((k, n)) = dup {
        col.item = format!("{name}#{k}");
        notes.push(format!("the file has {n} columns named `{name}`; this is number {k} (column {})", idx + 1));
    }
    let rules: Vec<_> = cat.salient_columns.iter().filter(|r| r.applies(code, name)).collect();
    let commodities: BTreeSet<&String> = rules.iter().filter_map(|r| r.commodity.as_ref()).collect();
    if commodities.len() > 1 {
        return Err(ImportError::at(
            file,
            1,
            Some(name),
            format!(
                "ambiguous column: crates/import/mappings/salient_columns.csv maps it to several commodities ({})",
                commodities.into_iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if let Some(c) = commodities.into_iter().next() {
        col.commodity = c.clone();
    }
    notes.extend(rules.iter().map(|r| r.note.clone()));
    let unit_override = rules.iter().find_map(|r| r.unit.clone());
    let category_override = rules.iter().find_map(|r| r.category.clone());

    // Strip a sub-commodity prefix (Bauxite_, HPQ...), then the first word decides.
    let mut rest = name;
    for (token, category) in &cat.salient_categories {
        if category == "(group)" {
            if let Some(r) = rest.strip_prefix(token.as_str()) {
                rest = r.trim_start_matches('_');
                break;
            }
        }
    }
    let first = tokens(rest).next().unwrap_or("");
    col.category = category_override.unwrap_or_else(|| {
        cat.salient_categories
            .iter()
            .find(|(t, c)| t == first && c != "(group)")
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| "other".to_string())
    });

    let suffix = name.rsplit_once('_').map(|(_, s)| s.trim());
    col.unit = match (&unit_override, suffix) {
        (Some(u), _) => u.clone(),
        (None, Some("")) => {
            notes.push("the column name gives no unit".into());
            String::new()
        }
        (None, Some(s)) => cat.salient_units.get(s).cloned().ok_or_else(|| {
            ImportError::at(file, 1, Some(name), format!("unknown unit suffix `_{s}`; expected one listed in crates/import/mappings/salient_units.csv"))
        })?,
        (None, None) => {
            return Err(ImportError::at(
                file,
                1,
                Some(name),
                "the column name has no `_unit` suffix; expected one, or an entry in crates/import/mappings/salient_columns.csv".into(),
            ))
        }
    };
    if unit_override.is_none() {
        let s = suffix.unwrap_or("");
        if col.category == NIR {
            if s != "pct" && !s.is_empty() {
                notes.push(format!("published unit suffix `_{s}`; net import reliance is a percentage"));
            }
            col.unit = "percent".into();
        } else if first == "Employment" {
            if s != "num" && !s.is_empty() {
                notes.push(format!("published unit suffix `_{s}`; employment is a number of people"));
            }
            col.unit = "count".into();
        } else if col.category == "price" && ["t", "kt", "kg", "g", "Mt", "Mct", "Mm3"].contains(&col.unit.as_str()) {
            notes.push(format!(
                "a price column with the quantity suffix `_{s}` as published; the price unit is not stated"
            ));
            col.unit = String::new();
        }
    }
    col.note = join_notes(&notes);
    Ok(col)
}

/// Parses a salient cell. Known non-numeric forms become bounds or skips;
/// anything else is an error describing what was expected.
fn parse_cell(raw: &str, nir: bool) -> Result<Cell, String> {
    let t = normalize(raw);
    let skip = |r: &'static str| Ok(Cell::Skip(r, String::new()));
    match t.as_str() {
        "" => return Ok(Cell::Skip("blank", String::new())),
        "W" => return skip("withheld (W)"),
        "NA" => return skip("not available (NA)"),
        "E" if nir => return Ok(Cell::Value(0.0, Bound::AtMost, "net exporter (published as E)".into())),
        "Less than ½ unit." | "Less than 1/2 unit." => {
            return Ok(Cell::Value(0.5, Bound::AtMost, format!("published as \"{t}\"")))
        }
        "Small" | "Large" | "Variable, depending on type of product" => return skip("qualitative text"),
        _ => {}
    }
    if t.starts_with("Less than ") {
        return skip("text with its own unit");
    }
    if let Some((a, b)) = t.split_once('\u{2013}') {
        if matches!(parse_number(a, false), Ok(Some(_))) && matches!(parse_number(b, false), Ok(Some(_))) {
            return skip("range, not a single value");
        }
    }
    match parse_number(raw, true) {
        Ok(Some((x, b))) => Ok(Cell::Value(x, b, String::new())),
        Ok(None) => Ok(Cell::Skip("blank", String::new())),
        Err(e) => Err(format!(
            "{e}, `W`, `NA`, `Less than ½ unit.`{} or blank",
            if nir { ", `E` (net exporter)" } else { "" }
        )),
    }
}
