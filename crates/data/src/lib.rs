//! The default dataset, compiled into the binary.
//!
//! `data/default/` in the repository is built from the raw public files in
//! `data/raw/` by `scripts/build-default-dataset` (which calls
//! `lodestone dataset build-default`). This crate embeds those files as text
//! and loads them once, through the same loader and checks as any other
//! dataset. It holds no numbers of its own.

use lodestone_model::{load_texts, Dataset, Problems};
use std::collections::BTreeMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// The embedded files, by name.
pub fn default_texts() -> BTreeMap<String, String> {
    FILES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
}

/// The default dataset, loaded and validated on first use.
pub fn default_dataset() -> Result<&'static Dataset, &'static Problems> {
    static DS: OnceLock<Result<Dataset, Problems>> = OnceLock::new();
    DS.get_or_init(|| load_texts("<embedded default>", &default_texts())).as_ref()
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_default_dataset_is_valid() {
        let ds = match super::default_dataset() {
            Ok(ds) => ds,
            Err(p) => panic!("{p}"),
        };
        assert_eq!(ds.manifest.name, "lodestone-default");
        assert!(ds.production.len() > 1000, "{} production rows", ds.production.len());
    }
}
