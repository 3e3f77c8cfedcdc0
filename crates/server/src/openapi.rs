//! The route table, from which both the router's documentation and the
//! OpenAPI 3 document are generated (so they cannot drift apart: a test
//! checks every documented route answers, and every answering route is
//! documented).

use serde_json::{json, Value};

pub(crate) struct Route {
    pub method: &'static str,
    /// OpenAPI path template (`{id}`).
    pub path: &'static str,
    pub summary: &'static str,
    pub auth: bool,
    /// Query parameters: (name, required, description).
    pub query: &'static [(&'static str, bool, &'static str)],
    /// Path parameters.
    pub params: &'static [&'static str],
    /// JSON request body schema, if any.
    pub body: Option<fn() -> Value>,
    /// Success status.
    pub ok: u16,
}

fn dataset_body() -> Value {
    json!({
        "type": "object",
        "required": ["files"],
        "properties": {
            "files": {
                "type": "object",
                "description": "File name -> text: dataset.toml and the CSV tables (docs/dataset-format.md)",
                "additionalProperties": { "type": "string" }
            },
            "contribute": { "type": "boolean", "description": "Contribute to the joint workspace (other parties see its rows only at the `share` level)" },
            "share": {
                "type": "string",
                "enum": ["country-stage", "global-stage", "none"],
                "description": "With contribute: what other parties may see: totals per country-stage (default), world totals only, or nothing; stored with the version"
            }
        }
    })
}

fn files_body() -> Value {
    json!({
        "type": "object",
        "required": ["files"],
        "properties": {
            "files": {
                "type": "object",
                "description": "File name -> text: dataset.toml and the CSV tables (docs/dataset-format.md)",
                "additionalProperties": { "type": "string" }
            }
        }
    })
}

fn job_body() -> Value {
    json!({
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": { "type": "string", "enum": ["stress", "plan"] },
            "scenario": { "type": "string", "description": "Scenario TOML (kind = stress; docs/scenarios.md)" },
            "plan": { "type": "string", "description": "Plan TOML (kind = plan; docs/plans.md); its [[scenario]] files may be only the example scenarios (NAME.toml or a path ending in scenarios/NAME.toml)" },
            "dataset": { "type": "string", "description": "Run on this dataset of the caller's party (default: the embedded dataset)" },
            "version": { "type": "integer", "description": "With dataset: the version (default: the latest)" },
            "workspace": { "type": "boolean", "description": "Run on the joint workspace: the embedded dataset plus the caller's contributions and other parties' contributions shared at country-stage level" }
        }
    })
}

