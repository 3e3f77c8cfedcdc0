//! Builds the default dataset from data/raw and prints each importer's
//! report: `cargo run -p lodestone-import --example build_default [RAW_DIR] [--details] [--write=DIR]`.

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let details = args.iter().any(|a| a == "--details");
    let out = args.iter().find_map(|a| a.strip_prefix("--write=")).map(PathBuf::from);
    let raw = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/raw"));
    match lodestone_import::build_default(&raw) {
        Ok((ds, reports)) => {
            if let Some(dir) = &out {
                if let Err(e) = lodestone_model::write::write_dir(&ds, dir) {
                    eprintln!("error: cannot write {}: {e}", dir.display());
                    std::process::exit(1);
                }
            }
            for (name, r) in &reports {
                println!("== {name}\n{r}");
                if details {
                    print!("{}", r.details());
                }
            }
            println!(
                "dataset: {} sources, {} countries, {} group members, {} commodity-stages, {} production, {} capacity, {} reserves, {} ownership, {} import reliance, {} salient, {} production_other, {} trade, {} governance",
                ds.sources.len(),
                ds.countries.len(),
                ds.groups.len(),
                ds.commodities.len(),
                ds.production.len(),
                ds.capacity.len(),
                ds.reserves.len(),
                ds.ownership.len(),
                ds.import_reliance.len(),
                ds.salient.len(),
                ds.production_other.len(),
                ds.trade.len(),
                ds.governance.len()
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
