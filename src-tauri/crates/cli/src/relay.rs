//! `hooklens relay token create|list|revoke`: the tokens that may read this Hooklens's relay
//! stream. Works on the data directory (or the PostgreSQL database, with --database)
//! directly, whether or not `hooklens serve` runs on it:
//! a running relay notices a new or revoked token within a second (it reads them again),
//! and a revoked token's open streams end then.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hooklens_cli::{DataDir, Database};
use hooklens_engine::Store;
use hooklens_engine::relay::tokens;
use hooklens_store::format_us;

#[derive(Args)]
pub struct RelayArgs {
    #[command(subcommand)]
    command: RelayCommand,
}

#[derive(Subcommand)]
enum RelayCommand {
    /// Relay tokens: who may subscribe to this relay.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token and print it alone on stdout. It is kept only as a hash: copy it now.
    Create {
        /// Whom it is for: 1 to 64 letters, digits, `.`, `_` or `-`, e.g. alice-laptop.
        name: String,
        #[command(flatten)]
        data: DataDir,
        #[command(flatten)]
        database: Database,
    },
    /// List the tokens (never their secrets): name, made, last used, revoked.
    List {
        #[command(flatten)]
        data: DataDir,
        #[command(flatten)]
        database: Database,
    },
    /// Revoke a token: it opens nothing any more, and its open streams end within a second.
    Revoke {
        name: String,
        #[command(flatten)]
        data: DataDir,
        #[command(flatten)]
        database: Database,
    },
}

pub async fn run(args: RelayArgs) -> Result<()> {
    let RelayCommand::Token(command) = args.command;
    match command {
        TokenCommand::Create {
            name,
            data,
            database,
        } => {
            let store = open(data, database, true).await?;
            let made = tokens::issue(&store, &name).await;
            store.close().await?;
            let (_, secret) = made?;
            say!("{secret}");
            eprintln!(
                "relay token {name:?} made: it is shown only this once. Subscribe with \
                 --relay-from URL --relay-token TOKEN, or in Settings → Relay."
            );
        }
        TokenCommand::List { data, database } => {
            let store = open(data, database, false).await?;
            let all = store.relay_tokens().await;
            store.close().await?;
            let all = all?;
            if all.is_empty() {
                eprintln!("no relay tokens: make one with `hooklens relay token create NAME`");
            }
            for t in all {
                let used = t.last_used_us.map_or("never used".into(), |u| {
                    format!("last used {}", format_us(u))
                });
                let state = t
                    .revoked_at_us
                    .map_or("active".into(), |r| format!("revoked {}", format_us(r)));
                say!(
                    "{}\t{state}\tmade {}\t{used}",
                    t.name,
                    format_us(t.created_at_us)
                );
            }
        }
        TokenCommand::Revoke {
            name,
            data,
            database,
        } => {
            let store = open(data, database, false).await?;
            let revoked = store.revoke_relay_token(&name).await;
            store.close().await?;
            revoked?;
            eprintln!("relay token {name:?} revoked");
        }
    }
    Ok(())
}

/// The store `database` names (PostgreSQL: the tokens of every instance sharing it), else
/// the one in `data`, which is made when it does not exist yet only when `create`.
async fn open(data: DataDir, database: Database, create: bool) -> Result<Store> {
    if database.database.is_some() || !create {
        return database.open_store(data).await;
    }
    let dir = data.resolve()?;
    Store::open(&dir).with_context(|| format!("cannot open the store in {}", dir.display()))
}
