//! Two backends behind one small interface: statements with `?`
//! placeholders (rewritten to `$1, $2, ...` for PostgreSQL), values as
//! [`Value`], transactions as closures (committed on `Ok`, rolled back on
//! `Err` or panic).

use crate::{Result, StoreError};

/// A parameter or a column value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    I64(i64),
    F64(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    /// Text, or "" for anything else.
    pub fn text_or_empty(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            _ => String::new(),
        }
    }

    /// Text, or "" for anything else.
    pub fn get_text(&self) -> String {
        self.text_or_empty()
    }

    pub fn opt_text(&self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::I64(i) => Some(*i),
            Value::F64(f) => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::F64(f) => Some(*f),
            Value::I64(i) => Some(*i as f64),
            _ => None,
        }
    }
}


/// The error and its causes (postgres::Error's own text is only "db error";
/// the server's message is its source).
fn db<E: std::error::Error>(e: E) -> StoreError {
    let mut m = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        m.push_str(": ");
        m.push_str(&s.to_string());
        src = s.source();
    }
    StoreError::Db(m)
}

macro_rules! pg_refs {
    ($p:expr) => {
        $p.iter().map(|b| b.as_ref() as &(dyn postgres::types::ToSql + Sync)).collect::<Vec<_>>()
    };
}

/// `?` -> `$n` outside string literals.
pub(crate) fn pg_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut in_str = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                in_str = !in_str;
                out.push(c);
            }
            '?' if !in_str => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

pub(crate) enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Pg>),
}

/// A PostgreSQL connection and its prepared statements, by SQL text (as
/// rusqlite's `prepare_cached` does for SQLite): a cached statement is one
/// round trip, not two, and is parsed and planned once.
pub(crate) struct Pg {
    client: postgres::Client,
    stmts: StmtCache,
    /// To reconnect after the server closed the connection (a restart, an
    /// administrator ending the session): the statement that finds it
    /// closed fails ("try again"); the next one runs on a new connection.
    url: String,
}

impl Pg {
    fn connect(url: &str) -> Result<Pg> {
        let client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| StoreError::Db(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(Pg { client, stmts: StmtCache::default(), url: url.to_string() })
    }

    /// The connection, reopened first if the server closed it.
    fn live(&mut self) -> Result<(&mut postgres::Client, &mut StmtCache)> {
        if self.stmts.lost || self.client.is_closed() {
            *self = Pg::connect(&self.url)?;
        }
        Ok((&mut self.client, &mut self.stmts))
    }
}

/// Prepared statements by SQL text, and whether an error showed the
/// connection lost.
#[derive(Default)]
pub(crate) struct StmtCache {
    map: std::collections::HashMap<String, postgres::Statement>,
    lost: bool,
}

/// The error as a [`StoreError`], noting in `stmts` when it shows the
/// connection gone (closed, an I/O failure, or a FATAL from the server such
/// as "terminating connection due to administrator command").
fn pg_err(stmts: &mut StmtCache, e: postgres::Error) -> StoreError {
    let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
    if e.is_closed() || io || e.as_db_error().is_some_and(|d| d.severity() == "FATAL") {
        stmts.lost = true;
    }
    db(e)
}

/// Data statements are prepared once and kept; anything else (DDL in
/// migrations) is sent as it is, so no cached plan outlives a schema change.
fn cacheable(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or("").to_ascii_uppercase();
    matches!(head.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE")
}

/// The cached statement for `sql` (prepared on first use), or `None` for
/// statements that are not cached.
fn pg_statement<C: postgres::GenericClient>(c: &mut C, stmts: &mut StmtCache, sql: &str) -> Result<Option<postgres::Statement>> {
    if !cacheable(sql) {
        return Ok(None);
    }
    if let Some(s) = stmts.map.get(sql) {
        return Ok(Some(s.clone()));
    }
    let st = c.prepare(&pg_placeholders(sql)).map_err(|e| pg_err(stmts, e))?;
    // A bound on the cache: the store's statements are a fixed set, but a
    // caller building SQL text would otherwise grow it without limit.
    if stmts.map.len() >= 512 {
        stmts.map.clear();
    }
    stmts.map.insert(sql.to_string(), st.clone());
    Ok(Some(st))
}

fn pg_query<C: postgres::GenericClient>(c: &mut C, stmts: &mut StmtCache, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
    let p = pg_params(params);
    let rows = match pg_statement(c, stmts, sql)? {
        Some(st) => c.query(&st, &pg_refs!(p)),
        None => c.query(pg_placeholders(sql).as_str(), &pg_refs!(p)),
    }
    .map_err(|e| pg_err(stmts, e))?;
    rows.iter().map(pg_row).collect()
}

fn pg_exec<C: postgres::GenericClient>(c: &mut C, stmts: &mut StmtCache, sql: &str, params: &[Value]) -> Result<usize> {
    let p = pg_params(params);
    let n = match pg_statement(c, stmts, sql)? {
        Some(st) => c.execute(&st, &pg_refs!(p)),
        None => c.execute(pg_placeholders(sql).as_str(), &pg_refs!(p)),
    }
    .map_err(|e| pg_err(stmts, e))?;
    Ok(n as usize)
}

pub(crate) enum Tx<'a, 'b> {
    Sqlite(&'a rusqlite::Transaction<'b>),
    Postgres(&'a mut postgres::Transaction<'b>, &'a mut StmtCache),
}

fn sqlite_params(params: &[Value]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::I64(i) => rusqlite::types::Value::Integer(*i),
            Value::F64(f) => rusqlite::types::Value::Real(*f),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
            Value::Bytes(b) => rusqlite::types::Value::Blob(b.clone()),
        })
        .collect()
}

fn sqlite_query(c: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
    let mut st = c.prepare_cached(sql).map_err(db)?;
    let n = st.column_count();
    let mut rows = st.query(rusqlite::params_from_iter(sqlite_params(params))).map_err(db)?;
    let mut out = vec![];
    while let Some(r) = rows.next().map_err(db)? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            use rusqlite::types::ValueRef;
            row.push(match r.get_ref(i).map_err(db)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::I64(i),
                ValueRef::Real(f) => Value::F64(f),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
            });
        }
        out.push(row);
    }
    Ok(out)
}

