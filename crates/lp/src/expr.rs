//! Linear expressions: `sum(coef * var) + constant`, for readable model code.
//!
//! An `Expr` is a list of terms, not a map: `+` appends, and repeated
//! variables are summed when the model stores the row (or by `simplify`).
//! That keeps building O(terms) with no hashing. Hot loops that already have
//! `(Var, f64)` slices should call `Model::add_row` directly.

use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::model::Var;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expr {
    terms: Vec<(Var, f64)>,
    constant: f64,
}

impl Expr {
    pub fn new() -> Expr {
        Expr::default()
    }

    pub fn with_capacity(n: usize) -> Expr {
        Expr {
            terms: Vec::with_capacity(n),
            constant: 0.0,
        }
    }

    /// Sum of `coef * var` over an iterator of terms.
    pub fn from_terms(terms: impl IntoIterator<Item = (Var, f64)>) -> Expr {
        Expr {
            terms: terms.into_iter().collect(),
            constant: 0.0,
        }
    }

    pub fn terms(&self) -> &[(Var, f64)] {
        &self.terms
    }

    pub fn constant(&self) -> f64 {
        self.constant
    }

    /// Add `coef * var` in place (the cheapest way to grow an expression).
    pub fn add_term(&mut self, var: Var, coef: f64) -> &mut Expr {
        self.terms.push((var, coef));
        self
    }

    pub fn add_constant(&mut self, c: f64) -> &mut Expr {
        self.constant += c;
        self
    }

    /// Sort terms by variable, sum repeats and drop zeros.
    pub fn simplify(&mut self) {
        self.terms.sort_by_key(|t| t.0);
        let mut out: Vec<(Var, f64)> = Vec::with_capacity(self.terms.len());
        for &(v, c) in &self.terms {
            match out.last_mut() {
                Some(last) if last.0 == v => last.1 += c,
                _ => out.push((v, c)),
            }
        }
        out.retain(|t| t.1 != 0.0);
        self.terms = out;
    }

    /// The coefficient of `var` (repeats summed).
    pub fn coefficient(&self, var: Var) -> f64 {
        self.terms.iter().filter(|t| t.0 == var).map(|t| t.1).sum()
    }

    /// Evaluate at `values` (indexed by `Var::index`).
    pub fn eval(&self, values: &[f64]) -> f64 {
        self.constant
            + self
                .terms
                .iter()
                .map(|&(v, c)| c * values[v.index()])
                .sum::<f64>()
    }
}

impl From<Var> for Expr {
    fn from(v: Var) -> Expr {
        Expr {
            terms: vec![(v, 1.0)],
            constant: 0.0,
        }
    }
}

impl From<f64> for Expr {
    fn from(c: f64) -> Expr {
        Expr {
            terms: Vec::new(),
            constant: c,
        }
    }
}

impl From<&Expr> for Expr {
    fn from(e: &Expr) -> Expr {
        e.clone()
    }
}

// ----- in-place operators (everything else is built on these) -------------

impl AddAssign<Expr> for Expr {
    fn add_assign(&mut self, rhs: Expr) {
        self.terms.extend(rhs.terms);
        self.constant += rhs.constant;
    }
}
impl AddAssign<&Expr> for Expr {
    fn add_assign(&mut self, rhs: &Expr) {
        self.terms.extend_from_slice(&rhs.terms);
        self.constant += rhs.constant;
    }
}
impl AddAssign<Var> for Expr {
    fn add_assign(&mut self, rhs: Var) {
        self.terms.push((rhs, 1.0));
    }
}
impl AddAssign<f64> for Expr {
    fn add_assign(&mut self, rhs: f64) {
        self.constant += rhs;
    }
}
impl SubAssign<Expr> for Expr {
    fn sub_assign(&mut self, rhs: Expr) {
        self.terms
            .extend(rhs.terms.into_iter().map(|(v, c)| (v, -c)));
        self.constant -= rhs.constant;
    }
}
impl SubAssign<&Expr> for Expr {
    fn sub_assign(&mut self, rhs: &Expr) {
        self.terms.extend(rhs.terms.iter().map(|&(v, c)| (v, -c)));
        self.constant -= rhs.constant;
    }
}
impl SubAssign<Var> for Expr {
    fn sub_assign(&mut self, rhs: Var) {
        self.terms.push((rhs, -1.0));
    }
}
impl SubAssign<f64> for Expr {
    fn sub_assign(&mut self, rhs: f64) {
        self.constant -= rhs;
    }
}
impl MulAssign<f64> for Expr {
    fn mul_assign(&mut self, k: f64) {
        self.terms.iter_mut().for_each(|t| t.1 *= k);
        self.constant *= k;
    }
}

