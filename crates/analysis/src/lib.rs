//! Lodestone's analyses: pure functions over a validated
//! [`lodestone_model::Dataset`].
//!
//! What this crate is: the "Measure" step of the design, computed from the
//! rows a dataset holds. Every function takes a `&Dataset` (whose invariants
//! the model crate has already checked: references resolve, quantities are
//! finite, non-negative and in their commodity-stage's unit, ownership shares
//! per location sum to at most 1), does no I/O, is deterministic, and never
//! panics on a valid dataset; problems a caller can cause (an unknown
//! commodity-stage, a year without data) come back as [`AnalysisError`].
//! Every quantity in a result is in the commodity-stage's unit, which the
//! result names.
//!
//! What it is not: it does not load, store or print anything, and it holds
//! no numbers of its own (groups such as `us_covered_nations` are data).
//! Trade-based dependence, multi-tier origin tracing and criticality methods
//! will come later as sibling modules; each analysis family lives in its own
//! module:
//!
//! - [`exposure`]: concentration of output ([`concentration()`]: shares of
//!   world output by country, by location or by owner, HHI, top-1/top-3,
//!   residual), the share held by a named group of countries
//!   ([`group_share`]), and an [`overview`] of every commodity-stage.
//! - [`mod@reserves`]: reserve shares, HHI and reserves-to-production years.
//! - [`reliance`]: published net import reliance.

pub mod criticality;
pub mod crosscheck;
pub mod dependence;
mod error;
pub mod exposure;
pub mod origin;
mod origin_iter;
pub mod reliance;
pub mod reserves;
mod shares;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod proptests;

pub use crosscheck::{crosscheck, crosscheck_summary, Disagreement, KeySummary};
pub use dependence::{apparent_consumption, exports, import_reliance_table, imports, DependenceError, ImportProfile};
pub use error::AnalysisError;
pub use exposure::{concentration, group_share, overview, By, Concentration, ProducerShare};
pub use reliance::{import_reliance, latest_import_reliance, RelianceRow};
pub use reserves::{reserves, ReserveShare, ReserveSummary};
