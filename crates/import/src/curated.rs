//! Hand-entered data: curated single facts (`curated/ownership.csv`) and
//! the project's country groups (`lodestone/groups.csv` with the sources
//! they cite in `lodestone/sources.csv`).

use crate::catalog::Catalog;
use crate::cells::{csv_reader, normalize, read_text, Lines};
use crate::sources;
use crate::{ImportError, Imported};
use lodestone_model::ids::is_source_id;
use lodestone_model::{is_snake_id, CommodityKey, CountryCode, GroupMember, Ownership, Source};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// A small CSV with a named header: exactly the expected columns, any order.
struct Sheet {
    file: String,
    pos: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Sheet {
    fn read(path: &Path, columns: &[&str]) -> Result<Sheet, ImportError> {
        let file = path.display().to_string();
        let text = read_text(path)?;
        let lines = Lines::new(&text);
        let mut rdr = csv_reader(&text);
        let mut pos = HashMap::new();
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| {
                let line = lines.at(e.position());
                ImportError::at(&file, line, None, format!("cannot be read as CSV: {e}"))
            })?;
            let line = lines.of(&rec);
            if i == 0 {
                for (j, h) in rec.iter().enumerate() {
                    let h = h.trim();
                    if !columns.contains(&h) {
                        return Err(ImportError::at(
                            &file,
                            1,
                            Some(h),
                            format!("unknown column; expected: {}", columns.join(", ")),
                        ));
                    }
                    if pos.insert(h.to_string(), j).is_some() {
                        return Err(ImportError::at(&file, 1, Some(h), "column appears twice in the header".into()));
                    }
                }
                for c in columns {
                    if !pos.contains_key(*c) {
                        return Err(ImportError::at(
                            &file,
                            1,
                            Some(c),
                            "required column is missing from the header".into(),
                        ));
                    }
                }
                continue;
            }
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if rec.len() != pos.len() {
                return Err(ImportError::at(
                    &file,
                    line,
                    None,
                    format!("expected {} fields (as in the header), found {}", pos.len(), rec.len()),
                ));
            }
            rows.push((line, rec));
        }
        if pos.is_empty() {
            return Err(ImportError::at(
                &file,
                1,
                None,
                format!("is empty; expected a header ({})", columns.join(",")),
            ));
        }
        Ok(Sheet { file, pos, rows })
    }

    fn get<'a>(&self, rec: &'a csv::StringRecord, col: &str) -> &'a str {
        self.pos.get(col).and_then(|&i| rec.get(i)).unwrap_or("").trim()
    }

    fn err(&self, line: u64, col: &str, msg: String) -> ImportError {
        ImportError::at(&self.file, line, Some(col), msg)
    }

    fn year(&self, line: u64, rec: &csv::StringRecord, col: &str, required: bool) -> Result<Option<i32>, ImportError> {
        let t = self.get(rec, col);
        if t.is_empty() && !required {
            return Ok(None);
        }
        t.parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .map(Some)
            .ok_or_else(|| self.err(line, col, format!("expected a year (1900-2200), found `{t}`")))
    }
}

fn iso_codes() -> BTreeSet<CountryCode> {
    crate::iso::iso_countries().into_iter().map(|c| c.code).collect()
}

fn country(
    sheet: &Sheet,
    line: u64,
    rec: &csv::StringRecord,
    col: &str,
    iso: &BTreeSet<CountryCode>,
) -> Result<CountryCode, ImportError> {
    let t = sheet.get(rec, col);
    CountryCode::parse(t)
        .filter(|c| iso.contains(c))
        .ok_or_else(|| sheet.err(line, col, format!("expected an ISO 3166-1 alpha-2 country code, found `{t}`")))
}

