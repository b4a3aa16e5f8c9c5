//! `hooklens trigger`: send a realistic, correctly signed sample event, offline.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use hooklens_engine::provider::samples::{PROVIDERS, sample};

#[derive(Args)]
pub struct TriggerArgs {
    /// stripe, github, shopify, slack, standard-webhooks, paddle, zoom, pagerduty, twitch,
    /// gitlab, linear or typeform.
    provider: String,
    /// The event type, e.g. payment_intent.payment_failed, issues.closed, orders/paid.
    /// Default: the provider's most common one.
    #[arg(long)]
    event: Option<String>,
    /// Where to send it: your service, or a running Hooklens receiver (the default).
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:4780/")]
    to: String,
    /// Sign it with this secret (as the provider would with yours). Default: unsigned.
    #[arg(long, env = "HOOKLENS_TRIGGER_SECRET", hide_env_values = true)]
    secret: Option<String>,
}

pub async fn run(args: TriggerArgs) -> Result<()> {
    if !PROVIDERS.iter().any(|(p, _)| *p == args.provider) {
        let names: Vec<&str> = PROVIDERS.iter().map(|(p, _)| *p).collect();
        bail!(
            "no samples for {:?}: use one of {}",
            args.provider,
            names.join(", ")
        );
    }
    let now_s = hooklens_store::now_us() / 1_000_000;
    let sample = sample(&args.provider, args.event.as_deref(), now_s)?;
    let headers = sample.headers_signed(args.secret.as_deref(), now_s)?;
    let client = reqwest::Client::builder().no_proxy().build()?;
    let mut request = client.post(&args.to).body(sample.body.clone());
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let response = request
        .send()
        .await
        .with_context(|| format!("cannot send to {} — is it running?", args.to))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let excerpt: String = text.chars().take(200).collect();
    println!(
        "{} {}{} → {} in {:.0} ms  {excerpt}",
        sample.provider,
        sample.event_type,
        if args.secret.is_some() {
            " (signed)"
        } else {
            ""
        },
        status.as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    if !status.is_success() {
        bail!("{} answered {status}", args.to);
    }
    Ok(())
}