impl Neg for Expr {
    type Output = Expr;
    fn neg(mut self) -> Expr {
        self *= -1.0;
        self
    }
}
impl Neg for Var {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr {
            terms: vec![(self, -1.0)],
            constant: 0.0,
        }
    }
}

// ----- binary operators ----------------------------------------------------

macro_rules! binop {
    ($lhs:ty, $rhs:ty) => {
        impl Add<$rhs> for $lhs {
            type Output = Expr;
            fn add(self, rhs: $rhs) -> Expr {
                let mut e = Expr::from(self);
                e += rhs;
                e
            }
        }
        impl Sub<$rhs> for $lhs {
            type Output = Expr;
            fn sub(self, rhs: $rhs) -> Expr {
                let mut e = Expr::from(self);
                e -= rhs;
                e
            }
        }
    };
}
binop!(Expr, Expr);
binop!(Expr, &Expr);
binop!(Expr, Var);
binop!(Expr, f64);
binop!(Var, Expr);
binop!(Var, &Expr);
binop!(Var, Var);
binop!(Var, f64);

impl Add<Expr> for f64 {
    type Output = Expr;
    fn add(self, rhs: Expr) -> Expr {
        rhs + self
    }
}
impl Add<Var> for f64 {
    type Output = Expr;
    fn add(self, rhs: Var) -> Expr {
        rhs + self
    }
}
impl Sub<Expr> for f64 {
    type Output = Expr;
    fn sub(self, rhs: Expr) -> Expr {
        -rhs + self
    }
}
impl Sub<Var> for f64 {
    type Output = Expr;
    fn sub(self, rhs: Var) -> Expr {
        -rhs + self
    }
}

impl Mul<f64> for Expr {
    type Output = Expr;
    fn mul(mut self, k: f64) -> Expr {
        self *= k;
        self
    }
}
impl Mul<Expr> for f64 {
    type Output = Expr;
    fn mul(self, e: Expr) -> Expr {
        e * self
    }
}
impl Mul<f64> for Var {
    type Output = Expr;
    fn mul(self, k: f64) -> Expr {
        Expr {
            terms: vec![(self, k)],
            constant: 0.0,
        }
    }
}
impl Mul<Var> for f64 {
    type Output = Expr;
    fn mul(self, v: Var) -> Expr {
        v * self
    }
}

impl std::iter::Sum<Expr> for Expr {
    fn sum<I: Iterator<Item = Expr>>(iter: I) -> Expr {
        let mut e = Expr::new();
        for x in iter {
            e += x;
        }
        e
    }
}
impl std::iter::Sum<Var> for Expr {
    fn sum<I: Iterator<Item = Var>>(iter: I) -> Expr {
        Expr::from_terms(iter.map(|v| (v, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Model;

    #[test]
    fn operators_build_the_expected_terms() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, 1.0).unwrap();
        let y = m.add_continuous(0.0, 1.0).unwrap();
        let mut e = 2.0 * x + y * 3.0 - x + 4.0 - (y - 1.0) * 2.0;
        // 2x + 3y - x + 4 - 2y + 2 = x + y + 6
        assert_eq!(e.coefficient(x), 1.0);
        assert_eq!(e.coefficient(y), 1.0);
        assert_eq!(e.constant(), 6.0);
        assert_eq!(e.eval(&[2.0, 5.0]), 13.0);
        e.simplify();
        assert_eq!(e.terms(), &[(x, 1.0), (y, 1.0)]);
        let s: Expr = [x, y, x].into_iter().sum();
        assert_eq!(s.coefficient(x), 2.0);
        assert_eq!((-(x + y)).coefficient(y), -1.0);
        assert_eq!((1.0 - x).constant(), 1.0);
    }
}