/// Reads `curated/ownership.csv` (columns commodity, stage, location, owner,
/// share_of_capacity, capacity_basis, year, source, note). Its `source` is a
/// free-text citation, mapped to a source row by
/// `mappings/curated_sources.csv`; the commodity-stage must be declared in
/// the mapping files (nickel/refining is, for this file).
pub fn curated_ownership(path: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
    let sheet = Sheet::read(
        path,
        &["commodity", "stage", "location", "owner", "share_of_capacity", "capacity_basis", "year", "source", "note"],
    )?;
    let iso = iso_codes();
    let mut out = Imported::default();
    for (line, rec) in &sheet.rows {
        let line = *line;
        out.report.rows_read += 1;
        let key = CommodityKey::new(sheet.get(rec, "commodity"), sheet.get(rec, "stage"));
        let decl = cat.commodity(&key).ok_or_else(|| {
            sheet.err(line, "commodity", format!("commodity-stage `{key}` is declared in neither crates/import/mappings/usgs_types.csv nor extra_commodities.csv"))
        })?;
        out.declare(decl);
        let location = country(&sheet, line, rec, "location", &iso)?;
        let owner = country(&sheet, line, rec, "owner", &iso)?;
        let year = sheet.year(line, rec, "year", true)?.unwrap_or_default();
        let share_raw = sheet.get(rec, "share_of_capacity");
        let share = share_raw.parse::<f64>().ok().filter(|s| (0.0..=1.0).contains(s)).ok_or_else(|| {
            sheet.err(line, "share_of_capacity", format!("expected a fraction from 0 to 1, found `{share_raw}`"))
        })?;
        let citation = normalize(sheet.get(rec, "source"));
        let source = cat.curated_sources.get(&citation).ok_or_else(|| {
            sheet.err(
                line,
                "source",
                format!(
                    "unknown citation `{citation}`; expected one listed in crates/import/mappings/curated_sources.csv"
                ),
            )
        })?;
        let basis = sheet.get(rec, "capacity_basis");
        let note = sheet.get(rec, "note");
        out.report.cells_imported += 1;
        out.report.count(key.to_string()).ownership += 1;
        out.ownership.push(Ownership {
            key,
            location,
            owner,
            year,
            share,
            basis: if basis.is_empty() { "share of capacity".into() } else { format!("share of capacity: {basis}") },
            source: source.id.clone(),
            note: format!(
                "Curated from a single published figure; treat as a documented assumption.{}",
                if note.is_empty() { String::new() } else { format!(" {note}") }
            ),
        });
    }
    out.cite_sources(&cat)?;
    Ok(out)
}

/// Reads the project's country groups from `dir` (`groups.csv`: group,
/// country, source, note) and the sources they cite (`sources.csv`: id,
/// title, publisher, year, url, license, note). Either file may be absent;
/// then it contributes nothing.
pub fn lodestone_groups(dir: &Path) -> Result<Imported, ImportError> {
    let mut out = Imported::default();
    let sources_path = dir.join("sources.csv");
    if sources_path.is_file() {
        let sheet = Sheet::read(&sources_path, &["id", "title", "publisher", "year", "url", "license", "note"])?;
        for (line, rec) in &sheet.rows {
            let line = *line;
            out.report.rows_read += 1;
            let id = sheet.get(rec, "id");
            if !is_source_id(id) {
                return Err(sheet.err(
                    line,
                    "id",
                    format!("expected a source id (lowercase letters, digits, `-`, `_`, `.`), found `{id}`"),
                ));
            }
            if out.sources.iter().any(|s| s.id == id) {
                return Err(sheet.err(line, "id", format!("source `{id}` is declared twice")));
            }
            out.sources.push(Source {
                id: id.to_string(),
                title: sheet.get(rec, "title").to_string(),
                publisher: sheet.get(rec, "publisher").to_string(),
                year: sheet.year(line, rec, "year", false)?,
                url: sheet.get(rec, "url").to_string(),
                license: sheet.get(rec, "license").to_string(),
                note: sheet.get(rec, "note").to_string(),
            });
        }
    }
    let groups_path = dir.join("groups.csv");
    if groups_path.is_file() {
        let sheet = Sheet::read(&groups_path, &["group", "country", "source", "note"])?;
        let iso = iso_codes();
        for (line, rec) in &sheet.rows {
            let line = *line;
            out.report.rows_read += 1;
            let group = sheet.get(rec, "group");
            if !is_snake_id(group) {
                return Err(sheet.err(
                    line,
                    "group",
                    format!("expected a lower_snake_case group name, found `{group}`"),
                ));
            }
            let member = country(&sheet, line, rec, "country", &iso)?;
            let source = sheet.get(rec, "source");
            if !out.sources.iter().any(|s| s.id == source) {
                match sources::builtin(source) {
                    Some(s) => out.sources.push(s),
                    None => {
                        return Err(sheet.err(
                            line,
                            "source",
                            format!("unknown source `{source}`; expected an id declared in {}", sources_path.display()),
                        ))
                    }
                }
            }
            out.report.cells_imported += 1;
            out.report.count(group.to_string()).groups += 1;
            out.groups.push(GroupMember {
                group: group.to_string(),
                country: member,
                source: source.to_string(),
                note: sheet.get(rec, "note").to_string(),
            });
        }
    }
    Ok(out)
}
