//! Hand-built validated datasets for the sim tests.
#![allow(dead_code)]

use lodestone_model::*;

pub struct Fx {
    pub ds: Dataset,
}

pub fn key(s: &str) -> CommodityKey {
    CommodityKey::parse(s).expect("commodity/stage")
}

pub fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

impl Fx {
    /// Stages mining, refining; commodity x/mining in tonnes.
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
        Fx { ds }.commodity("x", "mining")
    }

    pub fn commodity(mut self, id: &str, stage: &str) -> Fx {
        self.ds.commodities.push(Commodity {
            key: CommodityKey::new(id, stage),
            name: format!("{id} {stage}"),
            unit: Unit::parse("t").unwrap(),
            basis: String::new(),
            hs_codes: vec![],
            material: String::new(),
            source: "src".into(),
            note: String::new(),
        });
        self
    }

    pub fn country(mut self, code: &str) -> Fx {
        let c = cc(code);
        if self.ds.country(c).is_none() {
            self.ds.countries.push(Country { code: c, name: format!("Country {code}"), iso3: String::new(), source: "src".into() });
        }
        self
    }

    pub fn prod(self, k: &str, country: &str, year: i32, quantity: f64) -> Fx {
        let mut s = self.country(country);
        s.ds.production.push(Output {
            key: key(k),
            country: Some(cc(country)),
            producer: String::new(),
            year,
            quantity,
            estimated: false,
            source: "src".into(),
            note: String::new(),
        });
        s
    }

    pub fn trade(self, k: &str, exporter: &str, importer: &str, year: i32, quantity: f64) -> Fx {
        let mut s = self.country(exporter).country(importer);
        s.ds.trade.push(TradeFlow {
            key: key(k),
            exporter: cc(exporter),
            importer: cc(importer),
            year,
            quantity,
            value_kusd: None,
            source: "src".into(),
            note: String::new(),
        });
        s
    }

    pub fn group(mut self, name: &str, members: &[&str]) -> Fx {
        for m in members {
            self = self.country(m);
            self.ds.groups.push(GroupMember { group: name.into(), country: cc(m), source: "src".into(), note: String::new() });
        }
        self
    }

    pub fn recipe(mut self, output: &str, input: &str, q: f64) -> Fx {
        self.ds.recipes.push(Recipe { output: key(output), input: key(input), quantity: q, source: "src".into(), note: String::new() });
        self
    }

    pub fn build(self) -> Dataset {
        self.ds.validate().unwrap_or_else(|p| panic!("{p}"))
    }
}
