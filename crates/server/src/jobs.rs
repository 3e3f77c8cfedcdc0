//! The job runner: a thread that claims queued jobs, runs them with the
//! computing crates on the data chosen when they were queued (the embedded
//! dataset, one of the party's dataset versions, or the joint workspace as
//! it was then: see `workspace::merge` for what of other parties' data a
//! result may rest on), writes progress (at most a few
//! times a second), stops when the job is cancelled, and stores the result
//! and the `done` status in one transaction. A server killed mid-job leaves
//! the job `running`; the next start re-queues it (`Store::requeue_interrupted`).

use crate::Shared;
use lodestone_model::Dataset;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub(crate) fn runner(st: Shared) {
    loop {
        let claimed = {
            let mut s = st.store.lock().unwrap_or_else(|p| p.into_inner());
            s.claim_job()
        };
        match claimed {
            Ok(Some((id, kind, input))) => run_one(&st, &id, &kind, &input),
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => {
                eprintln!("job runner: {e}");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

fn run_one(st: &Shared, id: &str, kind: &str, input: &str) {
    let cancel = AtomicBool::new(false);
    let last = std::sync::Mutex::new(Instant::now() - Duration::from_secs(1));
    // Progress: written at most every 200 ms; each write also checks
    // whether the job was cancelled.
    let progress = |done: usize, total: usize| {
        let mut l = last.lock().unwrap_or_else(|p| p.into_inner());
        if l.elapsed() < Duration::from_millis(200) {
            return;
        }
        *l = Instant::now();
        let mut s = st.store.lock().unwrap_or_else(|p| p.into_inner());
        let _ = s.set_progress(id, if total == 0 { 0.0 } else { done as f64 / total as f64 });
        if matches!(s.job_status(id), Ok(Some(ref x)) if x == "cancelled") {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let outcome = execute(st, kind, input, &progress, &cancel);
    let mut s = st.store.lock().unwrap_or_else(|p| p.into_inner());
    if matches!(s.job_status(id), Ok(Some(ref x)) if x == "cancelled") {
        return;
    }
    let r = match outcome {
        Ok(v) => s.finish_job(id, &v.to_string()),
        Err(e) => s.fail_job(id, &e),
    };
    if let Err(e) = r {
        eprintln!("job {id}: cannot store the outcome: {e}");
    }
}

/// The dataset a job runs on (`None`: the embedded one), and what to say
/// about it in the result. `input` is the job's stored input. Views that
/// re-run a finished job must use this, so they see the same data the job
/// did (for a workspace job: the caller's own rows and other parties' rows
/// at country-stage level only).
pub(crate) fn job_data(st: &Shared, input: &Value) -> Result<(Option<Dataset>, Value), String> {
    let party = input["party_id"].as_str().unwrap_or("");
    let data = &input["data"];
    match data["on"].as_str() {
        // Jobs queued before migration 3 carry no `data`: the embedded dataset.
        None | Some("embedded") => Ok((None, json!({ "on": "embedded" }))),
        Some("dataset") => {
            let vid = data["version_id"].as_str().ok_or("stored input names no dataset version")?;
            let content = {
                let mut s = st.store.lock().unwrap_or_else(|p| p.into_inner());
                s.dataset_content(party, vid).map_err(|e| e.to_string())?
            };
            let files: BTreeMap<String, String> = serde_json::from_slice(&content).map_err(|e| format!("stored version unreadable: {e}"))?;
            let ds = lodestone_model::load_texts("dataset", &files).map_err(|e| format!("the dataset version does not load: {e}"))?;
            Ok((Some(ds), json!({ "on": "dataset", "dataset": data["dataset"], "version": data["version"] })))
        }
        Some("workspace") => {
            let ids: Vec<&str> = data["versions"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let mut contributions = vec![];
            for id in ids {
                let c = {
                    let mut s = st.store.lock().unwrap_or_else(|p| p.into_inner());
                    s.contribution(id)
                };
                contributions.push(c.map_err(|e| format!("a pinned contribution is gone: {e}"))?);
            }
            let parts = crate::workspace::parts(st, contributions, party);
            let m = crate::workspace::merge(st.dataset, &parts);
            let about = json!({ "on": "workspace", "own": m.own, "others_included": m.others_included, "notes": m.notes });
            Ok((Some(m.dataset), about))
        }
        Some(other) => Err(format!("unknown data `{other}`")),
    }
}

fn execute(st: &Shared, kind: &str, input: &str, progress: &(dyn Fn(usize, usize) + Sync), cancel: &AtomicBool) -> Result<Value, String> {
    let input: Value = serde_json::from_str(input).map_err(|e| format!("stored input is not JSON: {e}"))?;
    let text = input["text"].as_str().ok_or("stored input has no text")?;
    let (own, about) = job_data(st, &input)?;
    let ds: &Dataset = own.as_ref().unwrap_or(st.dataset);
    let mut out = match kind {
        "stress" => {
            let sc = lodestone_sim::parse_scenario("scenario", text, ds).map_err(|e| e.to_string())?;
            let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
            let groups = lodestone_sim::dataset_groups(ds);
            if sc.monte_carlo.is_some() {
                let r = lodestone_sim::monte_carlo(&net, &sc, &groups, &|d, t| progress(d, t), cancel).map_err(|e| e.to_string())?;
                let names: Vec<String> = net.nodes.iter().map(|n| format!("{}:{}", n.country, n.key)).collect();
                json!({ "scenario": sc.name, "monte_carlo": r, "nodes": names })
            } else {
                let c = lodestone_sim::compile(&net, &sc, &groups);
                let r = lodestone_sim::simulate(&net, &c, lodestone_sim::Record::Summary, &|d, t| progress(d, t), cancel);
                json!({ "scenario": sc.name, "result": r })
            }
        }
        "plan" => {
            let inst = lodestone_plan::load_plan("plan", text, ds, &crate::views::example_scenario).map_err(|e| e.to_string())?;
            progress(0, 1);
            let (_, r) = lodestone_plan::solve_plan(&inst, &Default::default()).map_err(|e| e.to_string())?;
            serde_json::to_value(&r).map_err(|e| e.to_string())?
        }
        other => return Err(format!("unknown job kind `{other}`")),
    };
    out["data"] = about;
    Ok(out)
}
