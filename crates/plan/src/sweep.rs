//! `--sweep PARAM=VALUES`: re-solve a plan for each value of one numeric
//! parameter and report how cost, shortfall and builds change.
//!
//! PARAM is a dotted path into the plan file (`objective.shortfall_penalty`,
//! `data.lane_headroom`, `policy[0].share`, `project.us-refinery.capex`
//! (an array of tables may be indexed by position or by its `id` / `name`),
//! or one of the shorthands `permitting_years` and `build_years`, which set
//! that key on every project. VALUES is `a..b` (whole numbers, inclusive),
//! `a..b:step`, or a comma-separated list.
//!
//! Each point edits the TOML text (so the value is validated exactly as if
//! it had been written in the file), rebuilds the model (milliseconds) and
//! solves it; points are solved in parallel, results in value order.

use crate::file::{PlanError, PlanErrors};
use crate::solve::{PlanOptions, PlanResult};
use lodestone_model::Dataset;
use rayon::prelude::*;
use toml_edit::{DocumentMut, Item, Value};

/// A parsed `--sweep` argument.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    pub param: String,
    pub values: Vec<f64>,
}

/// Parses `PARAM=VALUES`.
pub fn parse_sweep(arg: &str) -> Result<SweepSpec, String> {
    let (param, vals) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}`: expected PARAM=VALUES, e.g. permitting_years=1..10"))?;
    let param = param.trim().to_string();
    if param.is_empty() {
        return Err(format!("`{arg}`: the parameter name is empty"));
    }
    let num = |s: &str| -> Result<f64, String> {
        s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| format!("`{}` is not a number", s.trim()))
    };
    let values = if let Some((a, rest)) = vals.split_once("..") {
        let (b, step) = match rest.split_once(':') {
            Some((b, st)) => (b, num(st)?),
            None => (rest, 1.0),
        };
        let (a, b) = (num(a)?, num(b)?);
        if step <= 0.0 {
            return Err(format!("`{vals}`: the step must be > 0"));
        }
        if b < a {
            return Err(format!("`{vals}`: the range is empty ({b} < {a})"));
        }
        let n = ((b - a) / step + 1e-9).floor() as usize + 1;
        if n > 1000 {
            return Err(format!("`{vals}`: {n} values; at most 1000"));
        }
        (0..n).map(|i| a + i as f64 * step).collect()
    } else {
        vals.split(',').map(num).collect::<Result<Vec<_>, _>>()?
    };
    if values.is_empty() {
        return Err(format!("`{arg}`: no values"));
    }
    Ok(SweepSpec { param, values })
}

/// Sets `param` to `value` in the plan text.
pub fn set_param(text: &str, param: &str, value: f64) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| format!("not valid TOML: {}", e.message()))?;
    let v = |old: Option<&Item>| -> Value {
        let int_like = old.and_then(|i| i.as_integer()).is_some() && value.fract() == 0.0;
        if int_like {
            Value::from(value as i64)
        } else {
            Value::from(value)
        }
    };
    if param == "permitting_years" || param == "build_years" {
        let arr = doc
            .get_mut("project")
            .and_then(|p| p.as_array_of_tables_mut())
            .ok_or_else(|| format!("`{param}`: the plan has no [[project]]"))?;
        for t in arr.iter_mut() {
            let nv = v(t.get(param));
            t[param] = Item::Value(nv);
        }
        return Ok(doc.to_string());
    }
    let segs = split_path(param)?;
    let mut item: &mut Item = doc.as_item_mut();
    let last = segs.len() - 1;
    for (i, seg) in segs.iter().enumerate() {
        let (name, sel) = seg;
        let tab = item.as_table_like_mut().ok_or_else(|| format!("`{param}`: `{name}` is not inside a table"))?;
        if !tab.contains_key(name) {
            if i == last {
                // A key the file leaves at its default: add it.
                tab.insert(name, Item::Value(v(None)));
                return Ok(doc.to_string());
            }
            return Err(format!("`{param}`: no `{name}` in the plan"));
        }
        let Some(next) = tab.get_mut(name) else { return Err(format!("`{param}`: no `{name}`")) };
        item = match sel {
            None => next,
            Some(sel) => {
                let arr = next.as_array_of_tables_mut().ok_or_else(|| format!("`{param}`: `{name}` is not an array of tables ([[{name}]])"))?;
                let len = arr.len();
                let idx = match sel.parse::<usize>() {
                    Ok(k) if k < len => k,
                    Ok(k) => return Err(format!("`{param}`: `{name}` has {len} entries, no [{k}]")),
                    Err(_) => (0..len)
                        .find(|&k| {
                            arr.get(k).is_some_and(|t| {
                                ["id", "name"].iter().any(|key| t.get(key).and_then(|x| x.as_str()) == Some(sel.as_str()))
                            })
                        })
                        .ok_or_else(|| format!("`{param}`: no [[{name}]] with id or name `{sel}`"))?,
                };
                let Some(t) = arr.get_mut(idx) else { return Err(format!("`{param}`: no entry {idx}")) };
                if i == last {
                    return Err(format!("`{param}`: names a whole [[{name}]] entry, not a number in it"));
                }
                // Descend into the chosen table: the next segment is a key in it.
                let (key, _) = &segs[i + 1];
                if i + 1 == last {
                    let nv = v(t.get(key));
                    if t.get(key).is_some_and(|x| x.as_float().is_none() && x.as_integer().is_none()) {
                        return Err(format!("`{param}`: `{key}` is not a number"));
                    }
                    t[key.as_str()] = Item::Value(nv);
                    return Ok(doc.to_string());
                }
                return Err(format!("`{param}`: too deep; expected {name}.<id>.<key> or {name}[i].<key>"));
            }
        };
        if i == last {
            if item.as_float().is_none() && item.as_integer().is_none() {
                return Err(format!("`{param}` is not a number in the plan"));
            }
            let nv = v(Some(item));
            *item = Item::Value(nv);
            return Ok(doc.to_string());
        }
    }
    Err(format!("`{param}`: not found"))
}

/// `a.b[2].c` / `project.us-mine.capex` -> [(a, None), (b, Some("2")), (c, None)].
fn split_path(param: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out: Vec<(String, Option<String>)> = vec![];
    let parts: Vec<&str> = param.split('.').collect();
    let mut i = 0;
    while i < parts.len() {
        let p = parts[i];
        if p.is_empty() {
            return Err(format!("`{param}`: empty segment"));
        }
        if let Some((name, rest)) = p.split_once('[') {
            let idx = rest.strip_suffix(']').ok_or_else(|| format!("`{param}`: unclosed `[`"))?;
            out.push((name.to_string(), Some(idx.to_string())));
        } else if ["project", "policy", "stockpile", "demand", "recipe", "scenario"].contains(&p) && i + 2 < parts.len() {
            // project.<id>.<key>
            out.push((p.to_string(), Some(parts[i + 1].to_string())));
            i += 1;
        } else {
            out.push((p.to_string(), None));
        }
        i += 1;
    }
    Ok(out)
}

/// One sweep point.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepPoint {
    pub value: f64,
    pub status: String,
    pub objective: Option<f64>,
    pub expected_shortfall: Option<f64>,
    pub capex: Option<f64>,
    /// `project@start` for each build.
    pub builds: Vec<String>,
    /// Set when this value made the plan invalid.
    pub error: Option<String>,
}

/// Solves the plan once per value. `file` names the text in messages.
pub fn run_sweep(
    file: &str,
    text: &str,
    spec: &SweepSpec,
    ds: &Dataset,
    read_scenario: &crate::instance::ReadScenarioSync,
    opts: &PlanOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<SweepPoint>, PlanErrors> {
    // Validate the parameter once, on the first value.
    set_param(text, &spec.param, spec.values[0])
        .map_err(|m| PlanErrors(vec![PlanError { file: "--sweep".into(), line: 0, column: 0, key: spec.param.clone(), message: m }]))?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let n = spec.values.len();
    let points: Vec<SweepPoint> = spec
        .values
        .par_iter()
        .map(|&value| {
            let p = point(file, text, spec, value, ds, read_scenario, opts);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d, n);
            p
        })
        .collect();
    Ok(points)
}

fn point(
    file: &str,
    text: &str,
    spec: &SweepSpec,
    value: f64,
    ds: &Dataset,
    read_scenario: &crate::instance::ReadScenarioSync,
    opts: &PlanOptions,
) -> SweepPoint {
    let fail = |e: String| SweepPoint { value, status: "invalid".into(), objective: None, expected_shortfall: None, capex: None, builds: vec![], error: Some(e) };
    let edited = match set_param(text, &spec.param, value) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let inst = match crate::load_plan(file, &edited, ds, read_scenario) {
        Ok(i) => i,
        Err(e) => return fail(e.to_string()),
    };
    let mut o = opts.clone();
    o.log = lodestone_lp::Log::Silent;
    o.names = false;
    o.threads = Some(1);
    match crate::solve::solve_plan(&inst, &o) {
        Ok((_, r)) => summarize(value, &r),
        Err(e) => fail(e.to_string()),
    }
}

fn summarize(value: f64, r: &PlanResult) -> SweepPoint {
    SweepPoint {
        value,
        status: r.status.clone(),
        objective: r.objective,
        expected_shortfall: r.expected_shortfall,
        capex: r.parts.as_ref().map(|p| p.capex),
        builds: r.builds.iter().map(|b| format!("{}@{}", b.project, b.start)).collect(),
        error: None,
    }
}
