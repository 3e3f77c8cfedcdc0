//! The report's numbers against independent derivations: concentration
//! recomputed here from the dataset's production rows, published USGS
//! figures, chart geometry from the values, and the HTML's self-containment.

use lodestone_model::{CommodityKey, Dataset};
use lodestone_report::{build, content::CommodityPart, Options};
use serde_json::json;
use std::collections::BTreeMap;

fn ds() -> &'static Dataset {
    lodestone_data::default_dataset().unwrap_or_else(|p| panic!("default dataset: {p}"))
}

fn opts(commodities: &[&str]) -> Options {
    Options {
        title: "Test report".into(),
        commodities: commodities.iter().map(|s| s.to_string()).collect(),
        year: None,
        top: 8,
        generator: "lodestone test".into(),
    }
}

fn part<'a>(r: &'a lodestone_report::Report, key: &str) -> &'a CommodityPart {
    r.commodities.iter().find(|c| format!("{}/{}", c.commodity, c.stage) == key).unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn nickel_concentration_matches_a_recomputation_from_the_rows() {
    let ds = ds();
    let r = build(ds, &opts(&["nickel"]), None, None).unwrap();
    let c = part(&r, "nickel/mining");
    // Recompute from the rows: total of every row, named countries summed,
    // HHI over named countries on the 0-10,000 scale.
    let key = CommodityKey::new("nickel", "mining");
    let rows: Vec<_> = ds.production.iter().filter(|x| x.key == key && x.year == c.year).collect();
    let total: f64 = rows.iter().map(|x| x.quantity).sum();
    let mut named: BTreeMap<String, f64> = BTreeMap::new();
    for x in &rows {
        if let Some(cc) = x.country {
            *named.entry(cc.to_string()).or_default() += x.quantity;
        }
    }
    let hhi: f64 = named.values().map(|q| (100.0 * q / total).powi(2)).sum();
    assert!((c.total - total).abs() < 1e-6, "{} vs {total}", c.total);
    assert!((c.hhi - hhi).abs() < 1e-9, "{} vs {hhi}", c.hhi);
    let mut sorted: Vec<(&String, &f64)> = named.iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<&str> = c.producers.iter().map(|p| p.country.as_str()).collect();
    let expect: Vec<&str> = sorted.iter().take(8).map(|(k, _)| k.as_str()).collect();
    assert_eq!(shown, expect);
    let beyond: f64 = sorted.iter().skip(8).map(|(_, q)| **q).sum::<f64>() / total;
    assert!((c.other_named_share - beyond).abs() < 1e-12, "{} vs {beyond}", c.other_named_share);
    // Published: USGS MCS 2025, nickel, mine production 2024e: Indonesia
    // 2,200,000 t, Philippines 330,000 t.
    assert_eq!(c.year, 2024);
    assert_eq!(c.producers[0].country, "ID");
    assert_eq!(c.producers[0].quantity, 2_200_000.0);
    assert_eq!(c.producers[1].country, "PH");
    assert_eq!(c.producers[1].quantity, 330_000.0);
    // Reserves (MCS 2025): Indonesia 55,000,000 t, the largest.
    let res = c.reserves.as_ref().expect("nickel reserves");
    assert_eq!(res.countries[0].country, "ID");
    assert_eq!(res.countries[0].quantity, 55_000_000.0);
}

#[test]
fn every_row_behind_a_number_has_its_source_listed() {
    let ds = ds();
    let r = build(ds, &opts(&["nickel", "rare_earths"]), None, None).unwrap();
    let listed: Vec<&str> = r.sources.iter().map(|s| s.id.as_str()).collect();
    for c in &r.commodities {
        let key = CommodityKey::new(&c.commodity, &c.stage);
        for x in ds.production.iter().filter(|x| x.key == key && x.year == c.year) {
            assert!(listed.contains(&x.source.as_str()), "{} not listed", x.source);
            assert!(c.sources.contains(&x.source), "{} not cited by {key}", x.source);
        }
    }
    for s in &r.sources {
        assert!(ds.source(&s.id).is_some());
    }
}

