//! The store against both backends: SQLite (a temporary file) and a real
//! PostgreSQL (`LODESTONE_TEST_DATABASE_URL`, which `scripts/test` sets after
//! starting a private server on loopback; without it the PostgreSQL tests
//! FAIL on purpose, since a skipped backend would look like a passing one).

use lodestone_store::{hash_token, Store, StoreError};

struct Db {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("lodestone.db").display());
    Db { url, _dir: Some(dir) }
}

/// A fresh database on the test server, so tests do not see each other.
fn postgres() -> Db {
    let base = std::env::var("LODESTONE_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!("LODESTONE_TEST_DATABASE_URL is not set: run scripts/test (it starts PostgreSQL on loopback) or point it at a server")
    });
    let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("connect to the test server");
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let name = format!("lodestone_test_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>());
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = match base.rfind('/') {
        Some(i) if base[i + 1..].chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') => format!("{}/{name}", &base[..i]),
        _ => panic!("LODESTONE_TEST_DATABASE_URL must end in /DBNAME: {base}"),
    };
    Db { url, _dir: None }
}

/// Raw rows of one column, read with the backend's own client (not the store).
fn raw_column(db: &Db, sql: &str) -> Vec<String> {
    if db.url.starts_with("sqlite:") {
        let c = rusqlite::Connection::open(db.url.trim_start_matches("sqlite:")).unwrap();
        let mut st = c.prepare(sql).unwrap();
        st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect()
    } else {
        let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        c.query(sql, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)).collect()
    }
}

fn raw_exec(db: &Db, sql: &str) -> Result<(), String> {
    if db.url.starts_with("sqlite:") {
        let c = rusqlite::Connection::open(db.url.trim_start_matches("sqlite:")).unwrap();
        c.execute_batch(sql).map_err(|e| e.to_string())
    } else {
        let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        c.batch_execute(sql).map_err(|e| format!("{e}: {:?}", e.as_db_error().map(|d| d.message())))
    }
}

fn parties_users_tokens(db: Db) {
    let mut s = Store::open(&db.url).unwrap();
    assert_eq!(s.schema_version().unwrap(), 2);
    s.add_party("japan").unwrap();
    s.add_party("usa").unwrap();
    assert!(matches!(s.add_party("japan"), Err(StoreError::Conflict(_))));
    assert!(matches!(s.add_party("bad name!"), Err(StoreError::Invalid(_))));
    assert!(matches!(s.add_user("nowhere", "x"), Err(StoreError::NotFound(_))));
    let (u, token) = s.add_user("japan", "aiko").unwrap();
    assert_eq!(u.party, "japan");
    let p = s.authenticate(&token).unwrap().expect("a live token");
    assert_eq!((p.user.as_str(), p.party.as_str()), ("aiko", "japan"));
    assert!(s.authenticate("lst_0000").unwrap().is_none());
    assert!(s.authenticate(&"x".repeat(10_000)).unwrap().is_none());
    // Only the SHA-256 is stored, never the token.
    let hashes = raw_column(&db, "SELECT hash FROM tokens");
    assert_eq!(hashes, vec![hash_token(&token)]);
    assert!(!raw_column(&db, "SELECT hash || id || user_id FROM tokens")[0].contains(&token[4..]));
    let second = s.add_token("aiko").unwrap();
    assert!(s.authenticate(&second).unwrap().is_some());
    assert_eq!(s.revoke_tokens("aiko").unwrap(), 2);
    assert!(s.authenticate(&token).unwrap().is_none());
    assert!(s.authenticate(&second).unwrap().is_none());
    assert_eq!(s.parties().unwrap().len(), 2);
    // Reopening migrates nothing twice.
    drop(s);
    let mut s = Store::open(&db.url).unwrap();
    assert_eq!(s.schema_version().unwrap(), 2);
    assert_eq!(s.users().unwrap().len(), 1);
}

fn audit_is_append_only(db: Db) {
    let mut s = Store::open(&db.url).unwrap();
    s.add_party("japan").unwrap();
    let (_, t) = s.add_user("japan", "aiko").unwrap();
    let p = s.authenticate(&t).unwrap().unwrap();
    s.audit(Some(&p), "query.exposure", "commodity", "nickel/mining", "").unwrap();
    let log = s.audit_log(None, 100).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["party.add", "user.add", "query.exposure"]);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(log[2].user.as_deref(), Some("aiko"));
    assert_eq!(s.audit_log(Some("japan"), 100).unwrap().len(), 1);
    let e = raw_exec(&db, "UPDATE audit_log SET detail = 'x'").unwrap_err();
    assert!(e.contains("append-only"), "{e}");
    let e = raw_exec(&db, "DELETE FROM audit_log").unwrap_err();
    assert!(e.contains("append-only"), "{e}");
    assert_eq!(s.audit_log(None, 100).unwrap().len(), 3);
}

