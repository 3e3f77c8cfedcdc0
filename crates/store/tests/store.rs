//! The store against both backends: SQLite (a temporary file) and a real
//! PostgreSQL (`LODESTONE_TEST_DATABASE_URL`, which `scripts/test` sets after
//! starting a private server on loopback; without it the PostgreSQL tests
//! FAIL on purpose, since a skipped backend would look like a passing one).

use lodestone_store::{hash_token, ShareLevel, Store, StoreError};

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
    assert_eq!(s.schema_version().unwrap(), 4);
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
    assert_eq!(s.schema_version().unwrap(), 4);
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

    // Paging: versions after 1, at most 1.
    let page = s.dataset_versions_page(&pj.party_id, "stockpiles", 1, 1).unwrap();
    assert_eq!(page.iter().map(|v| v.version).collect::<Vec<_>>(), [2]);
    assert!(s.dataset_versions_page(&pj.party_id, "stockpiles", 10, 2).unwrap().is_empty());
    assert!(s.has_dataset(&pj.party_id, "stockpiles").unwrap());
    // Datasets by name, each as its latest version; paged by name.
    s.put_dataset_version(&pj, "alpha", b"1").unwrap();
    let listed: Vec<(String, i64)> = s.list_datasets(&pj.party_id, 10, "").unwrap().into_iter().map(|v| (v.dataset, v.version)).collect();
    assert_eq!(listed, [("alpha".to_string(), 1), ("stockpiles".to_string(), 2)]);
    let page2: Vec<String> = s.list_datasets(&pj.party_id, 1, "alpha").unwrap().into_iter().map(|v| v.dataset).collect();
    assert_eq!(page2, ["stockpiles"]);
    // usa's own `stockpiles` (version 1, above), not japan's.
    let theirs: Vec<(String, i64)> = s.list_datasets(&pu.party_id, 10, "").unwrap().into_iter().map(|v| (v.dataset, v.version)).collect();
    assert_eq!(theirs, [("stockpiles".to_string(), 1)]);
    assert!(!s.has_dataset(&pu.party_id, "never").unwrap());

    // The joint workspace holds only datasets whose latest version is contributed.
    assert!(s.contributions().unwrap().is_empty());
    let c = s.put_dataset_version_with(&pj, "plants", b"a", true).unwrap();
    assert_eq!((c.contributed, c.share), (true, ShareLevel::CountryStage));
    s.put_dataset_version_with(&pu, "plants", b"b", false).unwrap();
    let joint = s.contributions().unwrap();
    assert_eq!(joint.len(), 1);
    assert_eq!(
        (joint[0].party.as_str(), joint[0].dataset.as_str(), joint[0].version_id.as_str(), joint[0].version, joint[0].share, joint[0].content.as_slice()),
        ("japan", "plants", c.id.as_str(), 1, ShareLevel::CountryStage, &b"a"[..])
    );
    assert_eq!(s.contribution(&c.id).unwrap(), joint[0]);
    // The index is the same list without the contents.
    let mut bare = joint.clone();
    bare[0].content.clear();
    assert_eq!(s.contribution_index().unwrap(), bare);
    // Same content, now private: a new version, and the dataset leaves the workspace.
    let private = s.put_dataset_version_with(&pj, "plants", b"a", false).unwrap();
    assert_eq!(private.version, 2);
    assert!(s.contributions().unwrap().is_empty());
    // A private version is never handed out as a contribution, even by id.
    assert!(matches!(s.contribution(&private.id), Err(StoreError::NotFound(_))));
    // The owner's level is stored with the version; the same content at
    // another level is a new version; the same level again is not.
    let g = s.put_dataset_version_shared(&pj, "plants", b"a", true, ShareLevel::GlobalStage).unwrap();
    assert_eq!((g.version, g.share), (3, ShareLevel::GlobalStage));
    assert_eq!(s.put_dataset_version_shared(&pj, "plants", b"a", true, ShareLevel::GlobalStage).unwrap().id, g.id);
    let n = s.put_dataset_version_shared(&pj, "plants", b"a", true, ShareLevel::None).unwrap();
    assert_eq!(n.version, 4);
    assert_eq!(s.contributions().unwrap().iter().map(|c| (c.version, c.share)).collect::<Vec<_>>(), [(4, ShareLevel::None)]);
    let listed = s.dataset_versions(&pj.party_id, "plants").unwrap();
    assert_eq!(
        listed.iter().map(|v| (v.version, v.contributed, v.share)).collect::<Vec<_>>(),
        [(1, true, ShareLevel::CountryStage), (2, false, ShareLevel::CountryStage), (3, true, ShareLevel::GlobalStage), (4, true, ShareLevel::None)]
    );
    // Read back with the backend's own client: the column holds the text.
    let mut levels = raw_column(&db, "SELECT share_level FROM dataset_versions WHERE contributed = 1 ORDER BY version");
    levels.sort();
    assert_eq!(levels, ["country-stage", "global-stage", "none"]);
    // The database refuses a level outside the three.
    assert!(raw_exec(&db, "UPDATE dataset_versions SET share_level = 'rows'").is_err());
    assert_eq!(ShareLevel::ALL.map(|l| ShareLevel::parse(l.as_str())), ShareLevel::ALL.map(Some));
    assert_eq!(ShareLevel::parse("country"), None);
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
    assert_eq!(j.started_at, None);
    s.set_progress(&id, 0.4).unwrap();
    let running = s.job(&pj.party_id, &id).unwrap();
    assert!((running.progress - 0.4).abs() < 1e-12);
    // Claimed: running since the claim; its ETA is elapsed x 0.6 / 0.4.
    let started = running.started_at.clone().expect("a running job has a start");
    assert!(started >= j.created_at, "{started} before {}", j.created_at);
    let eta = lodestone_store::job_eta(&running.status, running.started_at.as_deref(), running.progress).unwrap();
    assert!((0.0..60.0).contains(&eta), "{eta}");
    assert_eq!(lodestone_store::job_eta("queued", running.started_at.as_deref(), 0.4), None);
    // The process dies here; on restart the job goes back to the queue.
    assert_eq!(s.requeue_interrupted().unwrap(), vec![id.clone()]);
    let back = s.job(&pj.party_id, &id).unwrap();
    assert_eq!((back.status.as_str(), back.progress, back.started_at.as_deref()), ("queued", 0.0, None));
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

    // Listing: newest first, per party, paged by the last id seen.
    let mut made = vec![j.id.clone()];
    for i in 0..4 {
        std::thread::sleep(std::time::Duration::from_millis(3));
        let x = s.create_job_labelled(&pj, "stress", &format!("scenario {i}"), "workspace", "{}").unwrap();
        assert_eq!((x.label.as_str(), x.data.as_str()), (format!("scenario {i}").as_str(), "workspace"));
        made.push(x.id);
    }
    made.reverse();
    let all = s.list_jobs(&pj.party_id, 100, None).unwrap();
    assert_eq!(all.iter().map(|x| x.id.clone()).collect::<Vec<_>>(), made);
    assert_eq!(all[0].label, "scenario 3");
    assert_eq!((all[4].label.as_str(), all[4].data.as_str(), all[4].status.as_str()), ("", "embedded", "done"));
    let p1 = s.list_jobs(&pj.party_id, 2, None).unwrap();
    let p2 = s.list_jobs(&pj.party_id, 2, Some(&p1[1].id)).unwrap();
    let p3 = s.list_jobs(&pj.party_id, 2, Some(&p2[1].id)).unwrap();
    let paged: Vec<String> = p1.iter().chain(&p2).chain(&p3).map(|x| x.id.clone()).collect();
    assert_eq!(paged, made);
    assert!(s.list_jobs(&pj.party_id, 2, Some(&p3[0].id)).unwrap().is_empty());
    // usa's list holds only its job; japan's job is no cursor for usa.
    assert_eq!(s.list_jobs(&pu.party_id, 100, None).unwrap().iter().map(|x| x.id.clone()).collect::<Vec<_>>(), [k.id.clone()]);
    assert!(matches!(s.list_jobs(&pu.party_id, 2, Some(&made[0])), Err(StoreError::Invalid(_))));
    // Labels are cut to 200 characters.
    let long = s.create_job_labelled(&pu, "plan", &"é".repeat(300), "embedded", "{}").unwrap();
    assert_eq!(long.label.chars().count(), 200);
}

