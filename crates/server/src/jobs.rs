//! The job runner: a thread that claims queued jobs, runs them with the
//! computing crates on the embedded dataset, writes progress (at most a few
//! times a second), stops when the job is cancelled, and stores the result
//! and the `done` status in one transaction. A server killed mid-job leaves
//! the job `running`; the next start re-queues it (`Store::requeue_interrupted`).

use crate::Shared;
use serde_json::{json, Value};
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

fn execute(st: &Shared, kind: &str, input: &str, progress: &(dyn Fn(usize, usize) + Sync), cancel: &AtomicBool) -> Result<Value, String> {
    let input: Value = serde_json::from_str(input).map_err(|e| format!("stored input is not JSON: {e}"))?;
    let text = input["text"].as_str().ok_or("stored input has no text")?;
    let ds = st.dataset;
    match kind {
        "stress" => {
            let sc = lodestone_sim::parse_scenario("scenario", text, ds).map_err(|e| e.to_string())?;
            let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
            let groups = lodestone_sim::dataset_groups(ds);
            if sc.monte_carlo.is_some() {
                let r = lodestone_sim::monte_carlo(&net, &sc, &groups, &|d, t| progress(d, t), cancel).map_err(|e| e.to_string())?;
                let names: Vec<String> = net.nodes.iter().map(|n| format!("{}:{}", n.country, n.key)).collect();
                Ok(json!({ "scenario": sc.name, "monte_carlo": r, "nodes": names }))
            } else {
                let c = lodestone_sim::compile(&net, &sc, &groups);
                let r = lodestone_sim::simulate(&net, &c, lodestone_sim::Record::Summary, &|d, t| progress(d, t), cancel);
                Ok(json!({ "scenario": sc.name, "result": r }))
            }
        }
        "plan" => {
            let no_files = |f: &str| -> Result<(String, String), String> { Err(format!("`{f}`: not available on the server")) };
            let inst = lodestone_plan::load_plan("plan", text, ds, &no_files).map_err(|e| e.to_string())?;
            progress(0, 1);
            let (_, r) = lodestone_plan::solve_plan(&inst, &Default::default()).map_err(|e| e.to_string())?;
            serde_json::to_value(&r).map_err(|e| e.to_string())
        }
        other => Err(format!("unknown job kind `{other}`")),
    }
}