#[test]
fn unknown_commodity_is_an_error_naming_the_choices() {
    let e = build(ds(), &opts(&["unobtainium"]), None, None).unwrap_err();
    assert!(e.contains("unknown commodity `unobtainium`") && e.contains("nickel"), "{e}");
}

/// Values of `attr` on elements of `class` inside the SVG with `id`.
fn chart_attr(html: &str, id: &str, class: &str, attr: &str) -> Vec<String> {
    let start = html.find(&format!("<svg class=\"chart\" id=\"{id}\"")).unwrap_or_else(|| panic!("no chart {id}"));
    let end = start + html[start..].find("</svg>").unwrap();
    let svg = &html[start..end];
    let mut out = vec![];
    for piece in svg.split(&format!("class=\"{class}\"")).skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        let k = tag.find(&format!(" {attr}=\"")).unwrap_or_else(|| panic!("no {attr} in {tag}")) + attr.len() + 3;
        out.push(tag[k..k + tag[k..].find('"').unwrap()].to_string());
    }
    out
}

#[test]
fn html_is_self_contained_and_charts_match_their_tables() {
    let ds = ds();
    let r = build(ds, &opts(&["nickel"]), None, None).unwrap();
    let html = lodestone_report::html(&r);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in ["<script", " src=", "<link", "url(", "@import", "<img", "<iframe"] {
        assert!(!html.contains(banned), "the report loads something: {banned}");
    }
    // The producers chart: one bar per shown producer, then the other named
    // countries and the unattributed rest; each bar's width is its value
    // over the largest value times the 430 px plot width.
    let c = part(&r, "nickel/mining");
    let values: Vec<f64> = chart_attr(&html, "chart-prod-nickel-mining", "bar", "data-value").iter().map(|v| v.parse().unwrap()).collect();
    let widths: Vec<f64> = chart_attr(&html, "chart-prod-nickel-mining", "bar", "width").iter().map(|v| v.parse().unwrap()).collect();
    let mut expect: Vec<f64> = c.producers.iter().map(|p| p.quantity).collect();
    expect.push(c.other_named_share * c.total);
    expect.push(c.residual_share * c.total);
    assert_eq!(values.len(), expect.len());
    for (v, e) in values.iter().zip(&expect) {
        assert!((v - e).abs() <= 1e-6 * e.max(1.0), "{v} vs {e}");
    }
    let max = expect.iter().cloned().fold(0.0, f64::max);
    for (w, e) in widths.iter().zip(&expect) {
        assert!((w - e / max * 430.0).abs() < 0.01, "width {w} for {e}");
    }
    // The HHI chart's bars carry the same numbers as the HHI column.
    let hhi: Vec<f64> = chart_attr(&html, "chart-hhi", "bar", "data-value").iter().map(|v| v.parse().unwrap()).collect();
    let want: Vec<f64> = r.commodities.iter().map(|c| c.hhi).collect();
    assert_eq!(hhi, want);
    // Markdown shows the same producer rows (USGS: Indonesia 2,200,000 t, 60.2%).
    let md = lodestone_report::markdown(&r);
    assert!(md.contains("| ID | Indonesia | 2,200,000 | 60.2% |"), "{md}");
}

