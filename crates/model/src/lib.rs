//! Lodestone's data model: identifiers, units, the dataset schema, and
//! loading, validating and writing datasets.
//!
//! This crate is what every other crate agrees on. It reads and writes
//! datasets (a directory of CSV tables plus `dataset.toml`) and does no other
//! I/O; it computes nothing about supply chains. A [`Dataset`] value is
//! always valid: the only ways to get one are [`load_dir`], [`load_texts`]
//! and [`Dataset::validate`], which run every check and report *all*
//! problems, each with file, line and column.

pub mod dataset;
mod fasthash;
pub mod ids;
pub mod load;
pub mod schema;
pub mod units;
pub mod write;

pub use dataset::*;
pub use ids::{is_snake_id, CommodityKey, CountryCode, UNATTRIBUTED};
pub use load::{load_dir, load_texts, load_with, Problem, Problems};
pub use units::{Dimension, Unit};
