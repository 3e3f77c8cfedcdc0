//! Shared helpers for the integration tests.
#![allow(dead_code)]

use lodestone_model::{CommodityKey, CountryCode, Output};
use std::path::PathBuf;

/// The repository's `data/raw`.
pub fn raw() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/raw")
}

pub fn world_csv() -> PathBuf {
    raw().join("usgs-mcs-2025/world/MCS2025_World_Data.csv")
}

pub fn key(s: &str) -> CommodityKey {
    CommodityKey::parse(s).expect("test key")
}

pub fn cc(s: &str) -> Option<CountryCode> {
    Some(CountryCode::parse(s).expect("test country"))
}

/// The one row of `rows` for a key, country and year.
pub fn find<'a>(rows: &'a [Output], k: &str, country: &str, year: i32) -> &'a Output {
    let k = key(k);
    let c = cc(country);
    let found: Vec<&Output> = rows.iter().filter(|r| r.key == k && r.country == c && r.year == year).collect();
    assert_eq!(found.len(), 1, "{k} {country} {year}: {found:?}");
    found[0]
}