/// A single-run result in the documented shape (docs/cli-json.md), written
/// by hand: two nodes short, one not.
fn single_fixture() -> serde_json::Value {
    json!({
        "scenario": { "name": "ban", "description": "a ban", "file": "ban.toml", "period": "month" },
        "mode": "single", "periods": 3, "partial": false,
        "network": { "notes": ["assumed headroom"], "years": {} },
        "summary": {
            "total_shortfall": { "x/refining": 7.0 },
            "commodities": { "x/refining": { "unit": "t", "total_shortfall": 7.0, "total_demand": 30.0, "shortfall_share": 7.0 / 30.0, "countries_short": 2 } },
            "countries_short": 2,
            "first_to_fail": [
                { "rank": 1, "country": "JP", "commodity": "x/refining", "unit": "t", "time_to_survive": 1, "recovery_time": null, "cumulative_shortfall": 5.0, "cumulative_demand": 15.0, "shortfall_share": 1.0/3.0, "peak_shortfall": 3.0, "peak_period": 2, "initial_stock": 2.0, "stock_out_period": 1 },
                { "rank": 2, "country": "US", "commodity": "x/refining", "unit": "t", "time_to_survive": 2, "recovery_time": null, "cumulative_shortfall": 2.0, "cumulative_demand": 15.0, "shortfall_share": 2.0/15.0, "peak_shortfall": 2.0, "peak_period": 2, "initial_stock": 0.0, "stock_out_period": null }
            ]
        },
        "series": {
            "JP": { "x/refining": { "shortfall": [0.0, 2.0, 3.0], "stock": [2.0, 0.0, 0.0] } },
            "US": { "x/refining": { "shortfall": [0.0, 0.0, 2.0], "stock": [0.0, 0.0, 0.0] } }
        }
    })
}

#[test]
fn a_single_stress_run_is_read_from_its_documented_json() {
    let ds = ds();
    let v = single_fixture();
    let r = build(ds, &opts(&["nickel"]), Some(&v), None).unwrap();
    let s = r.stress.as_ref().unwrap();
    assert_eq!((s.scenario.as_str(), s.mode.as_str(), s.periods), ("ban", "single", 3));
    assert_eq!(s.notes, vec!["assumed headroom".to_string()]);
    let x = s.single.as_ref().unwrap();
    assert_eq!(x.first_to_fail.iter().map(|n| n.country.as_str()).collect::<Vec<_>>(), ["JP", "US"]);
    assert_eq!(x.first_to_fail[0].shortfall, [0.0, 2.0, 3.0]);
    assert_eq!(x.first_to_fail[0].stock, [2.0, 0.0, 0.0]);
    assert_eq!(x.first_to_fail[1].time_to_survive, Some(2.0));
    let html = lodestone_report::html(&r);
    // Both nodes are on one commodity-stage: lines are named by country.
    let names = chart_attr(&html, "chart-stress-shortfall", "series", "data-name");
    assert_eq!(names, ["JP", "US"]);
    assert_eq!(chart_attr(&html, "chart-stress-shortfall", "series", "data-values"), ["0.0,2.0,3.0", "0.0,0.0,2.0"]);
    // Only JP holds stock.
    assert_eq!(chart_attr(&html, "chart-stress-stock", "series", "data-name"), ["JP"]);
}

#[test]
fn monte_carlo_cells_are_ranked_by_cvar_and_bad_results_are_refused() {
    let ds = ds();
    let st = |m: f64, c: f64| json!({ "mean": m, "p50": 0.0, "p95": c / 2.0, "p99": c, "cvar95": c, "max": c, "p_any": 0.1 });
    let v = json!({
        "scenario": { "name": "mc", "description": "", "file": "mc.toml", "period": "month" },
        "mode": "monte_carlo", "periods": 12, "runs": 100, "runs_requested": 100, "seed": 7, "partial": false,
        "network": { "notes": [], "years": {} },
        "world": { "x/refining": st(3.0, 30.0) },
        "distribution": { "JP": { "x/refining": st(1.0, 10.0) }, "US": { "x/refining": st(2.0, 20.0) }, "DE": { "x/refining": st(0.0, 0.0) } }
    });
    let r = build(ds, &opts(&["nickel"]), Some(&v), None).unwrap();
    let m = r.stress.as_ref().unwrap().monte_carlo.as_ref().unwrap();
    // DE never runs short and is left out; US (20) before JP (10).
    assert_eq!(m.nodes.iter().map(|n| n.country.as_str()).collect::<Vec<_>>(), ["US", "JP"]);
    assert_eq!((m.runs, m.seed), (100, 7));
    let html = lodestone_report::html(&r);
    assert_eq!(chart_attr(&html, "chart-mc-cvar", "bar", "data-value"), ["20.0", "10.0"]);
    assert_eq!(chart_attr(&html, "chart-mc-cvar", "mark", "data-value"), ["10.0", "5.0"]);
    let mut bad = v.clone();
    bad["mode"] = json!("other");
    assert!(build(ds, &opts(&["nickel"]), Some(&bad), None).unwrap_err().contains("mode `other`"));
    let mut bad = v;
    bad.as_object_mut().unwrap().remove("seed");
    assert!(build(ds, &opts(&["nickel"]), Some(&bad), None).unwrap_err().contains("no `seed`"));
}

