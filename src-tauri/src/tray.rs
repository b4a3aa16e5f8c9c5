//! The tray: where Hooklens stands (receiver URL, public URL, the relay it mirrors, today's
//! count, where requests are forwarded and whether those targets are up, failing targets) and
//! what to do (open, copy, go public or private, pause, settings, quit). The
//! status lines follow the engine's live events.

use std::collections::BTreeSet;

use hooklens_cli::Started;
use hooklens_engine::Event;
use hooklens_engine::relay::{RelayState, RelayStatus};
use hooklens_engine::tunnel::{TunnelSpec, TunnelState, TunnelStatus};
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_clipboard_manager::ClipboardExt as _;
use tokio::sync::broadcast::error::RecvError;

use crate::Engine;
use crate::settings::Settings;

/// The menu items whose text or check mark changes.
#[derive(Clone)]
struct Items {
    tunnel: MenuItem<tauri::Wry>,
    relay: MenuItem<tauri::Wry>,
    today: MenuItem<tauri::Wry>,
    forward: MenuItem<tauri::Wry>,
    failing: MenuItem<tauri::Wry>,
    public: MenuItem<tauri::Wry>,
    pause: CheckMenuItem<tauri::Wry>,
    close_to_tray: CheckMenuItem<tauri::Wry>,
    at_login: CheckMenuItem<tauri::Wry>,
}

pub fn build(app: &tauri::App, started: &Started) -> anyhow::Result<()> {
    let receiver = format!("{}/", started.handle.receiver_url());
    let disabled = |id: &str, text: &str| MenuItem::with_id(app, id, text, false, None::<&str>);
    let action = |id: &str, text: &str| MenuItem::with_id(app, id, text, true, None::<&str>);
    let check = |id: &str, text: &str, on: bool| {
        CheckMenuItem::with_id(app, id, text, true, on, None::<&str>)
    };
    let close_to_tray = app.state::<Settings>().get().close_to_tray;
    let at_login = app.autolaunch().is_enabled().unwrap_or(false);
    let items = Items {
        tunnel: disabled("tunnel", &tunnel_line(&started.handle.tunnels().status()))?,
        relay: disabled("relay", &relay_line(&started.handle.relays().status()))?,
        today: disabled("today", &today_line(0))?,
        forward: disabled("forward", &forward_line(&[], &[], &BTreeSet::new()))?,
        failing: disabled("failing", &failing_line(&BTreeSet::new()))?,
        public: action("public", "Go public")?,
        pause: check("pause", "Pause capture", started.handle.paused())?,
        close_to_tray: check(
            "close_to_tray",
            "Keep running when the window closes",
            close_to_tray,
        )?,
        at_login: check("at_login", "Launch at login", at_login)?,
    };
    let menu = Menu::with_items(
        app,
        &[
            &disabled("receiver", &format!("Receiver: {receiver}"))?,
            &items.tunnel,
            &items.relay,
            &items.today,
            &items.forward,
            &items.failing,
            &PredefinedMenuItem::separator(app)?,
            &action("open", "Open Hooklens")?,
            &action("copy", "Copy receiver URL")?,
            &items.public,
            &items.pause,
            &PredefinedMenuItem::separator(app)?,
            &items.close_to_tray,
            &items.at_login,
            &PredefinedMenuItem::separator(app)?,
            &action("quit", "Quit Hooklens")?,
        ],
    )?;
    let mut tray = TrayIconBuilder::with_id("hooklens")
        .menu(&menu)
        .tooltip("Hooklens")
        .show_menu_on_left_click(true);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    let spec = started.tunnel.clone().unwrap_or(TunnelSpec::Ngrok {
        authtoken: None,
        domain: None,
    });
    let on_menu = items.clone();
    tray.on_menu_event(move |app, event| menu_event(app, &event, &receiver, &spec, &on_menu))
        .build(app)?;
    tauri::async_runtime::spawn(follow(
        started.handle.subscribe(),
        Watches {
            tunnel: started.handle.tunnels().subscribe(),
            relay: started.handle.relays().subscribe(),
        },
        started.handle.store().clone(),
        started.handle.forward_command_line(),
        items,
    ));
    Ok(())
}