fn dataset_versions(db: Db) {
    let mut s = Store::open(&db.url).unwrap();
    s.add_party("japan").unwrap();
    s.add_party("usa").unwrap();
    let (_, tj) = s.add_user("japan", "aiko").unwrap();
    let (_, tu) = s.add_user("usa", "bob").unwrap();
    let pj = s.authenticate(&tj).unwrap().unwrap();
    let pu = s.authenticate(&tu).unwrap().unwrap();
    let a = s.put_dataset_version(&pj, "stockpiles", b"holder,quantity\nJP,100\n").unwrap();
    assert_eq!(a.version, 1);
    // sha256("holder,quantity\nJP,100\n"), computed with `sha256sum`.
    assert_eq!(a.content_hash, "a9a6075bb28965ccda074d3e8ea8fe78ffd475846611c34337e258e91b027451");
    let again = s.put_dataset_version(&pj, "stockpiles", b"holder,quantity\nJP,100\n").unwrap();
    assert_eq!(again.id, a.id);
    let b = s.put_dataset_version(&pj, "stockpiles", b"holder,quantity\nJP,120\n").unwrap();
    assert_eq!(b.version, 2);
    let vs = s.dataset_versions(&pj.party_id, "stockpiles").unwrap();
    assert_eq!(vs.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(s.dataset_content(&pj.party_id, &a.id).unwrap(), b"holder,quantity\nJP,100\n");
    // Another party can neither list nor read it, and cannot tell it exists.
    assert!(s.dataset_versions(&pu.party_id, "stockpiles").unwrap().is_empty());
    assert!(matches!(s.dataset_content(&pu.party_id, &a.id), Err(StoreError::NotFound(_))));
    // The same name is a different dataset for another party.
    assert_eq!(s.put_dataset_version(&pu, "stockpiles", b"x").unwrap().version, 1);

    // The joint workspace holds only datasets whose latest version is contributed.
    assert!(s.contributed_versions().unwrap().is_empty());
    let c = s.put_dataset_version_with(&pj, "plants", b"a", true).unwrap();
    s.put_dataset_version_with(&pu, "plants", b"b", false).unwrap();
    let joint = s.contributed_versions().unwrap();
    assert_eq!(joint.len(), 1);
    assert_eq!((joint[0].1.as_str(), joint[0].2.as_str(), joint[0].3.as_str(), joint[0].4.as_slice()), ("japan", "plants", c.id.as_str(), &b"a"[..]));
    // Same content, now private: a new version, and the dataset leaves the workspace.
    assert_eq!(s.put_dataset_version_with(&pj, "plants", b"a", false).unwrap().version, 2);
    assert!(s.contributed_versions().unwrap().is_empty());
}

fn jobs(db: Db) {
    let mut s = Store::open(&db.url).unwrap();
    s.add_party("japan").unwrap();
    s.add_party("usa").unwrap();
    let (_, tj) = s.add_user("japan", "aiko").unwrap();
    let (_, tu) = s.add_user("usa", "bob").unwrap();
    let pj = s.authenticate(&tj).unwrap().unwrap();
    let pu = s.authenticate(&tu).unwrap().unwrap();
    let j = s.create_job(&pj, "stress", "{\"scenario\":\"x\"}").unwrap();
    assert_eq!(j.status, "queued");
    let (id, kind, input) = s.claim_job().unwrap().unwrap();
    assert_eq!((id.as_str(), kind.as_str(), input.as_str()), (j.id.as_str(), "stress", "{\"scenario\":\"x\"}"));
    assert!(s.claim_job().unwrap().is_none());
    s.set_progress(&id, 0.4).unwrap();
    assert!((s.job(&pj.party_id, &id).unwrap().progress - 0.4).abs() < 1e-12);
    // The process dies here; on restart the job goes back to the queue.
    assert_eq!(s.requeue_interrupted().unwrap(), vec![id.clone()]);
    let back = s.job(&pj.party_id, &id).unwrap();
    assert_eq!((back.status.as_str(), back.progress), ("queued", 0.0));
    assert!(back.result.is_none());
    let (id2, _, _) = s.claim_job().unwrap().unwrap();
    assert_eq!(id2, id);
    s.finish_job(&id, "{\"total\":3}").unwrap();
    let done = s.job(&pj.party_id, &id).unwrap();
    assert_eq!((done.status.as_str(), done.result.as_deref()), ("done", Some("{\"total\":3}")));
    // Another party's job is "not found".
    assert!(matches!(s.job(&pu.party_id, &id), Err(StoreError::NotFound(_))));
    assert!(matches!(s.cancel_job(&pu, &id), Err(StoreError::NotFound(_))));
    let k = s.create_job(&pu, "plan", "{}").unwrap();
    assert_eq!(s.cancel_job(&pu, &k.id).unwrap().status, "cancelled");
    assert!(s.claim_job().unwrap().is_none());
}

macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(super::sqlite())
            }
            #[test]
            fn postgres() {
                super::$name(super::postgres())
            }
        }
    };
}

both!(parties_users_tokens);
both!(audit_is_append_only);
both!(dataset_versions);
both!(jobs);
