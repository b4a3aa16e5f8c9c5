//! `hooklens listen`: capture and forward, one terminal line per request and per delivery.
//! With `--relay-from`, what a relay stored while this was away arrives first, then live —
//! the smee / `stripe listen` experience without losing anything.

use std::io::IsTerminal;
use std::net::SocketAddr;

use anyhow::Result;
use clap::Args;
use hooklens_engine::{Config, Event, Listeners, human_bytes};
use hooklens_store::{Delivery, DeliveryState, Request};

use hooklens_cli::{DataDir, RelayFromArgs, Signals, forward_targets, token, with_flag_hint};
use hooklens_engine::relay::{RelayState, RelayStatus};

#[derive(Args)]
pub struct ListenArgs {
    /// Your local service, e.g. http://localhost:3000/webhooks: every captured request goes
    /// there, its path after --path appended. Must be loopback unless allow_remote_targets.
    #[arg(long, env = "HOOKLENS_FORWARD_TO", value_name = "URL")]
    forward_to: String,
    /// Only forward requests under this path prefix (stripped before forwarding), e.g.
    /// /stripe. Default: everything.
    #[arg(long, value_name = "PREFIX")]
    path: Option<String>,
    /// Receiver address. Default 127.0.0.1:4780.
    #[arg(long, env = "HOOKLENS_LISTEN", value_name = "ADDR",
          default_value = hooklens_engine::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Control API and inspector address (loopback). Default: any free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    api_listen: SocketAddr,
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    relay: RelayFromArgs,
}

pub async fn run(args: ListenArgs) -> Result<()> {
    let data_dir = args.data.resolve()?;
    let token = token::load_or_create(&data_dir)?;
    let mut config = Config::new(data_dir, token.clone());
    config.listen = args.listen;
    config.api_listen = args.api_listen;
    config.forward_to = forward_targets(std::slice::from_ref(&args.forward_to))?;
    config.forward_prefix = args.path.clone();
    config.relay_from = args.relay.spec();
    let signals = Signals::watch()?;
    let handle = hooklens_engine::run(config, Listeners::default())
        .await
        .map_err(with_flag_hint)?;
    let paint = Paint(std::io::stdout().is_terminal());
    say!(
        "Ready: {}{} → {}   (inspector: {}/login?token={token})",
        handle.receiver_url(),
        args.path.as_deref().unwrap_or("/"),
        args.forward_to,
        handle.api_url()
    );
    if let Some(url) = &args.relay.relay_from {
        say!("Mirroring {url}: what it stored while you were away first, then live");
    }
    say!("Press Ctrl-C to stop.");
    let mut events = handle.subscribe();
    // The subscription started with the engine: a state it reached before `subscribe` (a
    // certificate refused at the first attempt) comes with no event, so say where it stands.
    let now = handle.relays().status();
    let mut relay_state = now.state;
    if relay_state != RelayState::Off {
        say!("{}", relayed(&now, paint));
    }
    let store = handle.store().clone();
    let printer = tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(Event::RequestCaptured(request)) => say!("{}", captured(&request, paint)),
                Ok(Event::DeliveryUpdated(delivery)) => {
                    let latency = store
                        .attempts(delivery.seq)
                        .await
                        .ok()
                        .and_then(|a| a.last().map(|a| a.duration_us));
                    say!("{}", delivered(&delivery, latency, paint));
                }
                Ok(Event::RelayStatus(status)) if status.state != relay_state => {
                    relay_state = status.state;
                    say!("{}", relayed(&status, paint));
                }
                Ok(Event::TargetChanged { target, down }) => match down {
                    Some(why) => say!(
                        "{}",
                        paint.red(&format!("{target} is down: {why}; holding deliveries"))
                    ),
                    None => say!("{}", paint.green(&format!("{target} is back; delivering"))),
                },
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    say!("… {n} events skipped (too many to print)");
                }
                Err(_) => return,
            }
        }
    });
    signals.recv().await;
    printer.abort();
    handle.shutdown().await?;
    Ok(())
}

fn clock() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.get(11..19).unwrap_or_default().to_string()
}

fn captured(request: &Request, paint: Paint) -> String {
    let r = &request.meta;
    let path = match &r.query {
        Some(q) => format!("{}?{q}", r.path),
        None => r.path.clone(),
    };
    format!(
        "{}  {} {} {}  {}  [{}]",
        clock(),
        paint.dim("-->"),
        r.method,
        path,
        human_bytes(r.size),
        r.id
    )
}

fn relayed(s: &RelayStatus, paint: Paint) -> String {
    let url = s.url.as_deref().unwrap_or("the relay");
    let line = match (s.state, &s.error) {
        (RelayState::CatchingUp, _) => format!("relay {url}: catching up on {} requests", s.behind),
        (RelayState::Online, _) => format!("relay {url}: online"),
        (RelayState::Connecting, _) => format!("relay {url}: connecting"),
        (_, Some(why)) => format!("relay {url}: {why}"),
        (state, None) => format!("relay {url}: {state:?}"),
    };
    match s.state {
        RelayState::Online => paint.green(&line),
        RelayState::Error | RelayState::Reconnecting => paint.red(&line),
        _ => paint.yellow(&line),
    }
}

fn delivered(d: &Delivery, latency_us: Option<i64>, paint: Paint) -> String {
    let ms = latency_us.map_or(String::new(), |us| {
        format!("  {:.0} ms", us as f64 / 1000.0)
    });
    match (d.state, d.last_status) {
        (DeliveryState::Succeeded, Some(status)) => format!(
            "{}  {} {} {}{ms}  [{}]",
            clock(),
            paint.dim("<--"),
            paint.green(&status.to_string()),
            d.url,
            d.request_id
        ),
        (state, _) => {
            let why = d.last_error.clone().unwrap_or_else(|| "failed".into());
            let line = format!("{}  <-- {why}{ms}  [{}]", clock(), d.request_id);
            if state == DeliveryState::Failed {
                paint.red(&line)
            } else {
                paint.yellow(&line)
            }
        }
    }
}

/// ANSI colours, only when printing to a terminal.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn red(self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
}
