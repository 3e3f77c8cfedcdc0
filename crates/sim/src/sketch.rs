//! A log-bucket quantile sketch (the DDSketch idea: Masson, Rim & Lee,
//! VLDB 2019) for streaming Monte Carlo aggregation.
//!
//! A positive value x goes to bucket `ceil(ln x / ln gamma)` with
//! `gamma = (1 + a) / (1 - a)`; a bucket's representative value
//! `2 gamma^i / (gamma + 1)` is within relative error `a` of every value in
//! it. Zeros are counted apart (exactly). Memory is one `u32` per bucket
//! between the smallest and largest positive value seen: it depends on the
//! *range* of values (about 115 buckets per factor of 10 at a = 1%), never on
//! the number of values. Insertion order does not change the state, so the
//! result is the same however runs are scheduled.

/// Relative accuracy of quantiles and CVaR.
pub const RELATIVE_ACCURACY: f64 = 0.01;

#[derive(Clone, Debug, Default)]
pub struct Sketch {
    zeros: u64,
    offset: i32,
    counts: Vec<u32>,
    n: u64,
}

fn ln_gamma() -> f64 {
    ((1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)).ln()
}

impl Sketch {
    pub fn new() -> Sketch {
        Sketch::default()
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn insert(&mut self, x: f64) {
        self.n += 1;
        if !(x > 0.0) {
            self.zeros += 1;
            return;
        }
        let i = (x.ln() / ln_gamma()).ceil() as i32;
        if self.counts.is_empty() {
            self.offset = i;
            self.counts.push(0);
        } else if i < self.offset {
            let grow = (self.offset - i) as usize;
            let mut v = vec![0u32; grow];
            v.extend_from_slice(&self.counts);
            self.counts = v;
            self.offset = i;
        } else if (i - self.offset) as usize >= self.counts.len() {
            self.counts.resize((i - self.offset) as usize + 1, 0);
        }
        self.counts[(i - self.offset) as usize] += 1;
    }

    fn value(&self, bucket: usize) -> f64 {
        let g = ln_gamma().exp();
        2.0 * ((self.offset + bucket as i32) as f64 * ln_gamma()).exp() / (g + 1.0)
    }

    /// The q-quantile (0 <= q <= 1): the value of rank floor(q (n - 1)),
    /// within relative error [`RELATIVE_ACCURACY`]. 0 for an empty sketch.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.n - 1) as f64).floor() as u64;
        if rank < self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen > rank {
                return self.value(b);
            }
        }
        self.value(self.counts.len().saturating_sub(1))
    }

    /// Conditional value at risk: the mean of the worst `1 - level` share
    /// of values (the top ceil((1 - level) n) values), within relative error
    /// [`RELATIVE_ACCURACY`].
    pub fn cvar(&self, level: f64) -> f64 {
        let k = ((1.0 - level) * self.n as f64).ceil() as u64;
        if k == 0 {
            return 0.0;
        }
        let mut left = k;
        let mut sum = 0.0;
        for b in (0..self.counts.len()).rev() {
            let take = (self.counts[b] as u64).min(left);
            sum += take as f64 * self.value(b);
            left -= take;
            if left == 0 {
                break;
            }
        }
        sum / k as f64 // any remainder are zeros
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_1_to_1000() {
        let mut s = Sketch::new();
        for i in 0..1000 {
            s.insert(if i < 100 { 0.0 } else { i as f64 });
        }
        // Ranks: 0..99 are zeros, rank r >= 100 holds value r.
        // p50: rank floor(0.5 * 999) = 499 -> 499; p95: rank 949 -> 949.
        assert_eq!(s.quantile(0.05), 0.0);
        assert!((s.quantile(0.5) / 499.0 - 1.0).abs() <= RELATIVE_ACCURACY);
        assert!((s.quantile(0.95) / 949.0 - 1.0).abs() <= RELATIVE_ACCURACY);
        // CVaR95: mean of the top 50 values 950..999 = 974.5.
        assert!((s.cvar(0.95) / 974.5 - 1.0).abs() <= RELATIVE_ACCURACY);
    }
}
