//! The desktop app end to end: the real binary in a real window under Xvfb, driven over
//! WebDriver (tauri-driver + WebKitWebDriver), with a private D-Bus session bus whose
//! notification server the test controls. They need the tools `make desktop-test` installs,
//! so they are ignored by a plain `cargo test`; `make test` runs them.

mod harness;
mod shell;
mod sleep;
mod tray;
mod x11;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use harness::{World, wait_until};
use serde_json::json;

/// The paths the request list shows.
const ROWS: &str = "return Array.from(document.querySelectorAll('[data-testid=request-row]'))\
    .map(r => r.textContent)";

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn the_window_shows_the_inspector_and_requests_arrive_live() {
    let world = World::start().await;
    let window = world.webdriver().await;
    window
        .wait_for(
            "the inspector is shown",
            "return !!document.querySelector('[data-testid=app]')",
        )
        .await;
    assert!(
        window.url().await.starts_with(&world.api),
        "{}",
        window.url().await
    );

    for (path, body) in [
        (
            "/stripe/events",
            r#"{"type":"payment_intent.succeeded","amount":4200}"#,
        ),
        ("/github/push", r#"{"ref":"refs/heads/main"}"#),
        ("/orders/created", r#"{"order":1017,"total":"59.90"}"#),
    ] {
        world.send(path, body).await;
    }
    let rows = window
        .wait_for(
            "three rows are listed",
            &format!("const r = (function(){{ {ROWS} }})(); return r.length >= 3 ? r : null"),
        )
        .await;
    let rows = rows.to_string();
    for path in ["/stripe/events", "/github/push", "/orders/created"] {
        assert!(rows.contains(path), "{path} listed: {rows}");
    }
    if let Ok(file) = std::env::var("HOOKLENS_DESKTOP_SCREENSHOT") {
        std::fs::write(&file, window.screenshot().await).expect("screenshot written");
    }
    window.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn a_rule_match_pops_up_on_the_session_bus_and_a_click_opens_the_request() {
    let mut world = World::start().await;
    let window = world.webdriver().await;
    world.wait_ready().await;
    world
        .api_post(
            "/api/v1/rules",
            json!({
                "name": "orders",
                "conditions": [{"field": "path", "op": "glob", "value": "/orders/*"}],
                "actions": [{"type": "notify", "title": "New order", "body": "{{method}} {{path}}"}]
            }),
        )
        .await;
    let id = world.send("/orders/1017", r#"{"total": 59.9}"#).await;
    let popup = world.notifications.next().await;
    assert_eq!(popup.app, "Hooklens");
    assert_eq!(popup.summary, "New order");
    assert_eq!(popup.body, "POST /orders/1017");
    assert_eq!(popup.request_id.as_deref(), Some(id.as_str()));
    assert_eq!(popup.actions.first().map(String::as_str), Some("default"));

    // The app starts listening for the click just after the server took the popup, so the
    // test clicks until the window follows (each click is a real ActionInvoked signal).
    let want = format!("/requests/{id}");
    wait_until(
        "a click opens the request in the window",
        Duration::from_secs(20),
        || async {
            world.notifications.click(popup.id).await;
            window.url().await.ends_with(&want).then_some(())
        },
    )
    .await;
    window
        .wait_for(
            "the request's page shows its path",
            "return document.body.innerText.includes('/orders/1017')",
        )
        .await;
    window.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn a_second_launch_focuses_the_first_and_exits() {
    let world = World::start().await;
    let window = world.webdriver().await;
    world.wait_ready().await;
    window
        .wait_for(
            "the inspector is shown",
            "return !!document.querySelector('[data-testid=app]')",
        )
        .await;
    let mut second = harness::Proc(world.launch().spawn().expect("second launch"));
    let status = harness::wait_exit(&mut second, "the second launch exits").await;
    assert!(
        status.success(),
        "the second launch exits cleanly: {status}"
    );
    window
        .wait_for(
            "the first window has the focus",
            "return document.hasFocus()",
        )
        .await;
    // The first still runs the engine and its window.
    world.send("/after-second-launch", "{}").await;
    window
        .wait_for(
            "the first window lists the new request",
            &format!(
                "return (function(){{ {ROWS} }})().some(t => t.includes('/after-second-launch'))"
            ),
        )
        .await;
    window.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn quitting_while_requests_arrive_loses_none_that_were_answered() {
    let world = World::start().await;
    let mut app = harness::Proc(world.launch().spawn().expect("app starts"));
    world.wait_ready().await;
    let answered = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for n in 0..8 {
        let (http, url) = (world.http.clone(), format!("{}/quit/{n}", world.receiver));
        let (answered, count) = (answered.clone(), count.clone());
        senders.spawn(async move {
            // Until the app stops answering: every 2xx names a request that must be kept.
            while let Ok(r) = http.post(&url).body("{\"n\":1}").send().await {
                if r.status().is_success()
                    && let Some(id) = r.headers().get("x-hooklens-request-id")
                {
                    answered
                        .lock()
                        .expect("ids")
                        .push(id.to_str().expect("id").to_string());
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    wait_until(
        "200 requests are answered",
        Duration::from_secs(30),
        || async { (count.load(Ordering::Relaxed) >= 200).then_some(()) },
    )
    .await;
    let pid = app.0.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = harness::wait_exit(&mut app, "the app quits").await;
    assert!(status.success(), "quit cleanly: {status}");
    tokio::time::timeout(Duration::from_secs(30), async {
        while senders.join_next().await.is_some() {}
    })
    .await
    .expect("senders stop once the app is gone");

    let store = hooklens_store::Store::open(&world.data_dir()).expect("the store opens");
    let answered = answered.lock().expect("ids").clone();
    assert!(answered.len() >= 200);
    for id in &answered {
        store
            .get_request(id)
            .await
            .unwrap_or_else(|e| panic!("answered request {id} was lost: {e}"));
    }
    store.close().await.expect("close");
}

#[test]
#[ignore = "needs the .deb that `make desktop-test` builds (tauri build --debug --bundles deb)"]
fn the_deb_holds_the_binary_a_desktop_entry_icons_and_its_dependencies() {
    let deb = std::env::var("HOOKLENS_DESKTOP_DEB").expect("HOOKLENS_DESKTOP_DEB names the .deb");
    let field = |name: &str| {
        let out = std::process::Command::new("dpkg-deb")
            .args(["-f", &deb, name])
            .output()
            .expect("dpkg-deb runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(field("Package"), "hooklens");
    let depends = field("Depends");
    for dep in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libayatana-appindicator3-1",
    ] {
        assert!(depends.contains(dep), "depends on {dep}: {depends}");
    }
    let root = tempfile::tempdir().expect("tempdir");
    let unpacked = std::process::Command::new("dpkg-deb")
        .args(["-x", &deb])
        .arg(root.path())
        .status()
        .expect("dpkg-deb runs");
    assert!(unpacked.success());
    let usr = root.path().join("usr");
    let entries: Vec<_> = std::fs::read_dir(usr.join("share/applications"))
        .expect("share/applications")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "one .desktop file: {entries:?}");
    let desktop = std::fs::read_to_string(&entries[0]).expect("read .desktop");
    let key = |k: &str| {
        desktop
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("{k}= in {desktop}"))
            .to_string()
    };
    assert_eq!(key("Type"), "Application");
    assert_eq!(key("Name"), "Hooklens");
    let exec = key("Exec");
    let program = exec.split_whitespace().next().expect("a program");
    let binary = usr
        .join("bin")
        .join(program.trim_start_matches("/usr/bin/"));
    let meta = std::fs::metadata(&binary).unwrap_or_else(|e| panic!("{exec}: {e}"));
    assert!(
        meta.is_file() && std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0
    );
    let icon = key("Icon");
    let mut sizes = Vec::new();
    for size in std::fs::read_dir(usr.join("share/icons/hicolor")).expect("hicolor icons") {
        let dir = size.expect("entry").path();
        if dir.join("apps").join(format!("{icon}.png")).is_file() {
            sizes.push(
                dir.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    sizes.sort();
    assert!(sizes.len() >= 3, "icon {icon} in several sizes: {sizes:?}");
}
