//! Versioned migrations, one list, each step written for both backends.
//! Applied in order inside a transaction; `schema_migrations` records them.

use crate::backend::{Backend, Value};
use crate::{clock, Result};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sqlite: r#"
CREATE TABLE parties (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, party_id TEXT NOT NULL REFERENCES parties(id), name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE datasets (id TEXT PRIMARY KEY, name TEXT NOT NULL, party_id TEXT NOT NULL REFERENCES parties(id), created_at TEXT NOT NULL, UNIQUE (name, party_id));
CREATE TABLE dataset_versions (id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL REFERENCES datasets(id), version INTEGER NOT NULL, content_hash TEXT NOT NULL, content BLOB NOT NULL, size INTEGER NOT NULL, created_by TEXT NOT NULL REFERENCES users(id), created_at TEXT NOT NULL, UNIQUE (dataset_id, version));
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, party_id TEXT NOT NULL REFERENCES parties(id), user_id TEXT NOT NULL REFERENCES users(id), status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')), progress REAL NOT NULL, input TEXT NOT NULL, result TEXT, error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX jobs_status ON jobs (status, created_at);
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user_id TEXT, party_id TEXT, action TEXT NOT NULL, object_kind TEXT NOT NULL, object_id TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"#,
    postgres: r#"
CREATE TABLE parties (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, party_id TEXT NOT NULL REFERENCES parties(id), name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE datasets (id TEXT PRIMARY KEY, name TEXT NOT NULL, party_id TEXT NOT NULL REFERENCES parties(id), created_at TEXT NOT NULL, UNIQUE (name, party_id));
CREATE TABLE dataset_versions (id TEXT PRIMARY KEY, dataset_id TEXT NOT NULL REFERENCES datasets(id), version BIGINT NOT NULL, content_hash TEXT NOT NULL, content BYTEA NOT NULL, size BIGINT NOT NULL, created_by TEXT NOT NULL REFERENCES users(id), created_at TEXT NOT NULL, UNIQUE (dataset_id, version));
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, party_id TEXT NOT NULL REFERENCES parties(id), user_id TEXT NOT NULL REFERENCES users(id), status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')), progress DOUBLE PRECISION NOT NULL, input TEXT NOT NULL, result TEXT, error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX jobs_status ON jobs (status, created_at);
CREATE TABLE audit_log (seq BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, user_id TEXT, party_id TEXT, action TEXT NOT NULL, object_kind TEXT NOT NULL, object_id TEXT NOT NULL, detail TEXT NOT NULL);
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"#,
},
Migration {
    version: 2,
    // A version its party contributes to the joint workspace: other parties'
    // results include it, shown to them only as country-stage totals.
    sqlite: "ALTER TABLE dataset_versions ADD COLUMN contributed INTEGER NOT NULL DEFAULT 0;",
    postgres: "ALTER TABLE dataset_versions ADD COLUMN contributed BIGINT NOT NULL DEFAULT 0;",
},
Migration {
    version: 3,
    // The level at which other parties may see a contributed version
    // (country-stage totals, global totals only, or nothing); a job's short
    // label (scenario or plan name) and the data it runs on; an index for
    // listing a party's jobs newest first.
    sqlite: r#"
ALTER TABLE dataset_versions ADD COLUMN share_level TEXT NOT NULL DEFAULT 'country-stage' CHECK (share_level IN ('country-stage', 'global-stage', 'none'));
ALTER TABLE jobs ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN data TEXT NOT NULL DEFAULT 'embedded';
CREATE INDEX jobs_party ON jobs (party_id, created_at, id);
"#,
    postgres: r#"
ALTER TABLE dataset_versions ADD COLUMN share_level TEXT NOT NULL DEFAULT 'country-stage' CHECK (share_level IN ('country-stage', 'global-stage', 'none'));
ALTER TABLE jobs ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN data TEXT NOT NULL DEFAULT 'embedded';
CREATE INDEX jobs_party ON jobs (party_id, created_at, id);
"#,
},
Migration {
    version: 4,
    // When the running attempt of a job started (for its ETA); cleared when
    // an interrupted job is re-queued.
    sqlite: "ALTER TABLE jobs ADD COLUMN started_at TEXT;",
    postgres: "ALTER TABLE jobs ADD COLUMN started_at TEXT;",
}];

pub(crate) fn migrate(db: &mut Backend) -> Result<()> {
    db.batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    let done: Vec<i64> = db
        .query("SELECT version FROM schema_migrations ORDER BY version", &[])?
        .into_iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    for m in MIGRATIONS {
        if done.contains(&m.version) {
            continue;
        }
        let sql = match db {
            Backend::Sqlite(_) => m.sqlite,
            Backend::Postgres(_) => m.postgres,
        };
        let at = clock::now();
        let is_pg = matches!(db, Backend::Postgres(_));
        db.transaction(|tx| {
            // Statements one by one inside the transaction (the PostgreSQL
            // function body contains `;` inside $$ ... $$, so split only there).
            for stmt in split_statements(sql, is_pg) {
                tx.exec(&stmt, &[])?;
            }
            tx.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", &[Value::I64(m.version), Value::text(&at)])?;
            Ok(())
        })?;
    }
    Ok(())
}

/// Splits on `;` at line ends outside `$$` bodies and trigger `BEGIN ... END;`
/// blocks (SQLite).
fn split_statements(sql: &str, _pg: bool) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for line in sql.lines() {
        if line.trim().is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            let s = cur.trim().trim_end_matches(';').to_string();
            out.push(s);
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}
