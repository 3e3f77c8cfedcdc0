//! The publications the importers cite, as `sources.csv` rows.

use lodestone_model::Source;

pub const ISO_SOURCE: &str = "iso-3166-1";
pub const WORLD_SOURCE: &str = "usgs-mcs-2025-world";
pub const SALIENT_SOURCE: &str = "usgs-mcs-2025-salient";
pub const NIR_SOURCE: &str = "usgs-mcs-2025-nir";

const USGS_CITATION: &str = "U.S. Geological Survey, 2025, Mineral Commodity Summaries 2025 Data Release: U.S. Geological Survey data release, https://doi.org/10.5066/P13XCP3R (publication: https://doi.org/10.3133/mcs2025).";

fn usgs(id: &str, title: &str, what: &str) -> Source {
    Source {
        id: id.to_string(),
        title: title.to_string(),
        publisher: "U.S. Geological Survey".to_string(),
        year: Some(2025),
        url: "https://doi.org/10.5066/P13XCP3R".to_string(),
        license: "public domain (work of the U.S. Government)".to_string(),
        note: format!("{USGS_CITATION} {what}"),
    }
}

/// ISO 3166-1 as distributed in Debian iso-codes 4.15.0.
pub fn iso_source() -> Source {
    Source {
        id: ISO_SOURCE.to_string(),
        title: "ISO 3166-1 country codes, as distributed in Debian iso-codes 4.15.0 (data/iso_3166-1.json)".to_string(),
        publisher: "Debian iso-codes project (codes maintained by the ISO 3166 Maintenance Agency)".to_string(),
        year: None,
        url: "https://salsa.debian.org/iso-codes-team/iso-codes".to_string(),
        license: "LGPL-2.1-or-later".to_string(),
        note: "Country names are the file's common_name where it gives one (Bolivia, Taiwan), otherwise its name."
            .to_string(),
    }
}

/// USGS MCS 2025 world production, capacity and reserves.
pub fn usgs_world_source() -> Source {
    usgs(
        WORLD_SOURCE,
        "Mineral Commodity Summaries 2025 Data Release: world production, capacity and reserves (MCS2025_World_Data.csv)",
        "File MCS2025_World_Data.csv; 2024 values are USGS estimates.",
    )
}

/// USGS MCS 2025 U.S. salient statistics.
pub fn usgs_salient_source() -> Source {
    usgs(
        SALIENT_SOURCE,
        "Mineral Commodity Summaries 2025 Data Release: U.S. salient statistics (mcs2025-*_salient.csv)",
        "One file per commodity, data years 2020-2024; 2024 values are USGS estimates.",
    )
}

/// USGS MCS 2025 figure 2, U.S. net import reliance.
pub fn usgs_nir_source() -> Source {
    usgs(
        NIR_SOURCE,
        "Mineral Commodity Summaries 2025 Data Release: figure 2, U.S. net import reliance 2024 (MCS2025_Fig2_Net_Import_Reliance.csv)",
        "Net import reliance as a percentage of apparent consumption, 2024, with major import sources 2020-2023.",
    )
}

/// The built-in sources by id (curated sources come from the mapping files).
pub(crate) fn builtin(id: &str) -> Option<Source> {
    match id {
        ISO_SOURCE => Some(iso_source()),
        WORLD_SOURCE => Some(usgs_world_source()),
        SALIENT_SOURCE => Some(usgs_salient_source()),
        NIR_SOURCE => Some(usgs_nir_source()),
        _ => None,
    }
}
