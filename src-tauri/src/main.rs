//! The Hooklens desktop app: a thin shell over the engine. It starts the engine in-process
//! exactly as `hooklens serve` does (same flags, same `HOOKLENS_*` variables), shows the
//! engine's own inspector in a window, and adds what only a desktop has: a tray, popups
//! that open their request, one instance, launch at login. Everything else is the engine's.

mod settings;
mod tray;

use std::sync::{Arc, Mutex};

use clap::Parser;
use hooklens_cli::{ServeArgs, Signals};
use hooklens_engine::Handle;
use hooklens_engine::notify::Notifier;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder, WindowEvent};

/// The window's label.
const MAIN: &str = "main";

/// Hooklens: capture, inspect and replay webhooks on your own machine, in a window.
#[derive(Parser)]
#[command(name = "hooklens-desktop", version, about)]
struct DesktopArgs {
    #[command(flatten)]
    serve: ServeArgs,
}

/// The running engine; taken on quit to drain and flush it.
pub struct Engine(pub Mutex<Option<Handle>>);

impl Engine {
    /// Runs `f` on the engine unless it is already shutting down.
    pub fn with<T>(&self, f: impl FnOnce(&Handle) -> T) -> Option<T> {
        self.0.lock().ok()?.as_ref().map(f)
    }
}

fn main() {
    let args = DesktopArgs::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOOKLENS_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let app = tauri::Builder::default()
        // First, so a second launch hands over to the first before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show(app, None);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            if let Err(e) = setup(app, &args.serve) {
                fail(&format!("{e:#}"));
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let keep = window
                    .try_state::<settings::Settings>()
                    .is_some_and(|s| s.get().close_to_tray);
                if keep {
                    api.prevent_close();
                    if let Err(e) = window.hide() {
                        tracing::warn!("cannot hide the window: {e}");
                    }
                }
            }
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => fail(&format!("{e:#}")),
    };
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            shutdown(app);
        }
    });
}

fn setup(app: &mut tauri::App, args: &ServeArgs) -> anyhow::Result<()> {
    let handle = app.handle().clone();
    let opener = app.handle().clone();
    let notifier: Arc<dyn Notifier> = Arc::new(hooklens_notify::OpeningNotifier::new(move |id| {
        show(&opener, Some(&request_path(&id)))
    }));
    let (signals, started) = tauri::async_runtime::block_on(async {
        // Watched before the engine starts, so an early SIGTERM still quits cleanly.
        let signals = Signals::watch()?;
        anyhow::Ok((signals, hooklens_cli::start(args, Some(notifier)).await?))
    })?;
    let login = url::Url::parse(&started.login_url())?;
    app.manage(Login(login.clone()));
    tracing::info!(
        receiver = %started.handle.receiver_url(),
        inspector = %started.handle.api_url(),
        data = %started.data_dir.display(),
        "hooklens desktop started"
    );
    app.manage(settings::Settings::load(&started.data_dir));
    tray::build(app, &started)?;
    app.manage(Engine(Mutex::new(Some(started.handle))));
    let loaded = std::sync::Once::new();
    // A blank page first: WebKit's settings are set before the inspector loads (Tauri has
    // no hook before the web view's first load), then `lean` loads it.
    let window = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::External(blank()?))
        .title("Hooklens")
        .inner_size(1200.0, 780.0)
        .min_inner_size(640.0, 420.0)
        // Files dropped on the window go to the page (import by dropping a file), not to
        // Tauri's own drop events, which nothing here listens to.
        .disable_drag_drop_handler()
        .on_page_load(move |_, page| {
            if page.event() == PageLoadEvent::Finished && page.url().scheme() != "about" {
                // tests/desktop/figures.sh times start-up up to this line.
                loaded.call_once(|| tracing::info!("inspector loaded in the window"));
            }
        })
        .build()?;
    #[cfg(target_os = "linux")]
    window.with_webview(move |webview| lean(&webview, &login))?;
    #[cfg(not(target_os = "linux"))]
    window.navigate(login)?;
    tauri::async_runtime::spawn(async move {
        signals.recv().await;
        handle.exit(0);
    });
    Ok(())
}