#[test]
fn eta_is_elapsed_times_remaining_over_done() {
    // 100 s in at a quarter done: 300 s left; halfway after 30 s: 30 s.
    assert_eq!(lodestone_store::eta_seconds(1_000_000, 1_100_000, 0.25), Some(300.0));
    assert_eq!(lodestone_store::eta_seconds(0, 30_000, 0.5), Some(30.0));
    // No progress yet, or done: no estimate.
    assert_eq!(lodestone_store::eta_seconds(0, 30_000, 0.0), None);
    assert_eq!(lodestone_store::eta_seconds(0, 30_000, 1.0), None);
    assert_eq!(lodestone_store::eta_seconds(0, 30_000, f64::NAN), None);
    // A clock that went back counts as no time elapsed.
    assert_eq!(lodestone_store::eta_seconds(50_000, 30_000, 0.5), Some(0.0));
}

fn audit_pages(db: Db) {
    let mut s = Store::open(&db.url).unwrap();
    s.add_party("japan").unwrap();
    s.add_party("usa").unwrap();
    let (_, tj) = s.add_user("japan", "aiko").unwrap();
    let (_, tu) = s.add_user("usa", "bob").unwrap();
    let pj = s.authenticate(&tj).unwrap().unwrap();
    let pu = s.authenticate(&tu).unwrap().unwrap();
    for i in 0..5 {
        s.audit(Some(&pj), "query", "x", &format!("j{i}"), "").unwrap();
        s.audit(Some(&pu), "query", "x", &format!("u{i}"), "").unwrap();
    }
    let mut got = vec![];
    let mut after = 0;
    loop {
        let page = s.audit_page(Some("japan"), 2, after).unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        got.extend(page.iter().map(|e| e.object_id.clone()));
    }
    assert_eq!(got, ["j0", "j1", "j2", "j3", "j4"]);
    // Unfiltered, after the 4 setup entries: all ten in order.
    let all = s.audit_page(None, 100, 0).unwrap();
    assert_eq!(all.len(), 14);
    let tail: Vec<String> = s.audit_page(None, 100, all[3].seq).unwrap().into_iter().map(|e| e.object_id).collect();
    assert_eq!(tail, ["j0", "u0", "j1", "u1", "j2", "u2", "j3", "u3", "j4", "u4"]);
}

