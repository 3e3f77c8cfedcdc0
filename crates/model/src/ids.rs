//! Identifiers: countries, commodities, stages, groups and sources.
//!
//! Each identifier validates on construction, so code that holds one never
//! needs to check it again.

use std::fmt;

/// An ISO 3166-1 alpha-2 country code (`JP`, `US`, `CD`). Two ASCII capitals.
///
/// Whether the code is *declared* by a dataset is a separate question that
/// the loader answers against `countries.csv`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

/// The code a dataset uses for quantities a source does not attribute to a
/// named country ("Other countries"): CLDR's "Unknown Region". It is never a
/// declared country.
pub const UNATTRIBUTED: &str = "ZZ";

impl CountryCode {
    /// Parses two ASCII capital letters; anything else is `None`.
    pub fn parse(s: &str) -> Option<CountryCode> {
        let b = s.as_bytes();
        if b.len() == 2 && b.iter().all(|c| c.is_ascii_uppercase()) {
            Some(CountryCode([b[0], b[1]]))
        } else {
            None
        }
    }

    /// A dense index (0..676) for bitmap sets.
    pub(crate) fn index(self) -> usize {
        (self.0[0] - b'A') as usize * 26 + (self.0[1] - b'A') as usize
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII capitals by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

impl serde::Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// True for a lower_snake_case identifier: starts with a lowercase letter,
/// then lowercase letters, digits and single underscores, no trailing `_`.
/// Used for commodity ids, stage names, group names and source ids.
pub fn is_snake_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 64 || !b[0].is_ascii_lowercase() || b[b.len() - 1] == b'_' {
        return false;
    }
    let mut prev_us = false;
    for &c in b {
        let us = c == b'_';
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || us) || (us && prev_us) {
            return false;
        }
        prev_us = us;
    }
    true
}

/// True for a source id: like [`is_snake_id`] but hyphens and dots are also
/// allowed, since source ids often follow publication names
/// (`usgs-mcs-2025-world`).
pub fn is_source_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 96
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.".contains(c))
}

/// A commodity at one stage of its supply chain: `nickel/mining`,
/// `gallium/refining`. The unit of analysis for concentration.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub struct CommodityKey {
    pub commodity: String,
    pub stage: String,
}

impl CommodityKey {
    pub fn new(commodity: impl Into<String>, stage: impl Into<String>) -> CommodityKey {
        CommodityKey { commodity: commodity.into(), stage: stage.into() }
    }

    /// Parses `commodity/stage`.
    pub fn parse(s: &str) -> Option<CommodityKey> {
        let (c, st) = s.split_once('/')?;
        (is_snake_id(c) && is_snake_id(st)).then(|| CommodityKey::new(c, st))
    }
}

impl fmt::Display for CommodityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.commodity, self.stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes() {
        assert_eq!(CountryCode::parse("JP").map(|c| c.to_string()), Some("JP".into()));
        for bad in ["jp", "JPN", "J", "", "J1", "Ü"] {
            assert!(CountryCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn snake_ids() {
        for ok in ["nickel", "rare_earths", "g7", "us_covered_nations"] {
            assert!(is_snake_id(ok), "{ok}");
        }
        for bad in ["", "Nickel", "rare-earths", "_x", "x_", "a__b", "7g", "a b"] {
            assert!(!is_snake_id(bad), "{bad}");
        }
    }

    #[test]
    fn commodity_keys() {
        assert_eq!(CommodityKey::parse("nickel/mining"), Some(CommodityKey::new("nickel", "mining")));
        assert_eq!(CommodityKey::parse("nickel"), None);
        assert_eq!(CommodityKey::parse("Nickel/mining"), None);
    }
}
