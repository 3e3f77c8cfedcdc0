//! Units of quantity.
//!
//! A dataset declares one unit per commodity-stage; every row that carries a
//! quantity also names its unit, and the loader converts it to the
//! commodity's unit when the two share a dimension (kilograms to tonnes) and
//! rejects it when they do not (carats against tonnes). What is measured
//! (nickel content, REO equivalent, gross weight) is the commodity's `basis`,
//! not part of the unit.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Mass,
    /// Carats (gemstones, industrial diamond): a count of standard weights
    /// that sources never mix with tonnes, so kept apart.
    Carats,
    Volume,
}

/// One of the known units. `code` is what datasets write.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Unit {
    pub code: &'static str,
    pub name: &'static str,
    pub dimension: Dimension,
    /// Size of one of this unit in the dimension's base unit (t, ct, m3).
    pub scale: f64,
}

/// Every unit a dataset may name. Extend here; docs and validation follow.
pub const UNITS: &[Unit] = &[
    Unit { code: "kg", name: "kilograms", dimension: Dimension::Mass, scale: 1e-3 },
    Unit { code: "t", name: "metric tons", dimension: Dimension::Mass, scale: 1.0 },
    Unit { code: "kt", name: "thousand metric tons", dimension: Dimension::Mass, scale: 1e3 },
    Unit { code: "Mt", name: "million metric tons", dimension: Dimension::Mass, scale: 1e6 },
    Unit { code: "ct", name: "carats", dimension: Dimension::Carats, scale: 1.0 },
    Unit { code: "kct", name: "thousand carats", dimension: Dimension::Carats, scale: 1e3 },
    Unit { code: "Mct", name: "million carats", dimension: Dimension::Carats, scale: 1e6 },
    Unit { code: "m3", name: "cubic meters", dimension: Dimension::Volume, scale: 1.0 },
    Unit { code: "Mm3", name: "million cubic meters", dimension: Dimension::Volume, scale: 1e6 },
];

impl Unit {
    pub fn parse(code: &str) -> Option<Unit> {
        UNITS.iter().find(|u| u.code == code).copied()
    }

    /// The factor that turns a quantity in `self` into one in `to`, or `None`
    /// when the dimensions differ.
    pub fn factor_to(&self, to: &Unit) -> Option<f64> {
        (self.dimension == to.dimension).then(|| self.scale / to.scale)
    }

    /// The list of codes, for error messages.
    pub fn known_codes() -> String {
        UNITS.iter().map(|u| u.code).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let kg = Unit::parse("kg").unwrap();
        let kt = Unit::parse("kt").unwrap();
        let mct = Unit::parse("Mct").unwrap();
        assert_eq!(kg.factor_to(&kt), Some(1e-6));
        assert_eq!(kt.factor_to(&kg), Some(1e6));
        assert_eq!(kg.factor_to(&mct), None);
        assert!(Unit::parse("tonnes").is_none());
    }
}