/// PostgreSQL ends the store's session (a restart, an administrator's
/// `pg_terminate_backend`): the statement that finds the connection closed
/// fails with a database error, never a panic, and the next one runs on a
/// new connection, with nothing lost.
#[test]
fn postgres_reconnects_after_the_server_ends_the_session() {
    let db = postgres();
    let mut s = Store::open(&db.url).unwrap();
    s.add_party("japan").unwrap();
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let dbname = db.url.rsplit('/').next().unwrap().to_string();
    let ended = admin
        .query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", &[&dbname])
        .unwrap();
    assert_eq!(ended.len(), 1, "the store's one session");
    // The first statement may find the connection closed (503 "try again"
    // in the server); within two tries it works, on a new connection.
    let first = s.parties();
    if let Err(e) = &first {
        assert!(matches!(e, StoreError::Db(_)), "{e}");
    }
    let names: Vec<String> = match first {
        Ok(p) => p,
        Err(_) => s.parties().unwrap(),
    }
    .into_iter()
    .map(|p| p.name)
    .collect();
    assert_eq!(names, ["japan"]);
    s.add_party("usa").unwrap();
    assert_eq!(raw_column(&db, "SELECT name FROM parties ORDER BY name"), ["japan", "usa"]);
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
both!(audit_pages);
