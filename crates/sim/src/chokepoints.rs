//! A small catalogue of maritime chokepoints, as data: for each, the region
//! pairings whose sea trade is assumed to pass through it.
//!
//! These are *assumptions*, not measurements, written down so they can be
//! read and overridden (a scenario's `route_closure` may list its own
//! `flows`, which replace the catalogue entry). They follow the usual
//! description of the routes in the U.S. EIA's "World Oil Transit
//! Chokepoints" (2017, updated 2023) and UNCTAD's *Review of Maritime
//! Transport*: ships between the Indian Ocean (and everything west of it:
//! the Gulf, Africa's east and south coasts, Europe via Suez or the Cape)
//! and East Asia take the Strait of Malacca unless they divert through the
//! Sunda or Lombok straits; Gulf exports leave through Hormuz. Simplifications
//! a reader should know:
//! - a country is in one region only, by its main ports (Russia's
//!   mineral exports are taken to leave from the west; Australia, Indonesia,
//!   the Philippines and the Americas are *not* routed through Malacca:
//!   Australian and Indonesian ore reaches China without it, and large bulk
//!   carriers from Brazil commonly use Lombok);
//! - flows run both ways across the pairing (west -> east and east -> west);
//! - a closure blocks the stated `share` of each listed flow (1.0 by default);
//!   the cost and delay of diverting around a closed strait are not modelled
//!   beyond that share.
//!
//! Countries that the dataset does not declare are skipped.

/// One chokepoint: a name, a description and region pairings (`from` x `to`
/// country lists; the reverse direction is included when `both_ways`).
#[derive(Clone, Debug)]
pub struct Chokepoint {
    pub name: &'static str,
    pub description: &'static str,
    pub pairings: &'static [(&'static [&'static str], &'static [&'static str])],
    pub both_ways: bool,
}

const MALACCA_WEST: &[&str] = &[
    // South Asia and the Gulf
    "IN", "LK", "PK", "BD", "AE", "SA", "OM", "QA", "KW", "BH", "IR", "IQ",
    // Africa (east and south coasts, and everything shipped via the Cape or Suez)
    "EG", "SD", "ER", "DJ", "KE", "TZ", "MZ", "MG", "ZA", "NA", "BW", "ZW", "ZM", "CD", "MW", "AO",
    "MA", "DZ", "TN", "NG", "GH", "GA", "GN", "SL", "CI", "CM",
    // Europe and Turkey
    "GB", "IE", "FR", "DE", "NL", "BE", "LU", "ES", "PT", "IT", "AT", "CH", "PL", "CZ", "SK", "HU", "SI",
    "HR", "RO", "BG", "GR", "DK", "SE", "NO", "FI", "EE", "LV", "LT", "TR", "RU", "UA",
];
const MALACCA_EAST: &[&str] = &["CN", "HK", "MO", "TW", "JP", "KR", "KP", "VN", "PH", "TH", "KH"];

const GULF: &[&str] = &["AE", "SA", "QA", "KW", "BH", "IR", "IQ"];
const NOT_GULF_ASIA_EUROPE: &[&str] = &[
    "CN", "HK", "TW", "JP", "KR", "IN", "PK", "SG", "TH", "VN", "PH", "ID", "MY",
    "GB", "FR", "DE", "NL", "BE", "ES", "IT", "PL", "TR", "US", "CA",
];

/// The catalogue.
pub const CHOKEPOINTS: &[Chokepoint] = &[
    Chokepoint {
        name: "malacca",
        description: "Strait of Malacca: Indian Ocean / Gulf / Africa / Europe <-> East Asia",
        pairings: &[(MALACCA_WEST, MALACCA_EAST)],
        both_ways: true,
    },
    Chokepoint {
        name: "hormuz",
        description: "Strait of Hormuz: exports from Gulf states to Asia, Europe and North America",
        pairings: &[(GULF, NOT_GULF_ASIA_EUROPE)],
        both_ways: false,
    },
];

pub fn chokepoint(name: &str) -> Option<&'static Chokepoint> {
    CHOKEPOINTS.iter().find(|c| c.name == name)
}
