//! What only the desktop shell adds, driven the way a user drives it: the tray's menu
//! through a panel's D-Bus calls, the window's × through the X server, the window's place
//! over WebDriver, and launch at login through the file a desktop session reads.

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::{self, BIN, Proc, World, wait_until};
use crate::x11::Display;

const SHOWN: &str = "return !!document.querySelector('[data-testid=app]')";

/// `GET /api/v1/capture`'s `paused`.
async fn paused(world: &World) -> bool {
    world.api_get("/api/v1/capture").await["paused"]
        .as_bool()
        .expect("paused is a boolean")
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn the_tray_counts_today_pauses_and_resumes_capture_and_quits() {
    let mut world = World::start().await;
    let mut app = Proc(world.launch().spawn().expect("app starts"));
    world.wait_ready().await;
    let menu = world.tray.next_menu().await;
    let receiver = menu.entry("Receiver: ").await;
    assert!(
        receiver.label.contains(&world.receiver) && !receiver.enabled,
        "{receiver:?}"
    );
    menu.wait_for("today's count is 0", "Today:", |e| {
        e.label == "Today: 0 requests"
    })
    .await;
    menu.wait_for("forwarding goes nowhere yet", "Forward to", |e| {
        e.label == "Forward to: nowhere (set it in the window)"
    })
    .await;
    let target = format!("http://127.0.0.1:{}", harness::free_port());
    world
        .api_patch(
            "/api/v1/settings",
            serde_json::json!({"forward": {"targets": [&target]}}),
        )
        .await;
    let want = format!("Forward to {target}: up");
    menu.wait_for("the tray follows Forward to", "Forward to", |e| {
        e.label == want
    })
    .await;
    world
        .api_patch(
            "/api/v1/settings",
            serde_json::json!({"forward": {"enabled": false}}),
        )
        .await;
    let want = format!("Forward to {target}: off");
    menu.wait_for("and its switch", "Forward to", |e| e.label == want)
        .await;
    let first = world.send("/tray/first", "{}").await;
    menu.wait_for("today's count shows the request", "Today:", |e| {
        e.label == "Today: 1 request"
    })
    .await;

    assert_eq!(menu.entry("Pause capture").await.checked, Some(false));
    menu.click("Pause capture").await;
    wait_until("capture is paused", Duration::from_secs(20), || async {
        paused(&world).await.then_some(())
    })
    .await;
    menu.wait_for("the pause entry is checked", "Pause capture", |e| {
        e.checked == Some(true)
    })
    .await;
    let refused = world
        .http
        .post(format!("{}/tray/while-paused", world.receiver))
        .body("{}")
        .send()
        .await
        .expect("the receiver answers");
    assert_eq!(refused.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);

    menu.click("Pause capture").await;
    wait_until("capture resumes", Duration::from_secs(20), || async {
        (!paused(&world).await).then_some(())
    })
    .await;
    let second = world.send("/tray/second", "{}").await;
    menu.wait_for("today's count shows both requests", "Today:", |e| {
        e.label == "Today: 2 requests"
    })
    .await;

    menu.click("Quit Hooklens").await;
    let status = harness::wait_exit(&mut app, "Quit exits the app").await;
    assert!(status.success(), "quit cleanly: {status}");
    let store = hooklens_store::Store::open(&world.data_dir()).expect("the store opens");
    for id in [&first, &second] {
        store
            .get_request(id)
            .await
            .unwrap_or_else(|e| panic!("request {id} was lost: {e}"));
    }
    store.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn closing_the_window_keeps_running_in_the_tray_unless_turned_off() {
    let mut world = World::start().await;
    let mut app = Proc(world.launch().spawn().expect("app starts"));
    world.wait_ready().await;
    let menu = world.tray.next_menu().await;
    let display = Display::open(world.var("DISPLAY"));
    let pid = app.0.id();
    let window = wait_until(
        "the window is on screen",
        Duration::from_secs(30),
        || async {
            display
                .window(pid, "Hooklens")
                .filter(|&w| display.viewable(w))
        },
    )
    .await;

    // On by default: the window goes, the app and its receiver stay.
    assert_eq!(
        menu.entry("Keep running when the window closes")
            .await
            .checked,
        Some(true)
    );
    display.close(window);
    wait_until("the window is hidden", Duration::from_secs(20), || async {
        (!display.viewable(window)).then_some(())
    })
    .await;
    assert!(app.0.try_wait().expect("wait").is_none(), "the app runs on");
    world.send("/after-close", "{}").await;
    menu.click("Open Hooklens").await;
    wait_until(
        "Open shows the window again",
        Duration::from_secs(20),
        || async { display.viewable(window).then_some(()) },
    )
    .await;

    // Off: closing the window quits.
    menu.click("Keep running when the window closes").await;
    menu.wait_for(
        "the entry is unchecked",
        "Keep running when the window closes",
        |e| e.checked == Some(false),
    )
    .await;
    // GTK ticks a check item itself as it is clicked, before the app's handler saves.
    let settings = world.data_dir().join("desktop.json");
    wait_until(
        "desktop.json records the setting off",
        Duration::from_secs(20),
        || async {
            std::fs::read_to_string(&settings)
                .ok()
                .filter(|saved| saved.contains("\"close_to_tray\": false"))
        },
    )
    .await;
    display.close(window);
    let status = harness::wait_exit(&mut app, "closing the window quits").await;
    assert!(status.success(), "quit cleanly: {status}");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn launch_at_login_writes_and_removes_the_xdg_autostart_entry() {
    let mut world = World::start().await;
    let _app = Proc(world.launch().spawn().expect("app starts"));
    world.wait_ready().await;
    let menu = world.tray.next_menu().await;
    let autostart = PathBuf::from(world.var("XDG_CONFIG_HOME")).join("autostart");
    let entries = || -> Vec<PathBuf> {
        std::fs::read_dir(&autostart)
            .map(|d| d.map(|e| e.expect("entry").path()).collect())
            .unwrap_or_default()
    };
    assert_eq!(menu.entry("Launch at login").await.checked, Some(false));
    assert!(entries().is_empty(), "{:?}", entries());

    // GTK ticks a check item itself as it is clicked, before the app's handler writes: wait
    // for the file, then for the tick the handler sets from it.
    menu.click("Launch at login").await;
    let files = wait_until(
        "the autostart entry is written",
        Duration::from_secs(20),
        || async { Some(entries()).filter(|f| !f.is_empty()) },
    )
    .await;
    menu.wait_for("the entry is checked", "Launch at login", |e| {
        e.checked == Some(true)
    })
    .await;
    assert_eq!(files.len(), 1, "one autostart entry: {files:?}");
    assert!(files[0].extension().is_some_and(|e| e == "desktop"));
    let entry = std::fs::read_to_string(&files[0]).expect("read the entry");
    let key = |k: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("{k}= in {entry}"))
            .to_string()
    };
    assert_eq!(key("Type"), "Application");
    let exec = key("Exec");
    let program = exec.split_whitespace().next().expect("a program");
    assert_eq!(
        std::fs::canonicalize(program).expect("Exec names a file"),
        std::fs::canonicalize(BIN).expect("the binary"),
        "{exec}"
    );

    menu.click("Launch at login").await;
    wait_until(
        "the autostart entry is removed",
        Duration::from_secs(20),
        || async { entries().is_empty().then_some(()) },
    )
    .await;
    menu.wait_for("the entry is unchecked", "Launch at login", |e| {
        e.checked == Some(false)
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn the_window_comes_back_where_it_was_left() {
    let mut world = World::start().await;
    let window = world.webdriver().await;
    window.wait_for("the inspector is shown", SHOWN).await;
    let menu = world.tray.next_menu().await;
    let placed = (40, 60, 900, 640);
    assert_ne!(window.rect().await, placed);
    window.set_rect(placed).await;
    wait_until(
        "the window takes its new place",
        Duration::from_secs(20),
        || async { (window.rect().await == placed).then_some(()) },
    )
    .await;

    menu.click("Quit Hooklens").await;
    wait_until("the app has quit", Duration::from_secs(30), || async {
        (!world.app_running()).then_some(())
    })
    .await;
    drop(window);

    let window = world.webdriver().await;
    window.wait_for("the inspector is shown again", SHOWN).await;
    assert_eq!(window.rect().await, placed);
    window.close().await;
}
