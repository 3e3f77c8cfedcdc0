//! Unknown keys in scenario files: the error lists every key valid at that
//! position and, for a likely typo, names the key that was probably meant.

mod common;
use common::*;
use lodestone_sim::*;

fn ds() -> lodestone_model::Dataset {
    Fx::new().prod("x/mining", "CN", 2024, 100.0).country("JP").build()
}

const HEAD: &str = "name = \"b\"\nhorizon = 12\n";

/// Parses `text` and returns its errors as `line:column key: message`.
fn errors(text: &str) -> Vec<String> {
    let e = parse_scenario("bad.toml", text, &ds()).expect_err("should fail");
    e.0.iter().map(|e| format!("{}:{} {}: {}", e.line, e.column, e.key, e.message)).collect()
}

#[test]
fn disruption_typo_lists_keys_and_suggests() {
    let t = format!("{HEAD}[[disruption]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\nstart = 0\nduraton = 3\n");
    let e = errors(&t);
    // The typo, and `duration` missing.
    let typo = e.iter().find(|m| m.contains("unknown key")).unwrap_or_else(|| panic!("{e:?}"));
    assert!(typo.starts_with("8:1 disruption[1].duraton: unknown key `duraton`; expected one of: "), "{typo}");
    for k in ["name", "kind", "country", "commodity", "share", "start", "duration"] {
        assert!(typo.contains(&format!(" {k}")), "{k} missing from {typo}");
    }
    assert!(typo.ends_with("; did you mean `duration`?"), "{typo}");
    assert!(e.iter().any(|m| m.contains("missing required key `duration`")), "{e:?}");
}

#[test]
fn keys_are_listed_once_in_the_order_read() {
    let t = format!("{HEAD}[[disruption]]\nkind = \"export_restriction\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\nstart = 0\nduration = 1\nexempt = \"g\"\n");
    let e = errors(&t);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        e[0],
        "9:1 disruption[1].exempt: unknown key `exempt`; expected one of: name, kind, country, commodity, share, \
         exempt_group, start, duration"
    );
}

#[test]
fn top_level_typo() {
    let t = "name = \"b\"\nhorizn = 12\n";
    let e = errors(t);
    let typo = e.iter().find(|m| m.contains("unknown key")).unwrap_or_else(|| panic!("{e:?}"));
    assert!(
        typo.starts_with("2:1 horizn: unknown key `horizn`; expected one of: name, description, horizon, period, network, disruption, policy, monte_carlo"),
        "{typo}"
    );
    assert!(typo.ends_with("did you mean `horizon`?"), "{typo}");
}

#[test]
fn policy_case_and_far_keys() {
    // Another case of a valid key is suggested; a key like no valid one is
    // listed against the valid keys without a guess.
    let t = format!("{HEAD}[policy]\nReroute_Lag = 2\nbananas = 1\n");
    let e = errors(&t);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("4:1 policy.Reroute_Lag: unknown key `Reroute_Lag`; expected one of: release, max_release_share"), "{}", e[0]);
    assert!(e[0].ends_with("; did you mean `reroute_lag`?"), "{}", e[0]);
    assert!(e[1].starts_with("5:1 policy.bananas: unknown key `bananas`; expected one of: "), "{}", e[1]);
    assert!(!e[1].contains("did you mean"), "{}", e[1]);
}

#[test]
fn duration_table_keys_checked_even_when_one_is_missing() {
    // `mx` for `max`: before, the missing `max` ended the check and the
    // typo went unreported.
    let t = format!(
        "{HEAD}[monte_carlo]\nruns = 10\n[[monte_carlo.event]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\n\
         annual_probability = 0.1\nduration = {{ dist = \"uniform\", min = 1, mx = 6 }}\n"
    );
    let e = errors(&t);
    let typo = e.iter().find(|m| m.contains("unknown key `mx`")).unwrap_or_else(|| panic!("{e:?}"));
    assert!(typo.contains("monte_carlo.event[1].duration.mx"), "{typo}");
    assert!(typo.ends_with("did you mean `max`?"), "{typo}");
    assert!(e.iter().any(|m| m.contains("missing required key `max`")), "{e:?}");
}

#[test]
fn duration_table_without_dist_is_an_error() {
    // Before, such an event was dropped without a word.
    let t = format!(
        "{HEAD}[monte_carlo]\nruns = 10\n[[monte_carlo.event]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\n\
         annual_probability = 0.1\nduration = {{ min = 1, max = 6 }}\n"
    );
    let e = errors(&t);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("monte_carlo.event[1].duration.dist: missing required key `dist`"), "{e:?}");
}

#[test]
fn missing_kind_still_judges_kind_keys() {
    // Without `kind`, keys of any kind are not reported as unknown; a typo
    // of one still is, against the full list.
    let t = format!("{HEAD}[[disruption]]\ncontry = \"CN\"\nshare = 0.5\nstart = 0\nduration = 1\n");
    let e = errors(&t);
    assert!(e.iter().any(|m| m.contains("missing required key `kind`")), "{e:?}");
    assert!(!e.iter().any(|m| m.contains("unknown key `share`")), "{e:?}");
    let typo = e.iter().find(|m| m.contains("unknown key `contry`")).unwrap_or_else(|| panic!("{e:?}"));
    assert!(typo.contains("chokepoint") && typo.contains("factor"), "{typo}");
    assert!(typo.ends_with("did you mean `country`?"), "{typo}");
}

#[test]
fn route_closure_without_chokepoint_accepts_its_keys() {
    let t = format!("{HEAD}[[disruption]]\nkind = \"route_closure\"\nshare = 0.5\nstart = 0\nduration = 1\n");
    let e = errors(&t);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("missing required key `chokepoint`"), "{e:?}");
}
