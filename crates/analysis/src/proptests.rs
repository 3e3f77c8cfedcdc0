//! Property tests: invariants of the share conventions on random valid
//! datasets (1-12 producers, several facilities each, an optional
//! unattributed row, random ownership summing to at most 1).

use crate::fixture::Fx;
use crate::{concentration, group_share, By, Concentration};
use lodestone_model::{CommodityKey, Dataset};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const CODES: [&str; 12] = ["AU", "BR", "CA", "CD", "CN", "ID", "IN", "JP", "KR", "PH", "RU", "US"];

/// (location, year, owner weights, fraction owned from abroad).
type OwnershipCase = (usize, i32, Vec<(usize, f64)>, f64);

#[derive(Clone, Debug)]
struct Case {
    /// (country index, facility quantities), distinct countries.
    producers: Vec<(usize, Vec<f64>)>,
    other: Option<f64>,
    ownership: Vec<OwnershipCase>,
}

fn quantity() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(0.0), 8 => 0.001f64..1e6]
}

fn case() -> impl Strategy<Value = Case> {
    let producers = proptest::sample::subsequence((0..CODES.len()).collect::<Vec<_>>(), 1..=CODES.len())
        .prop_flat_map(|idx| {
            let n = idx.len();
            (Just(idx), prop::collection::vec(prop::collection::vec(quantity(), 1..=3), n))
        })
        .prop_map(|(idx, qs)| idx.into_iter().zip(qs).collect::<Vec<_>>());
    let ownership = prop::collection::vec(
        (0..CODES.len(), 2023..=2025i32, prop::collection::vec((0..CODES.len(), 0.01f64..1.0), 1..4), 0.0f64..=1.0),
        0..8,
    );
    (producers, prop::option::of(quantity()), ownership)
        .prop_map(|(producers, other, ownership)| Case { producers, other, ownership })
}

fn build(case: &Case) -> Dataset {
    let mut fx = Fx::new().group("all", &CODES).group("half", &CODES[..6]);
    for (i, facilities) in &case.producers {
        for (j, &q) in facilities.iter().enumerate() {
            fx = fx.prod("x/mining", CODES[*i], &format!("F{j}"), 2024, q);
        }
    }
    if let Some(q) = case.other {
        fx = fx.prod("x/mining", "ZZ", "Other countries", 2024, q);
    }
    let mut seen = BTreeSet::new();
    for (loc, year, weights, fraction) in &case.ownership {
        if !seen.insert((loc, year)) {
            continue;
        }
        let owners: BTreeMap<usize, f64> = weights.iter().copied().collect();
        let sum: f64 = owners.values().sum();
        for (owner, w) in owners {
            fx = fx.own("x/mining", CODES[*loc], CODES[owner], *year, fraction * w / sum);
        }
    }
    fx.build()
}

fn near(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// Invariants every concentration result must satisfy.
fn check_shape(c: &Concentration) -> Result<(), TestCaseError> {
    let shares: f64 = c.producers.iter().map(|p| p.share).sum();
    prop_assert!((shares + c.residual_share - 1.0).abs() <= 1e-9, "shares {shares} + residual {}", c.residual_share);
    prop_assert!(c.hhi <= 10_000.0 * (1.0 - c.residual_share).powi(2) * (1.0 + 1e-9) + 1e-9, "hhi {}", c.hhi);
    if c.residual_share == 0.0 {
        let n = c.n_producers as f64;
        prop_assert!(c.hhi >= 10_000.0 / n * (1.0 - 1e-9), "hhi {} < 10000/{n}", c.hhi);
        prop_assert!(c.hhi <= 10_000.0 * (1.0 + 1e-9));
    }
    for w in c.producers.windows(2) {
        prop_assert!(
            w[0].quantity > w[1].quantity || (w[0].quantity == w[1].quantity && w[0].country < w[1].country),
            "order {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    prop_assert!(c.producers.iter().all(|p| p.quantity > 0.0));
    prop_assert_eq!(c.n_producers, c.producers.len());
    prop_assert_eq!(c.top1.as_ref(), c.producers.first());
    let top3: f64 = c.producers.iter().take(3).map(|p| p.share).sum();
    prop_assert!((c.top3_share - top3).abs() <= 1e-12);
    prop_assert!(near(c.groups["all"], 1.0 - c.residual_share, 1e-9), "all {} vs {}", c.groups["all"], c.residual_share);
    Ok(())
}

proptest! {
    #[test]
    fn share_conventions_hold(case in case()) {
        let ds = build(&case);
        let key = CommodityKey::new("x", "mining");
        // The total, summed here straight from the generated rows.
        let expected_total: f64 =
            case.producers.iter().flat_map(|p| p.1.iter()).sum::<f64>() + case.other.unwrap_or(0.0);
        let loc = concentration(&ds, &key, None, By::Location);
        let own = concentration(&ds, &key, None, By::Owner);
        if expected_total == 0.0 {
            prop_assert!(loc.is_err() && own.is_err());
            return Ok(());
        }
        let (loc, own) = (loc.unwrap(), own.unwrap());
        prop_assert!(near(loc.total, expected_total, 1e-12), "{} vs {expected_total}", loc.total);
        check_shape(&loc)?;
        check_shape(&own)?;

        // Owner-based and location-based totals agree, quantity by quantity.
        let named = |c: &Concentration| c.producers.iter().map(|p| p.quantity).sum::<f64>();
        prop_assert!(near(own.total, loc.total, 1e-9));
        prop_assert!(near(named(&own), named(&loc), 1e-9), "{} vs {}", named(&own), named(&loc));
        prop_assert!(near(own.residual_share * own.total, loc.residual_share * loc.total, 1e-9));

        prop_assert!(near(group_share(&ds, &key, None, "all").unwrap(), 1.0 - loc.residual_share, 1e-9));
        prop_assert_eq!(group_share(&ds, &key, None, "half").unwrap(), loc.groups["half"]);
        // Without ownership rows, by owner is by location.
        if case.ownership.is_empty() {
            prop_assert_eq!(&own.producers, &loc.producers);
        }
    }
}
