//! A small seeded PRNG: xoshiro256** (Blackman & Vigna 2018) seeded through
//! SplitMix64, plus the few distributions the Monte Carlo needs.
//!
//! Each Monte Carlo run gets its own stream from `(seed, run index)`
//! ([`Rng::for_run`]), so a run's draws never depend on which thread ran it
//! or on how many runs came before it.

/// SplitMix64 step: advances `state` and returns the next output.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256**.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose 256-bit state is filled by SplitMix64 from `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut sm = seed;
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    /// The stream of run `run` under `seed`: the seed and the run index are
    /// mixed through SplitMix64 (two rounds) before seeding, so neighbouring
    /// runs get unrelated streams.
    pub fn for_run(seed: u64, run: u64) -> Rng {
        let mut a = seed;
        let h1 = splitmix64(&mut a);
        let mut b = h1 ^ run.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let h2 = splitmix64(&mut b);
        Rng::new(h2)
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller; one value per call, the second is dropped
    /// so the stream position does not depend on call history).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1]
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference() {
        // Reference values of SplitMix64 from seed 1234567 (Vigna's
        // splitmix64.c): first outputs 6457827717110365317, 3203168211198807973.
        let mut s = 1234567u64;
        assert_eq!(splitmix64(&mut s), 6457827717110365317);
        assert_eq!(splitmix64(&mut s), 3203168211198807973);
    }

    #[test]
    fn uniform_in_range_and_streams_differ() {
        let mut a = Rng::for_run(7, 0);
        let mut b = Rng::for_run(7, 1);
        let mut same = 0;
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let x = a.next_f64();
            assert!((0.0..1.0).contains(&x));
            sum += x;
            if a.next_u64() == b.next_u64() {
                same += 1;
            }
        }
        assert_eq!(same, 0);
        assert!((sum / 10_000.0 - 0.5).abs() < 0.02);
    }
}