fn blank() -> anyhow::Result<url::Url> {
    Ok(url::Url::parse("about:blank")?)
}

/// Loads the inspector at `login` in a web view set for it. WebKit's defaults suit a browser
/// with a GPU; the inspector is one page of text and tables. Without compositing the web
/// process skips its GL renderer (about 90 MiB less RSS under software GL: figures in
/// tests/desktop/figures.sh); one page needs neither a back/forward page cache nor a
/// browser-sized memory cache.
#[cfg(target_os = "linux")]
fn lean(webview: &tauri::webview::PlatformWebview, login: &url::Url) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let view = webview.inner();
    if let Some(settings) = WebViewExt::settings(&view) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_page_cache(false);
    }
    if let Some(context) = view.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
    }
    view.load_uri(login.as_str());
}

/// The inspector's page for one request (the UI's router).
fn request_path(id: &str) -> String {
    format!("/requests/{id}")
}

/// The inspector's login link: the window's first page, and how it opens a page later.
struct Login(url::Url);

/// Brings the window forward, at `path` of the inspector when given. The page is opened
/// through the login link (`next=path`): a notification clicked while the window's first
/// login is still loading would otherwise cancel it and land on a page without the cookie.
pub fn show(app: &AppHandle, path: Option<&str>) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    if let (Some(path), Some(login)) = (path, app.try_state::<Login>()) {
        let mut url = login.0.clone();
        url.query_pairs_mut().append_pair("next", path);
        if let Err(e) = window.navigate(url) {
            tracing::warn!("cannot open {path} in the window: {e}");
        }
    }
    let shown = window
        .show()
        .and_then(|()| window.unminimize())
        .and_then(|()| window.set_focus());
    if let Err(e) = shown {
        tracing::warn!("cannot bring the window forward: {e}");
    }
}

/// Quitting: stop accepting, let in-flight requests finish, flush the store.
fn shutdown(app: &AppHandle) {
    let handle = app
        .try_state::<Engine>()
        .and_then(|engine| engine.0.lock().ok()?.take());
    if let Some(handle) = handle {
        tracing::info!("stopping: finishing in-flight requests");
        match tauri::async_runtime::block_on(handle.shutdown()) {
            Ok(()) => tracing::info!("stopped; every captured request is saved"),
            Err(e) => tracing::error!("the store did not close cleanly: {e}"),
        }
    }
}

/// Start-up failed (a taken port, an unusable data directory): say so on stderr and as a
/// popup, since a desktop launch has no terminal.
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    let popup = hooklens_engine::notify::Popup {
        kind: hooklens_engine::notify::NotificationKind::Startup,
        key: "startup".into(),
        title: "Hooklens could not start".into(),
        body: message.into(),
        request_id: None,
        urgency: hooklens_engine::notify::Urgency::Critical,
    };
    let shown = tauri::async_runtime::block_on(async {
        hooklens_notify::notification(&popup, false)
            .show_async()
            .await
            .map(|_| ())
    });
    if let Err(e) = shown {
        eprintln!("(and the desktop did not take a notification about it: {e})");
    }
    std::process::exit(1);
}

#[cfg(test)]
mod tests {
    use hooklens_engine::notify::{Popup, Urgency};

    use super::*;

    #[test]
    fn a_clicked_popup_opens_its_request_in_the_inspector() {
        assert_eq!(request_path("01JABC"), "/requests/01JABC");
    }

    #[test]
    fn the_engines_popups_become_clickable_notify_rust_notifications() {
        let popup = Popup {
            kind: hooklens_engine::notify::NotificationKind::Rule,
            key: "r".into(),
            title: "invoice.paid".into(),
            body: "4200 cents".into(),
            request_id: Some("01JABC".into()),
            urgency: Urgency::Normal,
        };
        let shown = hooklens_notify::notification(&popup, true);
        assert_eq!(shown.appname, "Hooklens");
        assert_eq!(
            (shown.summary.as_str(), shown.body.as_str()),
            ("invoice.paid", "4200 cents")
        );
        assert_eq!(shown.actions[0], hooklens_notify::OPEN_ACTION);
    }
}
