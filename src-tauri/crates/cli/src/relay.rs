//! `hooklens relay token create|list|revoke`: the tokens that may read this Hooklens's relay
//! stream. Works on the data directory directly, whether or not `hooklens serve` runs on it:
//! a running relay notices a new or revoked token within a second (it reads them again),
//! and a revoked token's open streams end then.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use hooklens_cli::DataDir;
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
    },
    /// List the tokens (never their secrets): name, made, last used, revoked.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Revoke a token: it opens nothing any more, and its open streams end within a second.
    Revoke {
        name: String,
        #[command(flatten)]
        data: DataDir,
    },
}

pub async fn run(args: RelayArgs) -> Result<()> {
    let RelayCommand::Token(command) = args.command;
    match command {
        TokenCommand::Create { name, data } => {
            let store = open(data, true)?;
            let made = tokens::issue(&store, &name).await;
            store.close().await?;
            let (_, secret) = made?;
            say!("{secret}");
            eprintln!(
                "relay token {name:?} made: it is shown only this once. Subscribe with \
                 --relay-from URL --relay-token TOKEN, or in Settings → Relay."
            );
        }
        TokenCommand::List { data } => {
            let store = open(data, false)?;
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
        TokenCommand::Revoke { name, data } => {
            let store = open(data, false)?;
            let revoked = store.revoke_relay_token(&name).await;
            store.close().await?;
            revoked?;
            eprintln!("relay token {name:?} revoked");
        }
    }
    Ok(())
}

/// The store in `data`; one that does not exist yet is made only when `create`.
fn open(data: DataDir, create: bool) -> Result<Store> {
    let dir = data.resolve()?;
    if !create && !dir.join(hooklens_store::DB_FILE).exists() {
        bail!(
            "no Hooklens data in {}: pass the --data-dir that `hooklens serve` uses",
            dir.display()
        );
    }
    Store::open(&dir).with_context(|| format!("cannot open the store in {}", dir.display()))
}
