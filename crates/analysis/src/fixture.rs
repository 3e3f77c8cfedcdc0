//! Small hand-built datasets for tests. Every dataset goes through
//! `Dataset::validate`, so tests only ever see datasets the model accepts.

use lodestone_model::*;

/// A dataset under construction: stages `mining`, `refining`; one source
/// `src`; commodity `x/mining` in tonnes. Countries are declared on first use.
#[derive(Clone)]
pub struct Fx {
    pub ds: Dataset,
}

const NAMES: &[(&str, &str)] = &[
    ("AU", "Australia"),
    ("BR", "Brazil"),
    ("CA", "Canada"),
    ("CD", "Congo (Kinshasa)"),
    ("CN", "China"),
    ("ID", "Indonesia"),
    ("IN", "India"),
    ("JP", "Japan"),
    ("KP", "North Korea"),
    ("KR", "Korea"),
    ("PH", "Philippines"),
    ("RU", "Russia"),
    ("US", "United States"),
];

/// Asserts `a` equals `b` to 1e-9 relative (1e-12 absolute near zero).
#[track_caller]
pub fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-3), "{a} != {b}");
}

fn key(s: &str) -> CommodityKey {
    CommodityKey::parse(s).expect("commodity/stage")
}

impl Fx {
    pub fn new() -> Fx {
        let mut ds = Dataset::empty(Manifest {
            name: "test".into(),
            title: "test".into(),
            description: String::new(),
            version: String::new(),
            stages: vec!["mining".into(), "refining".into()],
            default_year: None,
        });
        ds.sources.push(Source {
            id: "src".into(),
            title: "Hand-made test data".into(),
            publisher: "tests".into(),
            year: None,
            url: String::new(),
            license: String::new(),
            note: String::new(),
        });
        Fx { ds }.commodity("x", "mining", "t")
    }

    pub fn commodity(mut self, id: &str, stage: &str, unit: &str) -> Fx {
        self.ds.commodities.push(Commodity {
            key: CommodityKey::new(id, stage),
            name: format!("{id} {stage}"),
            unit: Unit::parse(unit).expect("unit"),
            basis: String::new(),
            hs_codes: vec![],
            material: String::new(),
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    /// The code as a declared country; `ZZ` gives `None` (unattributed).
    fn country(&mut self, code: &str) -> Option<CountryCode> {
        if code == UNATTRIBUTED {
            return None;
        }
        let c = CountryCode::parse(code).expect("country code");
        if self.ds.country(c).is_none() {
            let name = NAMES.iter().find(|n| n.0 == code).map_or(format!("Country {code}"), |n| n.1.to_string());
            self.ds.countries.push(Country { code: c, name, iso3: String::new(), source: "src".into() });
        }
        Some(c)
    }

    fn output(mut self, k: &str, country: &str, producer: &str, year: i32, quantity: f64, estimated: bool) -> Fx {
        let country = self.country(country);
        self.ds.production.push(Output {
            key: key(k),
            country,
            producer: producer.into(),
            year,
            quantity,
            estimated,
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    pub fn prod(self, k: &str, country: &str, producer: &str, year: i32, quantity: f64) -> Fx {
        self.output(k, country, producer, year, quantity, false)
    }

    pub fn prod_est(self, k: &str, country: &str, producer: &str, year: i32, quantity: f64) -> Fx {
        self.output(k, country, producer, year, quantity, true)
    }

    pub fn own(mut self, k: &str, location: &str, owner: &str, year: i32, share: f64) -> Fx {
        let location = self.country(location).expect("named location");
        let owner = self.country(owner).expect("named owner");
        self.ds.ownership.push(Ownership {
            key: key(k),
            location,
            owner,
            year,
            share,
            basis: String::new(),
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    pub fn group(mut self, name: &str, members: &[&str]) -> Fx {
        for m in members {
            let country = self.country(m).expect("named member");
            self.ds.groups.push(GroupMember {
                group: name.into(),
                country,
                source: "src".into(),
                note: String::new(),
            });
        }
        self
    }

    pub fn reserve(mut self, k: &str, country: &str, year: i32, quantity: f64, bound: Bound) -> Fx {
        let country = self.country(country);
        let producer = if country.is_none() { "Other countries" } else { "" };
        self.ds.reserves.push(Reserve {
            key: key(k),
            country,
            producer: producer.into(),
            year,
            quantity,
            bound,
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    pub fn reliance(mut self, country: &str, commodity: &str, item: &str, year: i32, percent: f64, bound: Bound) -> Fx {
        let country = self.country(country).expect("named country");
        self.ds.import_reliance.push(ImportReliance {
            country,
            commodity: commodity.into(),
            item: item.into(),
            year,
            percent,
            bound,
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    /// Runs every model check; a test dataset that fails them is a test bug.
    pub fn build(self) -> Dataset {
        self.ds.validate().unwrap_or_else(|p| panic!("{p}"))
    }
}

// --- dependence helpers ---
impl Fx {
    /// A trade flow of `quantity` (in the key's unit) from `exporter` to
    /// `importer`.
    pub fn trade(mut self, k: &str, exporter: &str, importer: &str, year: i32, quantity: f64, value_kusd: Option<f64>) -> Fx {
        let exporter = self.country(exporter).expect("named exporter");
        let importer = self.country(importer).expect("named importer");
        self.ds.trade.push(TradeFlow {
            key: key(k),
            exporter,
            importer,
            year,
            quantity,
            value_kusd,
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    /// A `production_other` row citing `source` (declared on first use).
    pub fn prod_other(mut self, k: &str, country: &str, year: i32, quantity: f64, source: &str) -> Fx {
        if self.ds.source(source).is_none() {
            self.ds.sources.push(Source {
                id: source.into(),
                title: format!("Second source {source}"),
                publisher: "tests".into(),
                year: None,
                url: String::new(),
                license: String::new(),
                note: String::new(),
            });
        }
        let country = self.country(country);
        let producer = if country.is_none() { "Other countries" } else { "" };
        self.ds.production_other.push(Output {
            key: key(k),
            country,
            producer: producer.into(),
            year,
            quantity,
            estimated: false,
            source: source.into(),
            note: String::new(),
        });
        self
    }
}
// --- end dependence helpers ---

// --- criticality helpers ---
impl Fx {
    /// A WGI Political Stability estimate (`political_stability`) for
    /// `country` in `year`.
    pub fn political_stability(mut self, country: &str, year: i32, estimate: f64) -> Fx {
        let country = self.country(country).expect("named country");
        self.ds.governance.push(Governance {
            country,
            indicator: "political_stability".into(),
            year,
            estimate,
            std_err: None,
            source: "src".into(),
            note: String::new(),
        });
        self
    }
}
// --- end criticality helpers ---

// --- origin helpers ---
impl Fx {
    /// A trade row `exporter -> importer` of `k` (value unknown).
    pub fn origin_trade(mut self, k: &str, exporter: &str, importer: &str, year: i32, quantity: f64) -> Fx {
        let exporter = self.country(exporter).expect("named exporter");
        let importer = self.country(importer).expect("named importer");
        self.ds.trade.push(TradeFlow {
            key: key(k),
            exporter,
            importer,
            year,
            quantity,
            value_kusd: None,
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    /// A recipe: `quantity` of `input` per unit of `output`.
    pub fn origin_recipe(mut self, output: &str, input: &str, quantity: f64) -> Fx {
        self.ds.recipes.push(Recipe {
            output: key(output),
            input: key(input),
            quantity,
            source: "src".into(),
            note: String::new(),
        });
        self
    }
}
// --- end origin helpers ---
