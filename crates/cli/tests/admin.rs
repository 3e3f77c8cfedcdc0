//! `lodestone admin` on a SQLite file: the token it prints authenticates
//! (checked through the store, not the CLI), duplicates and unknown names
//! are input errors (exit 2), revocation works, the audit log records it all.

use std::process::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lodestone"))
        .current_dir(dir)
        .env_remove("LODESTONE_DATABASE_URL")
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn parties_users_tokens_and_audit() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    assert_eq!(run(dir, &["admin", "party", "add", "japan"]).0, 0);
    let (code, _, err) = run(dir, &["admin", "party", "add", "japan"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = run(dir, &["admin", "user", "add", "--party", "nowhere", "--name", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("no party `nowhere`"), "{err}");
    let (code, token, _) = run(dir, &["admin", "user", "add", "--party", "japan", "--name", "aiko"]);
    assert_eq!(code, 0);
    let token = token.trim().to_string();
    // The default database is lodestone.db in the working directory.
    let url = format!("sqlite:{}", dir.join("lodestone.db").display());
    let mut s = lodestone_store::Store::open(&url).unwrap();
    let p = s.authenticate(&token).unwrap().expect("the printed token is live");
    assert_eq!((p.user.as_str(), p.party.as_str()), ("aiko", "japan"));
    drop(s);
    let (code, out, _) = run(dir, &["admin", "token", "revoke", "--user", "aiko"]);
    assert_eq!(code, 0);
    assert!(out.contains("revoked 1 token"));
    let mut s = lodestone_store::Store::open(&url).unwrap();
    assert!(s.authenticate(&token).unwrap().is_none());
    let (_, audit, _) = run(dir, &["admin", "audit"]);
    let actions: Vec<&str> = audit.lines().map(|l| l.split('\t').nth(4).unwrap()).collect();
    assert_eq!(actions, ["party.add", "user.add", "token.revoke"]);
    // --database-url another file: a separate workspace.
    let (code, out, _) = run(dir, &["admin", "--database-url", "sqlite:other.db", "party", "list"]);
    assert_eq!(code, 0);
    assert!(out.trim().is_empty());
}