pub(crate) const ROUTES: &[Route] = &[
    Route { method: "get", path: "/healthz", summary: "Liveness (no authentication)", auth: false, query: &[], params: &[], body: None, ok: 200 },
    Route { method: "get", path: "/api/v1/openapi.json", summary: "This document", auth: true, query: &[], params: &[], body: None, ok: 200 },
    Route { method: "get", path: "/api/v1/me", summary: "The caller: user and party", auth: true, query: &[], params: &[], body: None, ok: 200 },
    Route {
        method: "get",
        path: "/api/v1/exposure",
        summary: "Concentration of one commodity-stage (as `lodestone exposure`)",
        auth: true,
        query: &[
            ("commodity", true, "commodity/stage, e.g. nickel/mining"),
            ("by", false, "location (default) or owner"),
            ("year", false, "a year (default: the latest with data)"),
        ],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/origin",
        summary: "Multi-tier origin of a country's supply (as `lodestone origin`)",
        auth: true,
        query: &[
            ("country", true, "ISO 3166-1 alpha-2 code"),
            ("commodity", true, "commodity/stage"),
            ("upstream", false, "upstream commodity/stage (default: the same)"),
            ("year", false, "a year (default: the latest with trade)"),
        ],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/workspace/production",
        summary: "Production in the joint workspace (public data plus contributions); other parties' rows only at their owners' level",
        auth: true,
        query: &[("commodity", true, "commodity/stage"), ("year", false, "a year (default: the latest)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/workspace/capacity",
        summary: "Capacity in the joint workspace; other parties' rows only at their owners' level",
        auth: true,
        query: &[("commodity", true, "commodity/stage"), ("year", false, "a year (default: the latest)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/workspace/stockpiles",
        summary: "Stockpiles in the joint workspace, per holder; other parties' rows only at their owners' level",
        auth: true,
        query: &[("commodity", true, "commodity/stage"), ("year", false, "a year (default: the latest)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/workspace/trade",
        summary: "Trade in the joint workspace: exporter, importer and pair totals; other parties' rows only at their owners' level",
        auth: true,
        query: &[
            ("commodity", true, "commodity/stage"),
            ("year", false, "a year (default: the latest)"),
            ("country", false, "only flows from or to this country (ISO 3166-1 alpha-2); quantities shared only as world totals are then left out"),
        ],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/datasets",
        summary: "The caller's party's datasets by name, each with its latest version; `next` is the URL of the next page (null on the last)",
        auth: true,
        query: &[("limit", false, "most datasets (default 100, at most 1000)"), ("after", false, "a dataset name: list datasets after it (from `next`)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route {
        method: "post",
        path: "/api/v1/validate",
        summary: "Check a dataset as an upload would, storing nothing: rows per table, or 422 with every problem (file:line:column)",
        auth: true,
        query: &[],
        params: &[],
        body: Some(files_body),
        ok: 200,
    },
    Route { method: "post", path: "/api/v1/datasets/{name}", summary: "Upload a dataset version (validated; all or nothing; never overwrites)", auth: true, query: &[], params: &["name"], body: Some(dataset_body), ok: 201 },
    Route {
        method: "get",
        path: "/api/v1/datasets/{name}/versions",
        summary: "The caller's party's versions of a dataset, oldest first; `next` is the URL of the next page (null on the last)",
        auth: true,
        query: &[("limit", false, "most versions (default 100, at most 1000)"), ("after", false, "a version number: list versions after it (from `next`)")],
        params: &["name"],
        body: None,
        ok: 200,
    },
    Route {
        method: "get",
        path: "/api/v1/datasets/{name}/diff",
        summary: "Rows added and removed between two versions of one of the caller's datasets",
        auth: true,
        query: &[("from", true, "version number"), ("to", true, "version number")],
        params: &["name"],
        body: None,
        ok: 200,
    },
    Route { method: "post", path: "/api/v1/jobs", summary: "Queue a stress, Monte Carlo or plan run", auth: true, query: &[], params: &[], body: Some(job_body), ok: 202 },
    Route {
        method: "get",
        path: "/api/v1/jobs",
        summary: "The caller's party's jobs, newest first (id, kind, label, data, status, progress, times; no inputs or results); `next` is the URL of the next page (null on the last)",
        auth: true,
        query: &[("limit", false, "most jobs (default 50, at most 1000)"), ("before", false, "a job id: list jobs older than it (from `next`)")],
        params: &[],
        body: None,
        ok: 200,
    },
    Route { method: "get", path: "/api/v1/jobs/{id}", summary: "A job: status, progress, result", auth: true, query: &[], params: &["id"], body: None, ok: 200 },
    Route { method: "post", path: "/api/v1/jobs/{id}/cancel", summary: "Cancel a queued or running job", auth: true, query: &[], params: &["id"], body: None, ok: 200 },
    Route {
        method: "get",
        path: "/api/v1/audit",
        summary: "The audit log of the caller's party, oldest first; `next` is the URL of the next page (null on the last)",
        auth: true,
        query: &[("limit", false, "most entries (default 100, at most 10000)"), ("after", false, "a sequence number: list entries after it (from `next`)")],
        params: &[],
        body: None,
        ok: 200,
    },
];

pub(crate) fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for r in ROUTES.iter().chain(crate::views::ROUTES) {
        let mut params = vec![];
        for p in r.params {
            params.push(json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }));
        }
        for (name, required, desc) in r.query {
            params.push(json!({ "name": name, "in": "query", "required": required, "description": desc, "schema": { "type": "string" } }));
        }
        let mut responses = serde_json::Map::new();
        responses.insert(r.ok.to_string(), json!({ "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } }));
        let err = json!({ "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        for code in ["400", "404", "413", "422"] {
            responses.insert(code.into(), err.clone());
        }
        if r.auth {
            responses.insert("401".into(), err.clone());
        }
        let mut op = json!({ "summary": r.summary, "operationId": format!("{}_{}", r.method, r.path.replace(['/', '{', '}', '.'], "_")), "parameters": params, "responses": responses });
        if !r.auth {
            op["security"] = json!([]);
        }
        if let Some(b) = r.body {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": b() } } });
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "Lodestone shared workspace API", "version": env!("CARGO_PKG_VERSION") },
        "servers": [{ "url": "/" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" }, "problems": { "type": "array", "items": { "type": "string" } } } } }
        },
        "security": [{ "bearer": [] }],
        "paths": paths
    })
}
