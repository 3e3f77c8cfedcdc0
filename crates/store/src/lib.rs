//! `lodestone-store`: the only crate that knows SQL.
//!
//! One schema, versioned migrations for both backends: SQLite (default, a
//! file in WAL mode) and PostgreSQL (`postgres://...`). It holds parties,
//! users, API tokens (only the SHA-256 of a 256-bit random secret is
//! stored), datasets as immutable versions (content hash; an upload never
//! overwrites), jobs with progress and their results, and an append-only
//! audit log (the database itself refuses UPDATE and DELETE on it).
//!
//! Every statement is parameterised (`?` placeholders here, rewritten to
//! `$n` for PostgreSQL); nothing is built by string concatenation of
//! values. Writes that belong together run in one transaction, so a crash
//! leaves either all of them or none.

mod backend;
mod clock;
mod migrations;
mod token;

pub use backend::Value;
use backend::{Backend, Tx};
pub use token::{hash_token, new_token};

use std::fmt;

#[derive(Debug)]
pub enum StoreError {
    /// The database could not be opened or a statement failed.
    Db(String),
    /// A name or value the caller gave is not acceptable.
    Invalid(String),
    /// The object does not exist (or the caller may not know it exists).
    NotFound(String),
    /// A unique name is already taken.
    Conflict(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Db(m) => write!(f, "database error: {m}"),
            StoreError::Invalid(m) | StoreError::NotFound(m) | StoreError::Conflict(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StoreError {}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub party: String,
    pub created_at: String,
}

/// Who is calling: resolved from a bearer token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub user: String,
    pub party_id: String,
    pub party: String,
    pub token_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub user: Option<String>,
    pub party: Option<String>,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetVersion {
    pub id: String,
    pub dataset: String,
    pub party: String,
    pub version: i64,
    pub content_hash: String,
    pub size: i64,
    pub created_by: String,
    pub created_at: String,
    /// Part of the joint workspace (while it is its dataset's latest version).
    pub contributed: bool,
    /// What other parties may see of it when contributed.
    pub share: ShareLevel,
}

/// The level at which other parties may see a contributed version's rows,
/// chosen by its owner and stored with the version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ShareLevel {
    /// Totals per country (per exporter-importer pair for trade),
    /// commodity-stage and year, summed with every other row of that cell.
    CountryStage,
    /// Only world totals per commodity-stage and year.
    GlobalStage,
    /// Nothing: other parties' views and jobs leave the version out.
    None,
}

impl ShareLevel {
    pub const ALL: [ShareLevel; 3] = [ShareLevel::CountryStage, ShareLevel::GlobalStage, ShareLevel::None];

    pub fn as_str(self) -> &'static str {
        match self {
            ShareLevel::CountryStage => "country-stage",
            ShareLevel::GlobalStage => "global-stage",
            ShareLevel::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<ShareLevel> {
        ShareLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// A version in the joint workspace (see [`Store::contributions`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub party_id: String,
    pub party: String,
    pub dataset: String,
    pub version_id: String,
    pub version: i64,
    pub share: ShareLevel,
    pub content: Vec<u8>,
}

/// A job as listed (no input, no result).
#[derive(Clone, Debug, PartialEq)]
pub struct JobSummary {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub data: String,
    pub user: String,
    pub status: String,
    pub progress: f64,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// When the current attempt started running (None while queued).
    pub started_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub party: String,
    pub user: String,
    /// queued, running, done, failed, cancelled.
    pub status: String,
    pub progress: f64,
    pub input: String,
    pub result: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// A short label: the scenario's or plan's name.
    pub label: String,
    /// What it runs on: `embedded`, `workspace` or `dataset NAME vN`.
    pub data: String,
    /// When the current attempt started running (None while queued).
    pub started_at: Option<String>,
}

/// Seconds left for a job that started at `started_ms` and has done
/// `progress` (0-1) by `now_ms`, assuming it goes on at the same pace:
/// elapsed x (1 - progress) / progress. `None` before any progress or once
/// complete.
pub fn eta_seconds(started_ms: i64, now_ms: i64, progress: f64) -> Option<f64> {
    if !(progress > 0.0 && progress < 1.0) {
        return None;
    }
    let elapsed = (now_ms - started_ms).max(0) as f64 / 1000.0;
    Some(elapsed * (1.0 - progress) / progress)
}

/// The ETA of a running job now (see [`eta_seconds`]); `None` unless it is
/// running with some progress.
pub fn job_eta(status: &str, started_at: Option<&str>, progress: f64) -> Option<f64> {
    if status != "running" {
        return None;
    }
    eta_seconds(clock::parse_ms(started_at?)?, clock::now_ms(), progress)
}

/// A handle on the database. Cheap operations, one connection, used from one
/// thread at a time (the server wraps it in a mutex or a pool).
pub struct Store {
    db: Backend,
}

/// Names of parties, users and datasets: 1-64 characters of letters,
/// digits, `-`, `_`, `.`.
fn check_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{what} name `{name}`: expected 1-64 letters, digits, `-`, `_` or `.`"
        )))
    }
}

