//! USGS MCS 2025 figure 2: U.S. net import reliance by commodity
//! (`MCS2025_Fig2_Net_Import_Reliance.csv`).

use crate::catalog::Catalog;
use crate::cells::{csv_reader, join_notes, normalize, parse_number, read_text, Lines};
use crate::sources::NIR_SOURCE;
use crate::{ImportError, Imported};
use lodestone_model::{Bound, CountryCode, ImportReliance};
use std::collections::BTreeSet;
use std::path::Path;

/// Reads the figure-2 table: one `ImportReliance` row per commodity (the
/// year from the value column's name), item as published, note = major
/// import sources and the publisher's notes.
pub fn usgs_nir_table(path: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
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
    let h: Vec<String> = header.iter().map(|x| x.trim().to_string()).collect();
    let expected =
        "Source, Import_Share_Order, Commodity, Net_Import_Reliance_pct_<year>, Major_Import_Sources_<years>, Notes";
    let bad = |i: usize, what: &str| {
        ImportError::at(
            &file,
            1,
            h.get(i).map(String::as_str),
            format!("malformed header: expected {what} as column {} ({expected})", i + 1),
        )
    };
    if h.len() != 6 {
        return Err(ImportError::at(
            &file,
            1,
            None,
            format!("malformed header: expected 6 columns ({expected}), found {}", h.len()),
        ));
    }
    for (i, name) in [(0, "Source"), (1, "Import_Share_Order"), (2, "Commodity"), (5, "Notes")] {
        if h[i] != name {
            return Err(bad(i, &format!("`{name}`")));
        }
    }
    let year = h[3]
        .strip_prefix("Net_Import_Reliance_pct_")
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (1900..=2200).contains(y))
        .ok_or_else(|| bad(3, "`Net_Import_Reliance_pct_<year>`"))?;
    let sources_years =
        h[4].strip_prefix("Major_Import_Sources_").ok_or_else(|| bad(4, "`Major_Import_Sources_<years>`"))?;
    let sources_years = sources_years.replace('_', "-");
    let us = CountryCode::parse("US")
        .ok_or_else(|| ImportError::file(path, "internal: `US` is not a country code".into()))?;

    let mut out = Imported::default();
    let mut ids = BTreeSet::new();
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = lines.at(e.position());
            ImportError::at(&file, line, None, format!("cannot be read as CSV: {e}"))
        })?;
        let line = lines.of(&rec);
        if rec.len() != 6 {
            return Err(ImportError::at(
                &file,
                line,
                None,
                format!("expected 6 fields (as in the header), found {}", rec.len()),
            ));
        }
        out.report.rows_read += 1;
        let f = |i: usize| rec.get(i).unwrap_or("");
        if rec.iter().all(|c| normalize(c).is_empty()) {
            out.report.skip(&file, line, "", "", "blank row", "");
            continue;
        }
        let item = normalize(f(2));
        let commodity = cat.nir_items.get(&item).ok_or_else(|| {
            ImportError::at(
                &file,
                line,
                Some("Commodity"),
                format!(
                    "unknown commodity `{item}`; expected an item listed in crates/import/mappings/usgs_nir_items.csv"
                ),
            )
        })?;
        let raw = f(3);
        let (percent, bound, value_note) = match normalize(raw).as_str() {
            "" => {
                out.report.skip(&file, line, &h[3], raw, "blank", "");
                continue;
            }
            "NA" => {
                out.report.skip(&file, line, &h[3], raw, "not available (NA)", "");
                continue;
            }
            "W" => {
                out.report.skip(&file, line, &h[3], raw, "withheld (W)", "");
                continue;
            }
            "E" => (0.0, Bound::AtMost, "net exporter (published as E)".to_string()),
            _ => match parse_number(raw, false) {
                Ok(Some((x, b))) => (x, b, String::new()),
                Ok(None) => continue,
                Err(e) => {
                    return Err(ImportError::at(&file, line, Some(&h[3]), format!("{e}, `E`, `W`, `NA` or blank")))
                }
            },
        };
        let sources = normalize(f(4));
        let note = join_notes(&[
            if sources.is_empty() { String::new() } else { format!("Major import sources {sources_years}: {sources}") },
            normalize(f(5)),
            value_note,
        ]);
        ids.insert(commodity.clone());
        out.report.cells_imported += 1;
        out.report.count(commodity.clone()).import_reliance += 1;
        out.import_reliance.push(ImportReliance {
            country: us,
            commodity: commodity.clone(),
            item,
            year,
            percent,
            bound,
            source: NIR_SOURCE.to_string(),
            note,
        });
    }
    for id in &ids {
        for c in cat.stages_of(id) {
            out.declare(c);
        }
    }
    out.cite_sources(&cat)?;
    Ok(out)
}
