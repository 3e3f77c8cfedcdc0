//! `usgs_world` on the real MCS2025_World_Data.csv as published.
//!
//! Expected values are derived from the raw CSV independently of this
//! crate, with the python3 one-liners shown next to them (run in
//! data/raw/usgs-mcs-2025/world/). `R` below abbreviates
//! `r=list(csv.reader(open('MCS2025_World_Data.csv',encoding='utf-8-sig')))[1:]`
//! and `n(s)` is `' '.join(s.replace('\xa0',' ').split())`.

mod common;

use common::{cc, find, key, world_csv};
use lodestone_import::{usgs_world, Imported};
use lodestone_model::Bound;

fn world() -> Imported {
    usgs_world(&world_csv()).expect("the published file imports")
}

#[test]
fn rows_read_and_every_cell_accounted_for() {
    let w = world();
    // python3 -c "import csv; print(len(R))"  -> 1250
    assert_eq!(w.report.rows_read, 1250);
    // Five value columns per row; each cell is imported or skipped once.
    assert_eq!(w.report.cells_imported + w.report.skipped.len(), 5 * 1250);
}

#[test]
fn production_row_counts() {
    let w = world();
    let count = |k: &str| w.production.iter().filter(|r| r.key == key(k)).count();
    // Non-empty PROD_2023 / PROD_EST_ 2024 cells outside "World total" rows:
    // sum(1 for x in R if x[1].strip()=='Rare earths' and not n(x[2]).startswith('World total') for v in (x[5],x[6]) if v.strip())
    assert_eq!(count("rare_earths/mining"), 26);
    // ... x[1].strip()=='Nickel' ...
    assert_eq!(count("nickel/mining"), 20);
    // ... x[1].strip()=='Gallium' ...
    assert_eq!(count("gallium/refining"), 8);
    // ... x[1].strip()=='Copper' and x[3].strip()=='Refinery production, copper' ...
    assert_eq!(count("copper/refining"), 36);
    // ... x[1].strip()=='Cobalt' (both TYPE variants) ...
    assert_eq!(count("cobalt/mining"), 26);
    // Gallium capacity: same over CAP_2023 / CAP_EST_ 2024 (x[8], x[9]) -> 5
    assert_eq!(w.capacity.iter().filter(|r| r.key == key("gallium/refining")).count(), 5);
    // Germanium ("Gemanium") has no values at all, but is declared.
    assert_eq!(count("germanium/refining"), 0);
    assert!(w.commodities.iter().any(|c| c.key == key("germanium/refining")));
}

#[test]
fn values_and_estimates() {
    let w = world();
    // [ (x[5],x[6]) for x in R if x[1].strip()=='Rare earths' and n(x[2])=='China' ] -> ('255000','270000')
    let cn24 = find(&w.production, "rare_earths/mining", "CN", 2024);
    assert_eq!(cn24.quantity, 270000.0);
    assert!(cn24.estimated, "PROD_EST_ 2024 values are estimates");
    let cn23 = find(&w.production, "rare_earths/mining", "CN", 2023);
    assert_eq!(cn23.quantity, 255000.0);
    assert!(!cn23.estimated);
    assert!(cn23.note.contains("Production quota"), "{}", cn23.note);
    // Cobalt, Congo (Kinshasa): ('175000','220000'); TYPE says "estimated".
    let cd = find(&w.production, "cobalt/mining", "CD", 2024);
    assert_eq!(cd.quantity, 220000.0);
    assert!(find(&w.production, "cobalt/mining", "CD", 2023).estimated);
    // Aluminum, Canada 2023: PROD_NOTES "estimated 2023" -> estimated, note dropped.
    let ca = find(&w.production, "aluminum/refining", "CA", 2023);
    assert_eq!(ca.quantity, 3200.0);
    assert!(ca.estimated && ca.note.is_empty(), "{ca:?}");
    // Aluminum, United States 2023 (no note) -> not estimated.
    assert!(!find(&w.production, "aluminum/refining", "US", 2023).estimated);
    // Every row cites the world source.
    assert!(w.production.iter().all(|r| r.source == "usgs-mcs-2025-world"));
}