fn sqlite_exec(c: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<usize> {
    let mut st = c.prepare_cached(sql).map_err(db)?;
    st.execute(rusqlite::params_from_iter(sqlite_params(params))).map_err(db)
}

type PgParam = Box<dyn postgres::types::ToSql + Sync>;

fn pg_params(params: &[Value]) -> Vec<PgParam> {
    params
        .iter()
        .map(|v| -> PgParam {
            match v {
                Value::Null => Box::new(None::<String>),
                Value::I64(i) => Box::new(*i),
                Value::F64(f) => Box::new(*f),
                Value::Text(s) => Box::new(s.clone()),
                Value::Bytes(b) => Box::new(b.clone()),
            }
        })
        .collect()
}

fn pg_row(r: &postgres::Row) -> Result<Vec<Value>> {
    use postgres::types::Type;
    let mut row = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let t = col.type_();
        let v = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i).map_err(db)?.map_or(Value::Null, Value::I64)
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i).map_err(db)?.map_or(Value::Null, |x| Value::I64(x as i64))
        } else if *t == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i).map_err(db)?.map_or(Value::Null, Value::F64)
        } else if *t == Type::BYTEA {
            r.try_get::<_, Option<Vec<u8>>>(i).map_err(db)?.map_or(Value::Null, Value::Bytes)
        } else if *t == Type::TEXT || *t == Type::VARCHAR {
            r.try_get::<_, Option<String>>(i).map_err(db)?.map_or(Value::Null, Value::Text)
        } else {
            return Err(StoreError::Db(format!("unexpected column type {t} for `{}`", col.name())));
        };
        row.push(v);
    }
    Ok(row)
}


impl Backend {
    pub(crate) fn open(url: &str) -> Result<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(Box::new(Pg::connect(url)?)));
        }
        let path = url.strip_prefix("sqlite:").unwrap_or(url);
        let c = rusqlite::Connection::open(path).map_err(|e| StoreError::Db(format!("cannot open SQLite database {path}: {e}")))?;
        c.busy_timeout(std::time::Duration::from_secs(10)).map_err(db)?;
        c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(db)?;
        Ok(Backend::Sqlite(c))
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub(crate) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        match self {
            Backend::Sqlite(c) => sqlite_query(c, sql, params),
            Backend::Postgres(pg) => {
                let (client, stmts) = pg.live()?;
                pg_query(client, stmts, sql, params)
            }
        }
    }

    pub(crate) fn exec(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        match self {
            Backend::Sqlite(c) => sqlite_exec(c, sql, params),
            Backend::Postgres(pg) => {
                let (client, stmts) = pg.live()?;
                pg_exec(client, stmts, sql, params)
            }
        }
    }

    /// Runs several statements (no parameters) in one transaction.
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Backend::Sqlite(c) => {
                let tx = c.transaction().map_err(db)?;
                tx.execute_batch(sql).map_err(db)?;
                tx.commit().map_err(db)
            }
            Backend::Postgres(pg) => {
                let (client, stmts) = pg.live()?;
                let mut tx = client.transaction().map_err(|e| pg_err(stmts, e))?;
                tx.batch_execute(sql).map_err(|e| pg_err(stmts, e))?;
                tx.commit().map_err(|e| pg_err(stmts, e))
            }
        }
    }

    pub(crate) fn transaction<T>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T>) -> Result<T> {
        match self {
            Backend::Sqlite(c) => {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db)?;
                let r = f(&mut Tx::Sqlite(&tx));
                match r {
                    Ok(v) => {
                        tx.commit().map_err(db)?;
                        Ok(v)
                    }
                    Err(e) => Err(e), // dropped: rolled back
                }
            }
            Backend::Postgres(pg) => {
                let (client, stmts) = pg.live()?;
                let mut tx = client.transaction().map_err(|e| pg_err(stmts, e))?;
                let r = f(&mut Tx::Postgres(&mut tx, stmts));
                match r {
                    Ok(v) => {
                        tx.commit().map_err(|e| pg_err(stmts, e))?;
                        Ok(v)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }
}

impl Tx<'_, '_> {
    pub(crate) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        match self {
            Tx::Sqlite(t) => sqlite_query(t, sql, params),
            Tx::Postgres(t, stmts) => pg_query(*t, stmts, sql, params),
        }
    }

    pub(crate) fn exec(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        match self {
            Tx::Sqlite(t) => sqlite_exec(t, sql, params),
            Tx::Postgres(t, stmts) => pg_exec(*t, stmts, sql, params),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_data_statements_are_cached() {
        for (sql, cached) in [
            ("SELECT 1", true),
            ("  insert into t VALUES (?)", true),
            ("UPDATE t SET a = ?", true),
            ("DELETE FROM t", true),
            ("ALTER TABLE t ADD COLUMN c TEXT", false),
            ("CREATE INDEX i ON t (a)", false),
            ("SEL", false),
            ("", false),
        ] {
            assert_eq!(super::cacheable(sql), cached, "{sql}");
        }
    }

    #[test]
    fn placeholders() {
        assert_eq!(super::pg_placeholders("a = ? AND b = '?' AND c = ?"), "a = $1 AND b = '?' AND c = $2");
    }
}
