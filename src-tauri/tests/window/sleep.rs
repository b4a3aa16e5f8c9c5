//! A window that stays open for days: the machine sleeps (every process of the app is
//! stopped, then continued) and the page alone stalls (WebKit's web process is stopped while
//! captures go on); afterwards the live list holds every request exactly once.

use std::time::Duration;

use crate::harness::{World, wait_until};

const SHOWN: &str = "return !!document.querySelector('[data-testid=app]')";

/// The app's processes: the shell, then WebKit's (its descendants), each with its name.
fn tree(root: u32) -> Vec<(u32, String)> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if let Some(ppid) = ppid {
            parents.push((pid, ppid, name.trim().to_string()));
        }
    }
    let mut out = vec![(root, "app".to_string())];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i].0;
        out.extend(
            parents
                .iter()
                .filter(|(_, ppid, _)| *ppid == parent)
                .map(|(pid, _, name)| (*pid, name.clone())),
        );
        i += 1;
    }
    out
}

fn signal<'a>(pids: impl IntoIterator<Item = &'a u32>, signal: &str) {
    for pid in pids {
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal} {pid}");
    }
}

/// What the list's footer says: `N shown · N stored`.
async fn counted(window: &crate::harness::Session, n: usize) {
    let script = format!(
        "const t = document.querySelector('[data-testid=list-count]')?.textContent ?? ''; \
         return t.startsWith('{n} shown') && t.includes('{n} stored') && \
         document.querySelector('[data-testid=live]')?.dataset.state === 'live' ? t : null"
    );
    window
        .wait_for(&format!("the list holds {n} rows, live"), &script)
        .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and WebKitWebDriver: make desktop-test"]
async fn the_live_list_neither_misses_nor_repeats_rows_across_a_sleep() {
    let world = World::start().await;
    let window = world.webdriver().await;
    world.wait_ready().await;
    window.wait_for("the inspector is shown", SHOWN).await;
    for i in 0..5 {
        world.send(&format!("/sleep/before/{i}"), "{}").await;
    }
    counted(&window, 5).await;

    // The machine sleeps: every process of the app stops. Senders keep trying meanwhile and
    // are answered when it wakes.
    let app = wait_until("the app runs", Duration::from_secs(20), || async {
        world.app_pid()
    })
    .await;
    let procs = tree(app);
    assert!(
        procs
            .iter()
            .any(|(_, name)| name.starts_with("WebKitWebProces")),
        "{procs:?}"
    );
    signal(procs.iter().map(|(pid, _)| pid), "STOP");
    let mut senders = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (http, url) = (
            world.http.clone(),
            format!("{}/sleep/during/{i}", world.receiver),
        );
        senders.spawn(async move { http.post(url).body("{}").send().await });
    }
    // The sleep itself: nothing can answer while it lasts.
    tokio::time::sleep(Duration::from_secs(3)).await;
    signal(procs.iter().rev().map(|(pid, _)| pid), "CONT");
    while let Some(sent) = senders.join_next().await {
        let answer = sent.expect("sender").expect("answered after the wake-up");
        assert!(answer.status().is_success());
    }

    // The page alone stalls while captures go on: the stream holds them for it.
    let web: Vec<u32> = procs
        .iter()
        .filter(|(_, name)| name.starts_with("WebKitWebProces"))
        .map(|(pid, _)| *pid)
        .collect();
    signal(&web, "STOP");
    for i in 0..100 {
        world.send(&format!("/sleep/stalled/{i}"), "{}").await;
    }
    signal(&web, "CONT");
    for i in 0..5 {
        world.send(&format!("/sleep/after/{i}"), "{}").await;
    }
    counted(&window, 120).await;
    let newest = window
        .eval("return document.querySelector('[data-testid=request-row]')?.textContent ?? ''")
        .await;
    assert!(
        newest
            .as_str()
            .unwrap_or_default()
            .contains("/sleep/after/4"),
        "{newest}"
    );
    window.close().await;
}
