//! `lodestone admin`: parties, users and API tokens in the shared
//! workspace's database (the one `lodestone serve` will use): SQLite
//! `lodestone.db` in the working directory by default, PostgreSQL with
//! `--database-url postgres://...`.

use crate::{CliError, Result};
use lodestone_store::{Store, StoreError};

#[derive(clap::Args)]
pub struct AdminArgs {
    /// Database: `postgres://USER@HOST:PORT/DB`, `sqlite:PATH` or a path
    /// (default: lodestone.db in the working directory; also read from
    /// LODESTONE_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL", env = "LODESTONE_DATABASE_URL", default_value = "sqlite:lodestone.db")]
    pub database_url: String,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Parties (partner governments, firms): each user belongs to one.
    #[command(subcommand)]
    Party(PartyCommand),
    /// Users; adding one prints its first API token (shown once).
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit log (who did what, when, to which object).
    Audit {
        /// Only what users of this party did.
        #[arg(long)]
        party: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Only entries after this sequence number (the first column), to
        /// page through a long log.
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
    /// What the joint workspace holds: every contributed dataset version,
    /// its party and the level other parties may see (country-stage,
    /// global-stage, none).
    Workspace,
}

#[derive(clap::Subcommand)]
pub enum PartyCommand {
    /// Add a party.
    Add { name: String },
    /// List parties.
    List,
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add a user to a party and print a new API token (only a hash is kept).
    Add {
        #[arg(long)]
        party: String,
        #[arg(long)]
        name: String,
    },
    /// List users.
    List,
}

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// A further token for a user (printed once).
    Add {
        #[arg(long)]
        user: String,
    },
    /// Revoke every live token of a user.
    Revoke {
        #[arg(long)]
        user: String,
    },
}

fn err(e: StoreError) -> CliError {
    match e {
        StoreError::Db(m) => CliError::Internal(m),
        other => CliError::Input(other.to_string()),
    }
}

pub fn admin(a: &AdminArgs) -> Result<()> {
    let mut s = Store::open(&a.database_url).map_err(|e| match e {
        StoreError::Db(m) => CliError::Input(m),
        other => err(other),
    })?;
    match &a.command {
        AdminCommand::Party(PartyCommand::Add { name }) => {
            let p = s.add_party(name).map_err(err)?;
            println!("added party {} ({})", p.name, p.id);
        }
        AdminCommand::Party(PartyCommand::List) => {
            for p in s.parties().map_err(err)? {
                println!("{}\t{}\t{}", p.name, p.id, p.created_at);
            }
        }
        AdminCommand::User(UserCommand::Add { party, name }) => {
            let (u, token) = s.add_user(party, name).map_err(err)?;
            eprintln!("added user {} to party {}; its API token (shown only now):", u.name, u.party);
            println!("{token}");
        }
        AdminCommand::User(UserCommand::List) => {
            for u in s.users().map_err(err)? {
                println!("{}\t{}\t{}", u.name, u.party, u.created_at);
            }
        }
        AdminCommand::Token(TokenCommand::Add { user }) => {
            let t = s.add_token(user).map_err(err)?;
            eprintln!("new API token for {user} (shown only now):");
            println!("{t}");
        }
        AdminCommand::Token(TokenCommand::Revoke { user }) => {
            let n = s.revoke_tokens(user).map_err(err)?;
            println!("revoked {n} token(s) of {user}");
        }
        AdminCommand::Workspace => {
            for line in workspace_lines(&mut s).map_err(err)? {
                println!("{line}");
            }
        }
        AdminCommand::Audit { party, limit, after } => {
            for e in s.audit_page(party.as_deref(), *limit, *after).map_err(err)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{} {}\t{}",
                    e.seq,
                    e.at,
                    e.party.unwrap_or_else(|| "-".into()),
                    e.user.unwrap_or_else(|| "admin".into()),
                    e.action,
                    e.object_kind,
                    e.object_id,
                    e.detail
                );
            }
        }
    }
    Ok(())
}

/// One line per contributed version: party, dataset, version, share level,
/// version id (tab-separated, by party then dataset).
fn workspace_lines(s: &mut Store) -> std::result::Result<Vec<String>, StoreError> {
    Ok(s
        .contribution_index()?
        .into_iter()
        .map(|c| format!("{}\t{}\tv{}\t{}\t{}", c.party, c.dataset, c.version, c.share.as_str(), c.version_id))
        .collect())
}

#[cfg(test)]
mod tests {
    use lodestone_store::{ShareLevel, Store};

    #[test]
    fn workspace_lists_contributed_versions_with_their_levels() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&format!("sqlite:{}", dir.path().join("w.db").display())).unwrap();
        s.add_party("usa").unwrap();
        s.add_party("japan").unwrap();
        let (_, tu) = s.add_user("usa", "bob").unwrap();
        let (_, tj) = s.add_user("japan", "aiko").unwrap();
        let (pu, pj) = (s.authenticate(&tu).unwrap().unwrap(), s.authenticate(&tj).unwrap().unwrap());
        let a = s.put_dataset_version_shared(&pu, "stocks", b"1", true, ShareLevel::GlobalStage).unwrap();
        s.put_dataset_version_shared(&pj, "private", b"2", false, ShareLevel::CountryStage).unwrap();
        s.put_dataset_version_shared(&pj, "plants", b"3", true, ShareLevel::CountryStage).unwrap();
        let b = s.put_dataset_version_shared(&pj, "plants", b"4", true, ShareLevel::None).unwrap();
        assert_eq!(
            super::workspace_lines(&mut s).unwrap(),
            [format!("japan\tplants\tv2\tnone\t{}", b.id), format!("usa\tstocks\tv1\tglobal-stage\t{}", a.id)]
        );
    }
}
