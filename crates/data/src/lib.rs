//! The default dataset, compiled into the binary.
//!
//! `data/default/` in the repository is built from the raw public files in
//! `data/raw/` by `scripts/build-default-dataset` (which calls
//! `lodestone dataset build-default`). This crate embeds those files as text
//! (large tables gzip-compressed, as they are stored) and loads them once,
//! through the same loader and checks as any other dataset. It holds no
//! numbers of its own.

use lodestone_model::{load_with, Dataset, Problems};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// The embedded files' names and sizes in bytes (as stored).
pub fn embedded_files() -> Vec<(&'static str, usize)> {
    FILES.iter().map(|(n, b)| (*n, b.len())).collect()
}

/// The default dataset, loaded and validated on first use.
pub fn default_dataset() -> Result<&'static Dataset, &'static Problems> {
    static DS: OnceLock<Result<Dataset, Problems>> = OnceLock::new();
    DS.get_or_init(|| {
        load_with("<embedded default>", |name| {
            Ok(FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| b.to_vec()))
        })
    })
    .as_ref()
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