/// A dataset whose tables each cite their own source: production (sp),
/// trade (st), capacity (sc), stockpiles (ss) and recipes (sr), on ore
/// (mining) refined into metal (refining).
fn sourced_dataset() -> Dataset {
    let mut f: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        f.insert(k.to_string(), v.to_string());
    };
    put("dataset.toml", "name = \"t\"\ntitle = \"t\"\nstages = [\"mining\", \"refining\"]\n");
    put("sources.csv", "id,title,publisher,year,url,license,note\nsp,P,tests,,,,\nst,T,tests,,,,\nsc,C,tests,,,,\nss,S,tests,,,,\nsr,R,tests,,,,\nsx,X,tests,,,,\n");
    put("countries.csv", "code,name,iso3,source\nAU,Australia,,sx\nJP,Japan,,sx\n");
    put("commodities.csv", "commodity,stage,name,unit,basis,hs_codes,material,source,note\nore,mining,Ore,t,,,,sx,\nmetal,refining,Metal,t,,,,sx,\n");
    put("production.csv", "commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nore,mining,AU,,2024,100,t,,sp,\nmetal,refining,JP,,2024,10,t,,sp,\n");
    put("capacity.csv", "commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nore,mining,AU,,2024,120,t,,sc,\n");
    put("trade.csv", "commodity,stage,exporter,importer,year,quantity,unit,value_kusd,source,note\nore,mining,AU,JP,2024,40,t,,st,\n");
    put("stockpiles.csv", "commodity,stage,holder,year,quantity,unit,release_rule,source,note\nmetal,refining,JP,2024,5,t,,ss,\n");
    put("recipes.csv", "commodity,stage,input_commodity,input_stage,quantity,source,note\nmetal,refining,ore,mining,2,sr,\n");
    lodestone_model::load_texts("t", &f).unwrap_or_else(|p| panic!("{p}"))
}

/// The stress network is built from production, trade and capacity rows
/// of the years it reports, the dataset's stockpiles of its
/// commodity-stages and the recipes linking them (lodestone_sim::Network):
/// every one of those sources is listed, not only production and trade.
#[test]
fn a_stress_run_cites_every_table_its_network_reads() {
    let ds = sourced_dataset();
    let mut v = single_fixture();
    v["network"]["years"] = json!({ "ore/mining": { "production": 2024, "trade": 2024 }, "metal/refining": { "production": 2024, "trade": null } });
    let r = build(&ds, &opts(&["metal"]), Some(&v), None).unwrap();
    let listed: Vec<&str> = r.sources.iter().map(|s| s.id.as_str()).collect();
    for id in ["sp", "st", "sc", "ss", "sr"] {
        assert!(listed.contains(&id), "source {id} not listed: {listed:?}");
    }
    // Without the stress run only the metal's production is behind a number.
    let r = build(&ds, &opts(&["metal"]), None, None).unwrap();
    assert_eq!(r.sources.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["sp"]);
}