fn new_id() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| StoreError::Db(format!("no randomness: {e}")))?;
    Ok(token::hex(&b))
}

impl Store {
    /// Opens (and migrates) the database: `postgres://...` /
    /// `postgresql://...` for PostgreSQL, `sqlite:PATH` or a plain path for
    /// SQLite (created if missing, WAL mode).
    pub fn open(url: &str) -> Result<Store> {
        let db = Backend::open(url)?;
        let mut s = Store { db };
        migrations::migrate(&mut s.db)?;
        Ok(s)
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        self.db.kind()
    }

    /// The schema version after migrations.
    pub fn schema_version(&mut self) -> Result<i64> {
        let rows = self.db.query("SELECT MAX(version) FROM schema_migrations", &[])?;
        Ok(rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0))
    }

    // ---- parties, users, tokens -------------------------------------------

    pub fn add_party(&mut self, name: &str) -> Result<Party> {
        check_name("party", name)?;
        let id = new_id()?;
        let at = clock::now();
        self.db.transaction(|tx| {
            if !tx.query("SELECT id FROM parties WHERE name = ?", &[Value::text(name)])?.is_empty() {
                return Err(StoreError::Conflict(format!("party `{name}` already exists")));
            }
            tx.exec("INSERT INTO parties (id, name, created_at) VALUES (?, ?, ?)", &[Value::text(&id), Value::text(name), Value::text(&at)])?;
            audit_tx(tx, None, "party.add", "party", &id, name)?;
            Ok(())
        })?;
        Ok(Party { id, name: name.into(), created_at: at })
    }

    pub fn parties(&mut self) -> Result<Vec<Party>> {
        let rows = self.db.query("SELECT id, name, created_at FROM parties ORDER BY name", &[])?;
        Ok(rows.into_iter().map(|r| Party { id: r[0].get_text(), name: r[1].get_text(), created_at: r[2].get_text() }).collect())
    }

    fn party_id(tx: &mut Tx<'_, '_>, name: &str) -> Result<String> {
        let rows = tx.query("SELECT id FROM parties WHERE name = ?", &[Value::text(name)])?;
        rows.first().map(|r| r[0].get_text()).ok_or_else(|| StoreError::NotFound(format!("no party `{name}`")))
    }

    /// Adds a user and returns it with a new API token: the only time the
    /// token is visible (only its hash is stored).
    pub fn add_user(&mut self, party: &str, name: &str) -> Result<(User, String)> {
        check_name("user", name)?;
        let id = new_id()?;
        let tid = new_id()?;
        let token = new_token()?;
        let at = clock::now();
        self.db.transaction(|tx| {
            let pid = Store::party_id(tx, party)?;
            if !tx.query("SELECT id FROM users WHERE name = ?", &[Value::text(name)])?.is_empty() {
                return Err(StoreError::Conflict(format!("user `{name}` already exists")));
            }
            tx.exec(
                "INSERT INTO users (id, party_id, name, created_at) VALUES (?, ?, ?, ?)",
                &[Value::text(&id), Value::text(&pid), Value::text(name), Value::text(&at)],
            )?;
            tx.exec(
                "INSERT INTO tokens (id, user_id, hash, created_at) VALUES (?, ?, ?, ?)",
                &[Value::text(&tid), Value::text(&id), Value::text(&hash_token(&token)), Value::text(&at)],
            )?;
            audit_tx(tx, None, "user.add", "user", &id, &format!("{name} in {party}"))?;
            Ok(())
        })?;
        Ok((User { id, name: name.into(), party: party.into(), created_at: at }, token))
    }

    /// A further token for an existing user.
    pub fn add_token(&mut self, user: &str) -> Result<String> {
        let tid = new_id()?;
        let token = new_token()?;
        let at = clock::now();
        self.db.transaction(|tx| {
            let rows = tx.query("SELECT id FROM users WHERE name = ?", &[Value::text(user)])?;
            let uid = rows.first().map(|r| r[0].get_text()).ok_or_else(|| StoreError::NotFound(format!("no user `{user}`")))?;
            tx.exec(
                "INSERT INTO tokens (id, user_id, hash, created_at) VALUES (?, ?, ?, ?)",
                &[Value::text(&tid), Value::text(&uid), Value::text(&hash_token(&token)), Value::text(&at)],
            )?;
            audit_tx(tx, None, "token.add", "token", &tid, user)?;
            Ok(())
        })?;
        Ok(token)
    }

    pub fn users(&mut self) -> Result<Vec<User>> {
        let rows = self.db.query(
            "SELECT u.id, u.name, p.name, u.created_at FROM users u JOIN parties p ON p.id = u.party_id ORDER BY u.name",
            &[],
        )?;
        Ok(rows.into_iter().map(|r| User { id: r[0].get_text(), name: r[1].get_text(), party: r[2].get_text(), created_at: r[3].get_text() }).collect())
    }

    /// Revokes every live token of `user`; returns how many.
    pub fn revoke_tokens(&mut self, user: &str) -> Result<usize> {
        let at = clock::now();
        self.db.transaction(|tx| {
            let rows = tx.query("SELECT id FROM users WHERE name = ?", &[Value::text(user)])?;
            let uid = rows.first().map(|r| r[0].get_text()).ok_or_else(|| StoreError::NotFound(format!("no user `{user}`")))?;
            let n = tx.exec(
                "UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                &[Value::text(&at), Value::text(&uid)],
            )?;
            audit_tx(tx, None, "token.revoke", "user", &uid, &format!("{n} token(s) of {user}"))?;
            Ok(n)
        })
    }

    /// The caller behind a bearer token, if the token is live.
    pub fn authenticate(&mut self, token: &str) -> Result<Option<Principal>> {
        if token.len() > 256 {
            return Ok(None);
        }
        let rows = self.db.query(
            "SELECT u.id, u.name, p.id, p.name, t.id FROM tokens t JOIN users u ON u.id = t.user_id \
             JOIN parties p ON p.id = u.party_id WHERE t.hash = ? AND t.revoked_at IS NULL",
            &[Value::text(&hash_token(token))],
        )?;
        Ok(rows.first().map(|r| Principal {
            user_id: r[0].get_text(),
            user: r[1].get_text(),
            party_id: r[2].get_text(),
            party: r[3].get_text(),
            token_id: r[4].get_text(),
        }))
    }

    // ---- audit log ---------------------------------------------------------

    pub fn audit(&mut self, who: Option<&Principal>, action: &str, kind: &str, id: &str, detail: &str) -> Result<()> {
        self.db.transaction(|tx| audit_tx(tx, who, action, kind, id, detail))
    }

    /// Entries in order; `party` restricts to what that party did.
    pub fn audit_log(&mut self, party: Option<&str>, limit: usize) -> Result<Vec<AuditEntry>> {
        self.audit_page(party, limit, 0)
    }

    /// At most `limit` entries with `seq > after`, oldest first; `party`
    /// restricts to what that party did. The next page starts after the
    /// last entry's `seq`.
    pub fn audit_page(&mut self, party: Option<&str>, limit: usize, after: i64) -> Result<Vec<AuditEntry>> {
        let sql = "SELECT a.seq, a.at, u.name, p.name, a.action, a.object_kind, a.object_id, a.detail FROM audit_log a \
                   LEFT JOIN users u ON u.id = a.user_id LEFT JOIN parties p ON p.id = a.party_id \
                   WHERE (? = '' OR p.name = ?) AND a.seq > ? ORDER BY a.seq LIMIT ?";
        let pn = party.unwrap_or("");
        let limit = limit.min(i64::MAX as usize) as i64;
        let rows = self.db.query(sql, &[Value::text(pn), Value::text(pn), Value::I64(after), Value::I64(limit)])?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                seq: r[0].as_i64().unwrap_or(0),
                at: r[1].get_text(),
                user: r[2].opt_text(),
                party: r[3].opt_text(),
                action: r[4].get_text(),
                object_kind: r[5].get_text(),
                object_id: r[6].get_text(),
                detail: r[7].get_text(),
            })
            .collect())
    }

    // ---- datasets ----------------------------------------------------------

    /// Stores `content` as a new version of `party`'s dataset `name`
    /// (created on first upload). Uploading the same content as the latest
    /// version returns that version rather than a copy.
    pub fn put_dataset_version(&mut self, who: &Principal, name: &str, content: &[u8]) -> Result<DatasetVersion> {
        self.put_dataset_version_with(who, name, content, false)
    }

    /// As [`Store::put_dataset_version`]; `contributed` marks the version as
    /// part of the joint workspace (see [`Store::contributed_versions`]).
    /// Re-uploading the latest content returns the latest version unchanged,
    /// unless the contribution flag differs (then it is a new version).
    pub fn put_dataset_version_with(&mut self, who: &Principal, name: &str, content: &[u8], contributed: bool) -> Result<DatasetVersion> {
        self.put_dataset_version_shared(who, name, content, contributed, ShareLevel::CountryStage)
    }

    /// As [`Store::put_dataset_version_with`], with the level at which other
    /// parties may see the version when it is contributed. Re-uploading the
    /// latest content with the same flag and level returns the latest
    /// version; any difference makes a new version.
    pub fn put_dataset_version_shared(
        &mut self,
        who: &Principal,
        name: &str,
        content: &[u8],
        contributed: bool,
        share: ShareLevel,
    ) -> Result<DatasetVersion> {
        check_name("dataset", name)?;
        let hash = token::sha256_hex(content);
        let at = clock::now();
        let vid = new_id()?;
        let new_ds = new_id()?;
        self.db.transaction(|tx| {
            let rows = tx.query(
                "SELECT id FROM datasets WHERE name = ? AND party_id = ?",
                &[Value::text(name), Value::text(&who.party_id)],
            )?;
            let dsid = match rows.first() {
                Some(r) => r[0].get_text(),
                None => {
                    tx.exec(
                        "INSERT INTO datasets (id, name, party_id, created_at) VALUES (?, ?, ?, ?)",
                        &[Value::text(&new_ds), Value::text(name), Value::text(&who.party_id), Value::text(&at)],
                    )?;
                    new_ds.clone()
                }
            };
            let latest = tx.query(
                "SELECT id, version, content_hash, size, created_by, created_at, contributed, share_level FROM dataset_versions \
                 WHERE dataset_id = ? ORDER BY version DESC LIMIT 1",
                &[Value::text(&dsid)],
            )?;
            if let Some(r) = latest.first() {
                if r[2].get_text() == hash && (r[6].as_i64().unwrap_or(0) != 0) == contributed && r[7].get_text() == share.as_str() {
                    return Ok(DatasetVersion {
                        id: r[0].get_text(),
                        dataset: name.into(),
                        party: who.party.clone(),
                        version: r[1].as_i64().unwrap_or(0),
                        content_hash: hash.clone(),
                        size: r[3].as_i64().unwrap_or(0),
                        created_by: r[4].get_text(),
                        created_at: r[5].get_text(),
                        contributed,
                        share,
                    });
                }
            }
            let version = latest.first().and_then(|r| r[1].as_i64()).unwrap_or(0) + 1;
            tx.exec(
                "INSERT INTO dataset_versions (id, dataset_id, version, content_hash, content, size, created_by, created_at, contributed, share_level) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    Value::text(&vid),
                    Value::text(&dsid),
                    Value::I64(version),
                    Value::text(&hash),
                    Value::Bytes(content.to_vec()),
                    Value::I64(content.len() as i64),
                    Value::text(&who.user_id),
                    Value::text(&at),
                    Value::I64(contributed as i64),
                    Value::text(share.as_str()),
                ],
            )?;
            let shared = if contributed { format!(" contributed share={}", share.as_str()) } else { String::new() };
            audit_tx(tx, Some(who), "dataset.upload", "dataset_version", &vid, &format!("{name} v{version} sha256:{hash}{shared}"))?;
            Ok(DatasetVersion {
                id: vid.clone(),
                dataset: name.into(),
                party: who.party.clone(),
                version,
                content_hash: hash.clone(),
                size: content.len() as i64,
                created_by: who.user_id.clone(),
                created_at: at.clone(),
                contributed,
                share,
            })
        })
    }

    /// Versions of `party`'s dataset `name`, oldest first.
    pub fn dataset_versions(&mut self, party_id: &str, name: &str) -> Result<Vec<DatasetVersion>> {
        self.dataset_versions_page(party_id, name, i64::MAX as usize, 0)
    }

    /// At most `limit` versions numbered above `after`, oldest first.
    pub fn dataset_versions_page(&mut self, party_id: &str, name: &str, limit: usize, after: i64) -> Result<Vec<DatasetVersion>> {
        let rows = self.db.query(
            "SELECT v.id, d.name, p.name, v.version, v.content_hash, v.size, v.created_by, v.created_at, v.contributed, v.share_level \
             FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id JOIN parties p ON p.id = d.party_id \
             WHERE d.party_id = ? AND d.name = ? AND v.version > ? ORDER BY v.version LIMIT ?",
            &[Value::text(party_id), Value::text(name), Value::I64(after), Value::I64(limit.min(i64::MAX as usize) as i64)],
        )?;
        Ok(rows.into_iter().map(version_row).collect())
    }

    /// `party_id`'s datasets by name, each as its latest version, at most
    /// `limit` with names after `after` ("" for the first page).
    pub fn list_datasets(&mut self, party_id: &str, limit: usize, after: &str) -> Result<Vec<DatasetVersion>> {
        let rows = self.db.query(
            "SELECT v.id, d.name, p.name, v.version, v.content_hash, v.size, v.created_by, v.created_at, v.contributed, v.share_level \
             FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id JOIN parties p ON p.id = d.party_id \
             WHERE d.party_id = ? AND d.name > ? AND v.version = (SELECT MAX(w.version) FROM dataset_versions w WHERE w.dataset_id = d.id) \
             ORDER BY d.name LIMIT ?",
            &[Value::text(party_id), Value::text(after), Value::I64(limit.min(i64::MAX as usize) as i64)],
        )?;
        Ok(rows.into_iter().map(version_row).collect())
    }

    /// Whether `party_id` has a dataset called `name` (with any version).
    pub fn has_dataset(&mut self, party_id: &str, name: &str) -> Result<bool> {
        let rows = self.db.query(
            "SELECT COUNT(*) FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.party_id = ? AND d.name = ?",
            &[Value::text(party_id), Value::text(name)],
        )?;
        Ok(rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0) > 0)
    }

    /// The stored bytes of a version, if `party_id` owns it.
    pub fn dataset_content(&mut self, party_id: &str, version_id: &str) -> Result<Vec<u8>> {
        let rows = self.db.query(
            "SELECT v.content FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE v.id = ? AND d.party_id = ?",
            &[Value::text(version_id), Value::text(party_id)],
        )?;
        match rows.into_iter().next() {
            Some(mut r) => match r.swap_remove(0) {
                Value::Bytes(b) => Ok(b),
                other => Err(StoreError::Db(format!("content is not bytes: {other:?}"))),
            },
            None => Err(StoreError::NotFound(format!("no dataset version `{version_id}`"))),
        }
    }

    /// The joint workspace: every dataset of every party whose latest
    /// version is contributed, that version. Ordered by party name, then
    /// dataset name. Callers must show other parties' rows only at each
    /// version's [`ShareLevel`].
    pub fn contributions(&mut self) -> Result<Vec<Contribution>> {
        let rows = self.db.query(
            "SELECT p.id, p.name, d.name, v.id, v.version, v.share_level, v.content FROM dataset_versions v \
             JOIN datasets d ON d.id = v.dataset_id JOIN parties p ON p.id = d.party_id \
             WHERE v.contributed = 1 AND v.version = (SELECT MAX(w.version) FROM dataset_versions w WHERE w.dataset_id = v.dataset_id) \
             ORDER BY p.name, d.name",
            &[],
        )?;
        rows.into_iter().map(contribution_row).collect()
    }

    /// As [`Store::contributions`], without the contents (`content` is
    /// empty): what is in the workspace now, cheaply; fetch a version's
    /// content with [`Store::contribution`] when it is not cached.
    pub fn contribution_index(&mut self) -> Result<Vec<Contribution>> {
        let rows = self.db.query(
            "SELECT p.id, p.name, d.name, v.id, v.version, v.share_level, v.content_hash FROM dataset_versions v \
             JOIN datasets d ON d.id = v.dataset_id JOIN parties p ON p.id = d.party_id \
             WHERE v.contributed = 1 AND v.version = (SELECT MAX(w.version) FROM dataset_versions w WHERE w.dataset_id = v.dataset_id) \
             ORDER BY p.name, d.name",
            &[],
        )?;
        rows.into_iter()
            .map(|mut r| {
                r[6] = Value::Bytes(vec![]);
                contribution_row(r)
            })
            .collect()
    }

    /// One contributed version by id, whoever owns it (for the job runner,
    /// which reads the versions pinned when a workspace job was queued;
    /// never for callers). NotFound if it is not a contributed version.
    pub fn contribution(&mut self, version_id: &str) -> Result<Contribution> {
        let rows = self.db.query(
            "SELECT p.id, p.name, d.name, v.id, v.version, v.share_level, v.content FROM dataset_versions v \
             JOIN datasets d ON d.id = v.dataset_id JOIN parties p ON p.id = d.party_id \
             WHERE v.id = ? AND v.contributed = 1",
            &[Value::text(version_id)],
        )?;
        match rows.into_iter().next() {
            Some(r) => contribution_row(r),
            None => Err(StoreError::NotFound(format!("no contributed version `{version_id}`"))),
        }
    }

    // ---- jobs --------------------------------------------------------------

    pub fn create_job(&mut self, who: &Principal, kind: &str, input: &str) -> Result<Job> {
        self.create_job_labelled(who, kind, "", "embedded", input)
    }

    /// A queued job with a short `label` (the scenario's or plan's name, cut
    /// to 200 characters) and a description of the `data` it runs on.
    pub fn create_job_labelled(&mut self, who: &Principal, kind: &str, label: &str, data: &str, input: &str) -> Result<Job> {
        let id = new_id()?;
        let at = clock::now();
        let label: String = label.chars().take(200).collect();
        self.db.transaction(|tx| {
            tx.exec(
                "INSERT INTO jobs (id, kind, party_id, user_id, status, progress, input, created_at, updated_at, label, data) \
                 VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)",
                &[
                    Value::text(&id),
                    Value::text(kind),
                    Value::text(&who.party_id),
                    Value::text(&who.user_id),
                    Value::text(input),
                    Value::text(&at),
                    Value::text(&at),
                    Value::text(&label),
                    Value::text(data),
                ],
            )?;
            audit_tx(tx, Some(who), "job.create", "job", &id, kind)
        })?;
        self.job(&who.party_id, &id)
    }

    /// `party_id`'s jobs, newest first (by creation time, then id), at most
    /// `limit`; `before` (a job id of that party, the last of the previous
    /// page) continues after that job. An unknown `before` is Invalid, for
    /// another party's job exactly as for a missing one.
    pub fn list_jobs(&mut self, party_id: &str, limit: usize, before: Option<&str>) -> Result<Vec<JobSummary>> {
        let limit = Value::I64(limit.min(i64::MAX as usize) as i64);
        let cols = "SELECT j.id, j.kind, j.label, j.data, u.name, j.status, j.progress, j.error, j.created_at, j.updated_at, j.started_at \
                    FROM jobs j JOIN users u ON u.id = j.user_id";
        let rows = match before {
            None => self.db.query(&format!("{cols} WHERE j.party_id = ? ORDER BY j.created_at DESC, j.id DESC LIMIT ?"), &[Value::text(party_id), limit])?,
            Some(b) => {
                let at = self.db.query("SELECT created_at FROM jobs WHERE id = ? AND party_id = ?", &[Value::text(b), Value::text(party_id)])?;
                let Some(at) = at.first().map(|r| r[0].get_text()) else {
                    return Err(StoreError::Invalid(format!("before `{b}`: not one of your jobs")));
                };
                self.db.query(
                    &format!("{cols} WHERE j.party_id = ? AND (j.created_at < ? OR (j.created_at = ? AND j.id < ?)) ORDER BY j.created_at DESC, j.id DESC LIMIT ?"),
                    &[Value::text(party_id), Value::text(&at), Value::text(&at), Value::text(b), limit],
                )?
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| JobSummary {
                id: r[0].get_text(),
                kind: r[1].get_text(),
                label: r[2].get_text(),
                data: r[3].get_text(),
                user: r[4].get_text(),
                status: r[5].get_text(),
                progress: r[6].as_f64().unwrap_or(0.0),
                error: r[7].opt_text(),
                created_at: r[8].get_text(),
                updated_at: r[9].get_text(),
                started_at: r[10].opt_text(),
            })
            .collect())
    }

    /// A job, if `party_id` owns it (otherwise NotFound: another party's job
    /// is indistinguishable from a missing one).
    pub fn job(&mut self, party_id: &str, id: &str) -> Result<Job> {
        let rows = self.db.query(
            "SELECT j.id, j.kind, p.name, u.name, j.status, j.progress, j.input, j.result, j.error, j.created_at, j.updated_at, j.label, j.data, j.started_at \
             FROM jobs j JOIN parties p ON p.id = j.party_id JOIN users u ON u.id = j.user_id WHERE j.id = ? AND j.party_id = ?",
            &[Value::text(id), Value::text(party_id)],
        )?;
        rows.into_iter().next().map(job_row).ok_or_else(|| StoreError::NotFound(format!("no job `{id}`")))
    }

    /// A job's status whoever owns it (for the job runner, never for callers).
    pub fn job_status(&mut self, id: &str) -> Result<Option<String>> {
        let rows = self.db.query("SELECT status FROM jobs WHERE id = ?", &[Value::text(id)])?;
        Ok(rows.first().map(|r| r[0].get_text()))
    }

    /// Takes the oldest queued job and marks it running (atomically).
    pub fn claim_job(&mut self) -> Result<Option<(String, String, String)>> {
        let at = clock::now();
        self.db.transaction(|tx| {
            let rows = tx.query("SELECT id, kind, input FROM jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1", &[])?;
            let Some(r) = rows.first() else { return Ok(None) };
            let id = r[0].get_text();
            let n = tx.exec(
                "UPDATE jobs SET status = 'running', updated_at = ?, started_at = ? WHERE id = ? AND status = 'queued'",
                &[Value::text(&at), Value::text(&at), Value::text(&id)],
            )?;
            Ok((n == 1).then(|| (id, r[1].get_text(), r[2].get_text())))
        })
    }

    pub fn set_progress(&mut self, id: &str, progress: f64) -> Result<()> {
        self.db.exec(
            "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND status = 'running'",
            &[Value::F64(progress.clamp(0.0, 1.0)), Value::text(&clock::now()), Value::text(id)],
        )?;
        Ok(())
    }

    /// Stores the result and marks the job done, in one transaction: a
    /// result is never visible on a job that is not done.
    pub fn finish_job(&mut self, id: &str, result: &str) -> Result<()> {
        let at = clock::now();
        self.db.transaction(|tx| {
            tx.exec(
                "UPDATE jobs SET status = 'done', progress = 1, result = ?, updated_at = ? WHERE id = ? AND status = 'running'",
                &[Value::text(result), Value::text(&at), Value::text(id)],
            )?;
            audit_tx(tx, None, "job.done", "job", id, "")
        })
    }

    pub fn fail_job(&mut self, id: &str, error: &str) -> Result<()> {
        let at = clock::now();
        self.db.transaction(|tx| {
            tx.exec(
                "UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
                &[Value::text(error), Value::text(&at), Value::text(id)],
            )?;
            audit_tx(tx, None, "job.failed", "job", id, error)
        })
    }

    /// Marks a job cancelled (if `party_id` owns it and it has not ended).
    pub fn cancel_job(&mut self, who: &Principal, id: &str) -> Result<Job> {
        let at = clock::now();
        self.db.transaction(|tx| {
            let n = tx.exec(
                "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE id = ? AND party_id = ? AND status IN ('queued', 'running')",
                &[Value::text(&at), Value::text(id), Value::text(&who.party_id)],
            )?;
            if n == 1 {
                audit_tx(tx, Some(who), "job.cancel", "job", id, "")?;
            }
            Ok(())
        })?;
        self.job(&who.party_id, id)
    }

    /// After a restart: jobs left `running` by a process that died are put
    /// back in the queue (their partial progress is discarded); returns
    /// their ids.
    pub fn requeue_interrupted(&mut self) -> Result<Vec<String>> {
        let at = clock::now();
        self.db.transaction(|tx| {
            let ids: Vec<String> = tx.query("SELECT id FROM jobs WHERE status = 'running' ORDER BY id", &[])?.into_iter().map(|r| r[0].get_text()).collect();
            for id in &ids {
                tx.exec("UPDATE jobs SET status = 'queued', progress = 0, updated_at = ?, started_at = NULL WHERE id = ?", &[Value::text(&at), Value::text(id)])?;
                audit_tx(tx, None, "job.requeue", "job", id, "the server stopped while it ran")?;
            }
            Ok(ids)
        })
    }
}