#[test]
fn country_names_map_to_iso_codes() {
    let w = world();
    // ('Rare earths','Burma') -> 43000 / 31000
    assert_eq!(find(&w.production, "rare_earths/mining", "MM", 2023).quantity, 43000.0);
    // ('Cobalt','Congo (Kinshasa)') -> 175000
    assert_eq!(find(&w.production, "cobalt/mining", "CD", 2023).quantity, 175000.0);
    // ('Rhenium','Korea, Republic of') -> 2800 / 3000
    assert_eq!(find(&w.production, "rhenium/mining", "KR", 2024).quantity, 3000.0);
    // ('Nickel','Russia ') with a trailing space -> 210000; reserves 8300000
    assert_eq!(find(&w.production, "nickel/mining", "RU", 2023).quantity, 210000.0);
    // ('Graphite','Korea, North') -> 8100
    assert_eq!(find(&w.production, "graphite/mining", "KP", 2023).quantity, 8100.0);
    // "Other Countries" -> ZZ with the label as producer.
    let other: Vec<_> = w
        .production
        .iter()
        .filter(|r| r.key == key("nickel/mining") && r.country.is_none() && r.year == 2023)
        .collect();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].producer, "Other Countries");
    assert_eq!(other[0].quantity, 340000.0);
    // Country totals have an empty producer; qualified labels keep the label in the note.
    let br = find(&w.production, "bentonite/mining", "BR", 2023);
    assert!(br.producer.is_empty());
    assert!(br.note.contains("Brazil (beneficiated)"), "{}", br.note);
    // "United\xa0States and Canada" (non-breaking space) -> ZZ under its own label.
    assert!(w.capacity.iter().any(|r| r.key == key("fused_aluminum_oxide/refining")
        && r.country.is_none()
        && r.producer == "United States and Canada"
        && r.quantity == 60000.0));
}

#[test]
fn skips_by_reason() {
    let w = world();
    let counts = w.report.skip_counts();
    // World total rows outside the not-imported TYPEs, five cells each:
    // skip=[('Potash','Reserves, recoverable ore'),('Soda ash','Production, Synthetic'),('Soda ash','Soda ash, total natural and synthetic')]
    // 5*sum(1 for x in R if n(x[2]).startswith('World total') and (x[1].strip(),x[3].strip()) not in skip)  -> 450
    assert_eq!(counts.get("aggregate: world total"), Some(&450));
    // 5*sum(1 for x in R if (x[1].strip(),x[3].strip()) in skip)  -> 80
    assert_eq!(counts.get("type not imported"), Some(&80));
    // Blank value cells whose notes column says W ("W for 23-24"), outside world totals and skipped TYPEs:
    // sum(1 for x in R if not n(x[2]).startswith('World total') and (x[1].strip(),x[3].strip()) not in skip
    //     for vi,ni in [(5,7),(6,7),(8,10),(9,10),(11,12)] if not x[vi].strip() and x[ni].strip().split(' ')[0]=='W')  -> 28
    assert_eq!(counts.get("withheld (W)"), Some(&28));
    // Every skip names a line, a column and a reason.
    for s in &w.report.skipped {
        assert!(s.line >= 2 && !s.column.is_empty() && !s.reason.is_empty(), "{s:?}");
    }
    // The report prints each reason with its count.
    let text = w.report.to_string();
    assert!(text.contains("aggregate: world total") && text.contains("rare_earths/mining: production 26"), "{text}");
}

