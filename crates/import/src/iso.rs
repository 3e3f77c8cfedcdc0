//! Countries from ISO 3166-1 (Debian iso-codes 4.15.0), embedded.

use crate::sources::ISO_SOURCE;
use lodestone_model::{Country, CountryCode};

const ISO_JSON: &str = include_str!("../../../data/raw/iso-codes/iso_3166-1.json");

#[derive(serde::Deserialize)]
struct IsoFile {
    #[serde(rename = "3166-1")]
    entries: Vec<IsoEntry>,
}

#[derive(serde::Deserialize)]
struct IsoEntry {
    alpha_2: String,
    alpha_3: String,
    name: String,
    common_name: Option<String>,
}

/// Every ISO 3166-1 country, named by its common name where the file gives
/// one ("Bolivia" rather than "Bolivia, Plurinational State of"), citing
/// source `iso-3166-1`.
pub fn iso_countries() -> Vec<Country> {
    // The file is embedded and checked by the tests; an unreadable entry is
    // left out rather than allowed to panic.
    let parsed: IsoFile = match serde_json::from_str(ISO_JSON) {
        Ok(p) => p,
        Err(_) => return vec![],
    };
    parsed
        .entries
        .into_iter()
        .filter_map(|e| {
            let code = CountryCode::parse(&e.alpha_2)?;
            Some(Country {
                code,
                name: e.common_name.unwrap_or(e.name),
                iso3: e.alpha_3,
                source: ISO_SOURCE.to_string(),
            })
        })
        .collect()
}