fn menu_event(
    app: &AppHandle,
    event: &MenuEvent,
    receiver: &str,
    spec: &TunnelSpec,
    items: &Items,
) {
    let engine = app.state::<Engine>();
    let result = match event.id().as_ref() {
        "open" => {
            crate::show(app, None);
            Ok(())
        }
        "copy" => app
            .clipboard()
            .write_text(receiver)
            .map_err(|e| e.to_string()),
        "public" => engine
            .with(|h| {
                let tunnels = h.tunnels();
                match tunnels.status().state {
                    TunnelState::Off | TunnelState::Error => tunnels
                        .start(spec, &h.cancellation())
                        .map_err(|e| e.to_string()),
                    _ => {
                        tunnels.stop();
                        Ok(())
                    }
                }
            })
            .unwrap_or(Ok(())),
        "pause" => {
            let paused = engine.with(|h| {
                h.set_paused(!h.paused());
                h.paused()
            });
            // The check mark follows the engine, whoever changed it.
            items
                .pause
                .set_checked(paused.unwrap_or(false))
                .map_err(|e| e.to_string())
        }
        "close_to_tray" => {
            let settings = app.state::<Settings>();
            let saved = settings.update(|s| s.close_to_tray = !s.close_to_tray);
            let _ = items
                .close_to_tray
                .set_checked(settings.get().close_to_tray);
            saved
        }
        "at_login" => {
            let launcher = app.autolaunch();
            let on = launcher.is_enabled().unwrap_or(false);
            let changed = if on {
                launcher.disable()
            } else {
                launcher.enable()
            };
            let _ = items
                .at_login
                .set_checked(launcher.is_enabled().unwrap_or(false));
            changed.map_err(|e| format!("cannot change launch at login: {e}"))
        }
        "quit" => {
            app.exit(0);
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!("{}: {e}", event.id().as_ref());
        if event.id().as_ref() == "public" {
            let _ = items.tunnel.set_text(format!("Public URL: {e}"));
        }
    }
}

/// The states the tray follows besides the events.
struct Watches {
    tunnel: tokio::sync::watch::Receiver<TunnelStatus>,
    relay: tokio::sync::watch::Receiver<RelayStatus>,
}

/// Keeps the status lines current from the engine's events, the tunnel's and the relay's
/// state.
async fn follow(
    mut events: tokio::sync::broadcast::Receiver<Event>,
    watches: Watches,
    store: hooklens_engine::Store,
    command_line: Vec<String>,
    items: Items,
) {
    let Watches {
        mut tunnel,
        mut relay,
    } = watches;
    let mut failing = BTreeSet::new();
    let mut day = midnight_us();
    let mut today = store.count_requests_since(day).await.unwrap_or(0);
    set(&items.today, &today_line(today));
    // The window's targets, and whether they are on.
    let mut window = store
        .settings()
        .await
        .map(|s| (s.forward.enabled, s.forward.targets))
        .unwrap_or_default();
    let forward = |(enabled, targets): &(bool, Vec<String>), failing: &BTreeSet<String>| {
        let (on, off): (&[String], &[String]) = if *enabled {
            (targets, &[])
        } else {
            (&[], targets)
        };
        let all = [&command_line[..], on].concat();
        set(&items.forward, &forward_line(&all, off, failing));
    };
    forward(&window, &failing);
    loop {
        let mut recount = false;
        tokio::select! {
            event = events.recv() => match event {
                Ok(Event::RequestCaptured(_)) => today += 1,
                Ok(Event::RequestDeleted { .. } | Event::RequestsRemoved { .. } | Event::RequestsImported { .. })
                | Err(RecvError::Lagged(_)) => recount = true,
                Ok(Event::TargetChanged { target, down }) => {
                    if down.is_some() {
                        failing.insert(target);
                    } else {
                        failing.remove(&target);
                    }
                    set(&items.failing, &failing_line(&failing));
                    forward(&window, &failing);
                }
                Ok(Event::SettingsChanged) => {
                    if let Ok(settings) = store.settings().await {
                        window = (settings.forward.enabled, settings.forward.targets);
                        forward(&window, &failing);
                    }
                    continue;
                }
                Ok(Event::CaptureChanged { paused }) => {
                    let _ = items.pause.set_checked(paused);
                }
                Ok(_) => continue,
                Err(RecvError::Closed) => return,
            },
            changed = tunnel.changed() => {
                if changed.is_err() {
                    return;
                }
                let status = tunnel.borrow_and_update().clone();
                set(&items.tunnel, &tunnel_line(&status));
                let off = matches!(status.state, TunnelState::Off | TunnelState::Error);
                set(&items.public, if off { "Go public" } else { "Go private" });
                continue;
            }
            changed = relay.changed() => {
                if changed.is_err() {
                    return;
                }
                let status = relay.borrow_and_update().clone();
                set(&items.relay, &relay_line(&status));
                continue;
            }
        }
        let now_day = midnight_us();
        if recount || now_day != day {
            day = now_day;
            today = store.count_requests_since(day).await.unwrap_or(today);
        }
        set(&items.today, &today_line(today));
    }
}

fn set(item: &MenuItem<tauri::Wry>, text: &str) {
    if let Err(e) = item.set_text(text) {
        tracing::debug!("tray text not updated: {e}");
    }
}

/// The start of today, local time, in µs since the epoch.
fn midnight_us() -> i64 {
    let now = chrono::Local::now();
    now.date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
        .map_or(now.timestamp_micros(), |t| t.timestamp_micros())
}

fn today_line(count: u64) -> String {
    match count {
        1 => "Today: 1 request".into(),
        n => format!("Today: {n} requests"),
    }
}

/// Where requests are forwarded: `targets` (the command line's and the window's when on),
/// else the window's that are switched `off`; each target up or down.
fn forward_line(targets: &[String], off: &[String], failing: &BTreeSet<String>) -> String {
    let mut targets: Vec<&String> = targets.iter().collect();
    let mut seen = BTreeSet::new();
    targets.retain(|t| seen.insert(*t));
    let down = targets.iter().filter(|t| failing.contains(**t)).count();
    match (targets.as_slice(), down) {
        ([], _) if off.is_empty() => "Forward to: nowhere (set it in the window)".into(),
        ([], _) => format!("Forward to {}: off", off.join(", ")),
        ([one], 0) => format!("Forward to {one}: up"),
        ([one], _) => format!("Forward to {one}: down"),
        (many, 0) => format!("Forward to {} targets: all up", many.len()),
        (many, down) => format!("Forward to {} targets: {down} down", many.len()),
    }
}

fn failing_line(failing: &BTreeSet<String>) -> String {
    match failing.len() {
        0 => "Failing targets: none".into(),
        1 => format!("Failing: {}", failing.iter().next().map_or("", |s| s)),
        n => format!(
            "Failing: {} and {} more",
            failing.iter().next().map_or("", |s| s),
            n - 1
        ),
    }
}

fn tunnel_line(status: &TunnelStatus) -> String {
    match (status.state, &status.public_url, &status.error) {
        (TunnelState::Online, Some(url), _) => format!("Public: {url}/"),
        (TunnelState::Off, ..) => "Public URL: off (receiver on this machine only)".into(),
        (TunnelState::Error, _, Some(why)) => format!("Public URL: {why}"),
        (TunnelState::Reconnecting, ..) => "Public URL: reconnecting…".into(),
        _ => "Public URL: connecting…".into(),
    }
}

fn relay_line(status: &RelayStatus) -> String {
    let url = status.url.as_deref().unwrap_or("");
    match (status.state, &status.error) {
        (RelayState::Off, _) => "Relay: off".into(),
        (RelayState::Online, _) => format!("Relay: {url} (online)"),
        (RelayState::CatchingUp, _) => {
            format!("Relay: {url} (catching up, {} behind)", status.behind)
        }
        (RelayState::Error, Some(why)) => format!("Relay stopped: {why}"),
        (RelayState::Reconnecting, _) => format!("Relay: {url} (reconnecting…)"),
        _ => format!("Relay: {url} (connecting…)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(today_line(1), "Today: 1 request");
        assert_eq!(today_line(12), "Today: 12 requests");
        let mut failing = BTreeSet::new();
        assert_eq!(failing_line(&failing), "Failing targets: none");
        failing.insert("http://localhost:3000".to_string());
        assert_eq!(failing_line(&failing), "Failing: http://localhost:3000");
        failing.insert("http://localhost:4000".to_string());
        assert_eq!(
            failing_line(&failing),
            "Failing: http://localhost:3000 and 1 more"
        );
        let (a, b) = (
            "http://localhost:3000".to_string(),
            "http://localhost:4000".to_string(),
        );
        let failing = BTreeSet::from([a.clone()]);
        assert_eq!(
            forward_line(&[], &[], &failing),
            "Forward to: nowhere (set it in the window)"
        );
        assert_eq!(
            forward_line(&[], std::slice::from_ref(&b), &failing),
            "Forward to http://localhost:4000: off"
        );
        assert_eq!(
            forward_line(std::slice::from_ref(&b), &[], &failing),
            "Forward to http://localhost:4000: up"
        );
        assert_eq!(
            forward_line(std::slice::from_ref(&a), &[], &failing),
            "Forward to http://localhost:3000: down"
        );
        assert_eq!(
            forward_line(&[a.clone(), b.clone(), a.clone()], &[], &failing),
            "Forward to 2 targets: 1 down"
        );
        assert_eq!(
            forward_line(&[b.clone(), a.clone()], &[], &BTreeSet::new()),
            "Forward to 2 targets: all up"
        );
        let mut tunnel = TunnelStatus::new(Some("ngrok"), TunnelState::Online);
        tunnel.public_url = Some("https://a.ngrok.app".into());
        assert_eq!(tunnel_line(&tunnel), "Public: https://a.ngrok.app/");
        let mut tunnel = TunnelStatus::new(Some("ngrok"), TunnelState::Error);
        tunnel.error = Some("ngrok rejected the authtoken".into());
        assert_eq!(
            tunnel_line(&tunnel),
            "Public URL: ngrok rejected the authtoken"
        );
    }

    #[test]
    fn relay_lines() {
        let status = |state, behind, error: Option<&str>| RelayStatus {
            behind,
            error: error.map(String::from),
            ..RelayStatus::new(state, Some("https://relay.example".into()))
        };
        let cases = [
            (status(RelayState::Off, 0, None), "Relay: off"),
            (
                status(RelayState::Online, 0, None),
                "Relay: https://relay.example (online)",
            ),
            (
                status(RelayState::CatchingUp, 40, None),
                "Relay: https://relay.example (catching up, 40 behind)",
            ),
            (
                status(RelayState::Reconnecting, 0, Some("reset")),
                "Relay: https://relay.example (reconnecting…)",
            ),
            (
                status(RelayState::Error, 0, Some("token refused")),
                "Relay stopped: token refused",
            ),
        ];
        for (s, want) in cases {
            assert_eq!(relay_line(&s), want);
        }
    }

    #[test]
    fn today_starts_at_local_midnight() {
        let start = midnight_us();
        let now = chrono::Local::now().timestamp_micros();
        assert!(start <= now && now - start < 25 * 3600 * 1_000_000);
    }
}
