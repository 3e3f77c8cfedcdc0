//! Lodestone's stress simulation: scenario files, a discrete-time
//! multi-tier supply-network engine, and Monte Carlo over a catalogue of
//! disruptions.
//!
//! What it is:
//! - [`scenario`]: parses and validates scenario TOML *text* (the caller
//!   reads the file and passes its name for messages) against a
//!   [`lodestone_model::Dataset`]; every error names the key, its line and
//!   column, and what was expected.
//! - [`network`]: builds country x commodity-stage nodes and trade edges
//!   from a dataset and a base year, as flat arrays.
//! - [`engine`]: runs one scenario period by period (capacity -> production
//!   through recipes -> allocation -> stock draws -> rerouting -> shortfall)
//!   and reports supply, demand, stock and shortfall per node and period,
//!   time to survive, recovery time and who fails first.
//! - [`montecarlo`]: many runs drawn from the catalogue, in parallel, with
//!   streaming aggregation (mean, p50/p95/p99, CVaR95, probability of
//!   shortfall per country and commodity).
//! - [`tts`]: time to survive in the sense of Simchi-Levi et al. (2015):
//!   for each producer node removed, the linear program (solved with
//!   HiGHS through `lodestone-lp`) for the longest time the rest of the
//!   network, with its stocks and spare capacity, meets all demand; nodes
//!   whose TTS is below their time to recover are the hot spots.
//!
//! What it is not: it does no I/O (no files, no printing), keeps no global
//! state and uses no clock or OS randomness. It is pure and seeded: the same
//! inputs and seed give bit-for-bit the same results, whatever the number of
//! threads (each Monte Carlo run's random stream comes from the seed and the
//! run index; results are reduced in run order). Long work reports progress
//! through a `&dyn Fn(done, total)` callback and stops when an `AtomicBool`
//! is set, returning partial results marked as such.

pub mod chokepoints;
pub mod engine;
pub mod montecarlo;
pub mod network;
pub mod rng;
pub mod scenario;
pub mod sketch;
pub mod tts;

pub use engine::{compile, simulate, Compiled, NodeSummary, Record, Series, SimResult};
pub use montecarlo::{monte_carlo, McError, McResult, ShortfallStats};
pub use network::{Network, Node};
pub use scenario::{parse_scenario, Scenario, ScenarioError, ScenarioErrors};
pub use tts::{time_to_survive, NodeTts, TtrRule, TtsError, TtsOptions, TtsResult, TtsRow};

use lodestone_model::{CountryCode, Dataset};

/// Group membership from a dataset, in the form the engine takes.
pub fn dataset_groups(ds: &Dataset) -> impl Fn(&str) -> Vec<CountryCode> + Sync + '_ {
    move |g: &str| ds.group(g).into_iter().collect()
}