fn version_row(r: Vec<Value>) -> DatasetVersion {
    DatasetVersion {
        id: r[0].get_text(),
        dataset: r[1].get_text(),
        party: r[2].get_text(),
        version: r[3].as_i64().unwrap_or(0),
        content_hash: r[4].get_text(),
        size: r[5].as_i64().unwrap_or(0),
        created_by: r[6].get_text(),
        created_at: r[7].get_text(),
        contributed: r[8].as_i64().unwrap_or(0) != 0,
        share: ShareLevel::parse(&r[9].get_text()).unwrap_or(ShareLevel::None),
    }
}

fn contribution_row(mut r: Vec<Value>) -> Result<Contribution> {
    let content = match r.swap_remove(6) {
        Value::Bytes(b) => b,
        other => return Err(StoreError::Db(format!("content is not bytes: {other:?}"))),
    };
    let level = r[5].get_text();
    Ok(Contribution {
        party_id: r[0].get_text(),
        party: r[1].get_text(),
        dataset: r[2].get_text(),
        version_id: r[3].get_text(),
        version: r[4].as_i64().unwrap_or(0),
        // The column's CHECK admits only the three levels; anything else
        // is treated as the most restrictive.
        share: ShareLevel::parse(&level).unwrap_or(ShareLevel::None),
        content,
    })
}

fn job_row(r: Vec<Value>) -> Job {
    Job {
        id: r[0].get_text(),
        kind: r[1].get_text(),
        party: r[2].get_text(),
        user: r[3].get_text(),
        status: r[4].get_text(),
        progress: r[5].as_f64().unwrap_or(0.0),
        input: r[6].get_text(),
        result: r[7].opt_text(),
        error: r[8].opt_text(),
        created_at: r[9].get_text(),
        updated_at: r[10].get_text(),
        label: r[11].get_text(),
        data: r[12].get_text(),
        started_at: r[13].opt_text(),
    }
}

fn audit_tx(tx: &mut Tx<'_, '_>, who: Option<&Principal>, action: &str, kind: &str, id: &str, detail: &str) -> Result<()> {
    tx.exec(
        "INSERT INTO audit_log (at, user_id, party_id, action, object_kind, object_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            Value::text(&clock::now()),
            who.map_or(Value::Null, |p| Value::text(&p.user_id)),
            who.map_or(Value::Null, |p| Value::text(&p.party_id)),
            Value::text(action),
            Value::text(kind),
            Value::text(id),
            Value::text(detail),
        ],
    )?;
    Ok(())
}
