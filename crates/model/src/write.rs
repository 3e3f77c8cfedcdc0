//! Writing a dataset as a directory of CSV tables, in the schema's column
//! order. What is written loads back equal (a test checks the round trip).

use crate::dataset::*;
use crate::ids::{CountryCode, UNATTRIBUTED};
use crate::schema::{self, Table};
use std::collections::BTreeMap;
use std::path::Path;

fn num(x: f64) -> String {
    // Rust's shortest round-trip formatting: loads back to the same f64.
    format!("{x}")
}

fn opt_num(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

fn cc(c: Option<CountryCode>) -> String {
    c.map(|c| c.to_string()).unwrap_or_else(|| UNATTRIBUTED.to_string())
}

fn table_text(table: &Table, rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
    // Writing to a Vec cannot fail; errors would only come from I/O.
    let _ = w.write_record(table.header());
    for r in rows {
        debug_assert_eq!(r.len(), table.columns.len(), "{}", table.file);
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The manifest as TOML.
pub fn manifest_text(m: &Manifest) -> String {
    let mut s = String::new();
    let q = |v: &str| toml::Value::String(v.to_string()).to_string();
    s.push_str(&format!("name = {}\n", q(&m.name)));
    if !m.title.is_empty() {
        s.push_str(&format!("title = {}\n", q(&m.title)));
    }
    if !m.description.is_empty() {
        s.push_str(&format!("description = {}\n", q(&m.description)));
    }
    if !m.version.is_empty() {
        s.push_str(&format!("version = {}\n", q(&m.version)));
    }
    let stages: Vec<String> = m.stages.iter().map(|st| q(st)).collect();
    s.push_str(&format!("stages = [{}]\n", stages.join(", ")));
    if let Some(y) = m.default_year {
        s.push_str(&format!("default_year = {y}\n"));
    }
    s
}

/// Every file of the dataset, by name. Empty optional tables are left out.
pub fn to_texts(ds: &Dataset) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("dataset.toml".to_string(), manifest_text(&ds.manifest));
    let unit_of = |k: &crate::ids::CommodityKey| {
        ds.commodity(k).map(|c| c.unit.code.to_string()).unwrap_or_default()
    };
    let b = |x: bool| if x { "true".to_string() } else { String::new() };
    let mut put = |t: &Table, rows: Vec<Vec<String>>, always: bool| {
        if always || !rows.is_empty() {
            out.insert(t.file.to_string(), table_text(t, rows));
        }
    };
    put(
        &schema::SOURCES,
        ds.sources
            .iter()
            .map(|s| {
                vec![
                    s.id.clone(),
                    s.title.clone(),
                    s.publisher.clone(),
                    s.year.map(|y| y.to_string()).unwrap_or_default(),
                    s.url.clone(),
                    s.license.clone(),
                    s.note.clone(),
                ]
            })
            .collect(),
        true,
    );
    put(
        &schema::COUNTRIES,
        ds.countries
            .iter()
            .map(|c| vec![c.code.to_string(), c.name.clone(), c.iso3.clone(), c.source.clone()])
            .collect(),
        true,
    );
    put(
        &schema::GROUPS,
        ds.groups
            .iter()
            .map(|g| vec![g.group.clone(), g.country.to_string(), g.source.clone(), g.note.clone()])
            .collect(),
        false,
    );
    put(
        &schema::COMMODITIES,
        ds.commodities
            .iter()
            .map(|c| {
                vec![
                    c.key.commodity.clone(),
                    c.key.stage.clone(),
                    c.name.clone(),
                    c.unit.code.to_string(),
                    c.basis.clone(),
                    c.hs_codes.join(" "),
                    c.material.clone(),
                    c.source.clone(),
                    c.note.clone(),
                ]
            })
            .collect(),
        true,
    );
    let outputs = |v: &[Output]| -> Vec<Vec<String>> {
        v.iter()
            .map(|p| {
                vec![
                    p.key.commodity.clone(),
                    p.key.stage.clone(),
                    cc(p.country),
                    p.producer.clone(),
                    p.year.to_string(),
                    num(p.quantity),
                    unit_of(&p.key),
                    b(p.estimated),
                    p.source.clone(),
                    p.note.clone(),
                ]
            })
            .collect()
    };
    put(&schema::PRODUCTION, outputs(&ds.production), false);
    put(&schema::PRODUCTION_OTHER, outputs(&ds.production_other), false);
    put(&schema::CAPACITY, outputs(&ds.capacity), false);
    put(
        &schema::RESERVES,
        ds.reserves
            .iter()
            .map(|r| {
                vec![
                    r.key.commodity.clone(),
                    r.key.stage.clone(),
                    cc(r.country),
                    r.producer.clone(),
                    r.year.to_string(),
                    num(r.quantity),
                    unit_of(&r.key),
                    r.bound.symbol().to_string(),
                    r.source.clone(),
                    r.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::OWNERSHIP,
        ds.ownership
            .iter()
            .map(|o| {
                vec![
                    o.key.commodity.clone(),
                    o.key.stage.clone(),
                    o.location.to_string(),
                    o.owner.to_string(),
                    o.year.to_string(),
                    num(o.share),
                    o.basis.clone(),
                    o.source.clone(),
                    o.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::RECIPES,
        ds.recipes
            .iter()
            .map(|r| {
                vec![
                    r.output.commodity.clone(),
                    r.output.stage.clone(),
                    r.input.commodity.clone(),
                    r.input.stage.clone(),
                    num(r.quantity),
                    r.source.clone(),
                    r.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::TRADE,
        ds.trade
            .iter()
            .map(|t| {
                vec![
                    t.key.commodity.clone(),
                    t.key.stage.clone(),
                    t.exporter.to_string(),
                    t.importer.to_string(),
                    t.year.to_string(),
                    num(t.quantity),
                    unit_of(&t.key),
                    opt_num(t.value_kusd),
                    t.source.clone(),
                    t.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::DEMAND,
        ds.demand
            .iter()
            .map(|d| {
                vec![
                    d.key.commodity.clone(),
                    d.key.stage.clone(),
                    d.country.to_string(),
                    d.sector.clone(),
                    d.year.to_string(),
                    num(d.quantity),
                    unit_of(&d.key),
                    d.source.clone(),
                    d.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::STOCKPILES,
        ds.stockpiles
            .iter()
            .map(|s| {
                vec![
                    s.key.commodity.clone(),
                    s.key.stage.clone(),
                    s.holder.to_string(),
                    s.year.to_string(),
                    num(s.quantity),
                    unit_of(&s.key),
                    s.release_rule.clone(),
                    s.source.clone(),
                    s.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::IMPORT_RELIANCE,
        ds.import_reliance
            .iter()
            .map(|r| {
                vec![
                    r.country.to_string(),
                    r.commodity.clone(),
                    r.item.clone(),
                    r.year.to_string(),
                    num(r.percent),
                    r.bound.symbol().to_string(),
                    r.source.clone(),
                    r.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::SALIENT,
        ds.salient
            .iter()
            .map(|s| {
                vec![
                    s.country.to_string(),
                    s.commodity.clone(),
                    s.item.clone(),
                    s.category.clone(),
                    s.year.to_string(),
                    num(s.value),
                    s.unit.clone(),
                    s.bound.symbol().to_string(),
                    s.source.clone(),
                    s.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    put(
        &schema::GOVERNANCE,
        ds.governance
            .iter()
            .map(|g| {
                vec![
                    g.country.to_string(),
                    g.indicator.clone(),
                    g.year.to_string(),
                    num(g.estimate),
                    opt_num(g.std_err),
                    g.source.clone(),
                    g.note.clone(),
                ]
            })
            .collect(),
        false,
    );
    out
}

/// The dataset's files as bytes, with the tables named in `compress` (e.g.
/// `trade.csv`) gzip-compressed as `NAME.gz`. The compression is
/// deterministic (no timestamp), so the same dataset gives the same bytes.
pub fn to_files(ds: &Dataset, compress: &[&str]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut out = BTreeMap::new();
    for (name, text) in to_texts(ds) {
        if compress.contains(&name.as_str()) {
            out.insert(format!("{name}.gz"), gzip(text.as_bytes()).map_err(|e| format!("{name}: gzip: {e}"))?);
        } else {
            out.insert(name, text.into_bytes());
        }
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    enc.finish()
}

/// Writes the dataset into directory `dir`, all or nothing: the files go to a
/// temporary sibling directory first, which is renamed into place only when
/// every file is written. `dir` must not exist, or be an empty directory.
pub fn write_dir(ds: &Dataset, dir: &Path) -> Result<(), String> {
    write_dir_with(ds, dir, &[])
}

/// As [`write_dir`], gzip-compressing the tables named in `compress`.
pub fn write_dir_with(ds: &Dataset, dir: &Path, compress: &[&str]) -> Result<(), String> {
    let files = to_files(ds, compress)?;
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(format!("{}: already exists and is not an empty directory; choose a new --out", dir.display()));
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "dataset".into());
    let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| -> Result<(), String> {
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: cannot create: {e}", tmp.display()))?;
        for (file, bytes) in &files {
            let p = tmp.join(file);
            std::fs::write(&p, bytes).map_err(|e| format!("{}: cannot write: {e}", p.display()))?;
        }
        if dir.exists() {
            std::fs::remove_dir(dir).map_err(|e| format!("{}: cannot replace: {e}", dir.display()))?;
        }
        std::fs::rename(&tmp, dir).map_err(|e| format!("{}: cannot move into place: {e}", dir.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