#[test]
fn reserves_bounds_and_unit_notes() {
    let w = world();
    // Every `>` reserve in the file is on a World total row:
    // [(x[1].strip(),n(x[2]),x[11]) for x in R if x[11].startswith('>')]
    // -> 7 rows, all 'World total ...', e.g. ('Rare earths','World total (rounded)','>90000000').
    assert!(w.reserves.iter().all(|r| r.bound == Bound::Exact));
    let gt: Vec<_> =
        w.report.skipped.iter().filter(|s| s.column == "RESERVES_2024" && s.value.starts_with('>')).collect();
    assert_eq!(gt.len(), 7);
    assert!(gt.iter().any(|s| s.value == ">90000000" && s.reason == "aggregate: world total"));
    assert!(gt.iter().any(|s| s.value == ">17,000,000"));

    let res = |k: &str, c: &str| {
        let found: Vec<_> = w.reserves.iter().filter(|r| r.key == key(k) && r.country == cc(c)).collect();
        assert_eq!(found.len(), 1, "{k} {c}");
        found[0].clone()
    };
    // ('Rare earths','China') RESERVES_2024 '44000000'
    assert_eq!(res("rare_earths/mining", "CN").quantity, 44000000.0);
    // Molybdenum, United States: '3500' with "(Reserve data is thousand metric tons)" -> 3.5 million t.
    assert_eq!(res("molybdenum/mining", "US").quantity, 3_500_000.0);
    // Molybdenum, China: '5900' (no note on the row, same table) -> t.
    assert_eq!(res("molybdenum/mining", "CN").quantity, 5_900_000.0);
    // Iron ore (iron content), Australia: '27000' "Iron Content, million metric tons" -> kt.
    assert_eq!(res("iron_ore_iron_content/mining", "AU").quantity, 27_000_000.0);
    // Usable-ore reserves are crude ore: not imported, each with a reason.
    assert!(w.reserves.iter().all(|r| r.key != key("iron_ore/mining")));
    assert!(w.report.skipped.iter().any(|s| s.line == 537 && s.reason == "reserves not imported for this type"));
    // PGM reserves (on the palladium rows) and ZrO2-content zirconium reserves are skipped too.
    assert!(w.reserves.iter().all(|r| r.key != key("palladium/mining") && r.key != key("zirconium/mining")));
}

#[test]
fn corrected_units_and_summed_parts() {
    let w = world();
    // Titanium mineral concentrates: UNIT_MEAS "metric tons", values in kt.
    // ('Titanium Mineral Concentrates','China') -> 3250 / 3300
    let c = w.commodities.iter().find(|c| c.key == key("ilmenite/mining")).expect("declared");
    assert_eq!(c.unit.code, "kt");
    assert_eq!(find(&w.production, "ilmenite/mining", "CN", 2024).quantity, 3300.0);
    // Sierra Leone rutile, published with an empty UNIT_MEAS: 110 / 60
    assert_eq!(find(&w.production, "rutile/mining", "SL", 2023).quantity, 110.0);
    assert!(w.report.notes.iter().any(|n| n.starts_with("industrial_sand/mining")));
    // Helium, United States: "(extracted from natural gas)" 64 + "(from Cliffside Field)" 18.
    let he = find(&w.production, "helium/mining", "US", 2023);
    assert_eq!(he.quantity, 82.0);
    assert!(he.note.contains("line 469") && he.note.contains("line 470"), "{}", he.note);
    // Cement clinker capacity is published in the PROD_ columns.
    // ('Cement','Clinker capacity, estimated','China') -> 2000000 / 1900000
    let cl = find(&w.capacity, "cement_clinker/refining", "CN", 2024);
    assert_eq!(cl.quantity, 1_900_000.0);
    assert!(w.production.iter().all(|r| r.key != key("cement_clinker/refining")));
}

#[test]
fn required_commodity_stages_are_declared() {
    let w = world();
    for k in [
        "rare_earths/mining",
        "nickel/mining",
        "cobalt/mining",
        "lithium/mining",
        "graphite/mining",
        "gallium/refining",
        "germanium/refining",
        "copper/mining",
        "copper/refining",
    ] {
        assert!(w.commodities.iter().any(|c| c.key == key(k)), "{k}");
    }
    // And the source they cite.
    assert!(w.sources.iter().any(|s| s.id == "usgs-mcs-2025-world"));
}
