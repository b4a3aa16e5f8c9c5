//! What the desktop tests run the real app in: an X server (Xvfb), a private D-Bus session
//! bus with a notification server the test controls, free ports and temporary directories,
//! and a WebDriver session through `tauri-driver` and WebKitWebDriver.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::mpsc;

pub const TOKEN: &str = "desktop-test-token-0123456789";
pub const BIN: &str = env!("CARGO_BIN_EXE_hooklens-desktop");

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` and returns it with the first line it prints on stdout.
fn first_line(mut cmd: Command, what: &str) -> (Proc, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} does not start ({e}): run `make desktop-test`"));
    let stdout = child.stdout.take().expect("stdout");
    let proc = Proc(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{what} printed nothing: {e}"));
    (proc, line.trim().to_string())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A notification as the fake server received it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub app: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
    pub request_id: Option<String>,
}

/// `org.freedesktop.Notifications` with actions, recording what it is asked to show.
struct FakeServer {
    seen: mpsc::UnboundedSender<Shown>,
    next: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeServer {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &mut self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: std::collections::HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        self.next += 1;
        let request_id = hints
            .get("x-hooklens-request-id")
            .and_then(|v| v.downcast_ref::<String>().ok());
        let _ = self.seen.send(Shown {
            id: self.next,
            app: app_name,
            summary,
            body,
            actions,
            request_id,
        });
        self.next
    }

    async fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }

    async fn get_server_information(&self) -> (String, String, String, String) {
        (
            "fake".into(),
            "hooklens-tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    async fn close_notification(&self, _id: u32) {}

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

const PATH: &str = "/org/freedesktop/Notifications";

/// The notification server on the test's bus.
pub struct Notifications {
    conn: zbus::Connection,
    seen: mpsc::UnboundedReceiver<Shown>,
}

impl Notifications {
    pub async fn next(&mut self) -> Shown {
        tokio::time::timeout(Duration::from_secs(20), self.seen.recv())
            .await
            .expect("a notification within 20 s")
            .expect("server running")
    }

    /// Clicks notification `id`, as a user clicking the popup's body.
    pub async fn click(&self, id: u32) {
        let iface = self
            .conn
            .object_server()
            .interface::<_, FakeServer>(PATH)
            .await
            .expect("served");
        FakeServer::action_invoked(iface.signal_emitter(), id, "default")
            .await
            .expect("signal sent");
    }
}

/// Everything one test's app runs in; all of it goes away when dropped.
pub struct World {
    pub dir: TempDir,
    pub env: Vec<(String, String)>,
    pub receiver: String,
    pub api: String,
    pub http: reqwest::Client,
    pub notifications: Notifications,
    /// The panel the app's tray item registers with.
    pub tray: crate::tray::Host,
    _bus: Proc,
    _x: Proc,
}

impl World {
    pub async fn start() -> World {
        let mut x = Command::new("Xvfb");
        x.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ]);
        let (x, display) = first_line(x, "Xvfb (Debian package xvfb)");
        let mut bus = Command::new("dbus-daemon");
        bus.args(["--session", "--nofork", "--print-address=1"]);
        let (bus, address) = first_line(bus, "dbus-daemon");
        let (tx, seen) = mpsc::unbounded_channel();
        let (registered, items) = mpsc::unbounded_channel();
        let watcher = crate::tray::Watcher {
            registered,
            items: Vec::new(),
        };
        let conn = zbus::connection::Builder::address(address.as_str())
            .name("org.freedesktop.Notifications")
            .serve_at(PATH, FakeServer { seen: tx, next: 0 })
            .name("org.kde.StatusNotifierWatcher")
            .serve_at(crate::tray::WATCHER_PATH, watcher)
            .build()
            .await
            .expect("on the bus");
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let (receiver, api) = (free_port(), free_port());
        let p = |sub: &str| home.join(sub).display().to_string();
        let env = vec![
            ("DISPLAY".into(), format!(":{display}")),
            ("DBUS_SESSION_BUS_ADDRESS".into(), address),
            ("HOME".into(), home.display().to_string()),
            ("XDG_CONFIG_HOME".into(), p(".config")),
            ("XDG_DATA_HOME".into(), p(".local/share")),
            ("XDG_CACHE_HOME".into(), p(".cache")),
            ("XDG_RUNTIME_DIR".into(), p("run")),
            (
                "HOOKLENS_DATA_DIR".into(),
                dir.path().join("data").display().to_string(),
            ),
            ("HOOKLENS_LISTEN".into(), format!("127.0.0.1:{receiver}")),
            ("HOOKLENS_API_LISTEN".into(), format!("127.0.0.1:{api}")),
            ("HOOKLENS_API_TOKEN".into(), TOKEN.into()),
            ("HOOKLENS_LOG".into(), "warn".into()),
        ];
        std::fs::create_dir_all(home.join("run")).expect("runtime dir");
        World {
            dir,
            env,
            receiver: format!("http://127.0.0.1:{receiver}"),
            api: format!("http://127.0.0.1:{api}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
            tray: crate::tray::Host {
                conn: conn.clone(),
                registered: items,
            },
            notifications: Notifications { conn, seen },
            _bus: bus,
            _x: x,
        }
    }

    /// A variable of the app's environment.
    pub fn var(&self, name: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} is set"))
    }

    /// Whether an app runs on this world's data, however it was started (WebDriver starts it
    /// out of the test's sight).
    pub fn app_running(&self) -> bool {
        self.app_pid().is_some()
    }

    /// The process id of the app running on this world's data.
    pub fn app_pid(&self) -> Option<u32> {
        let bin = std::fs::canonicalize(BIN).expect("the binary");
        let marker = format!("HOOKLENS_DATA_DIR={}", self.data_dir().display());
        let procs = std::fs::read_dir("/proc").expect("/proc");
        procs.flatten().find_map(|p| {
            let ours = std::fs::canonicalize(p.path().join("exe")).is_ok_and(|exe| exe == bin)
                && std::fs::read(p.path().join("environ"))
                    .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == marker.as_bytes()));
            ours.then(|| p.file_name().to_str()?.parse().ok()).flatten()
        })
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The app, started directly.
    pub fn launch(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        cmd
    }

    /// Posts `body` to the receiver; the captured id.
    pub async fn send(&self, path: &str, body: &str) -> String {
        let response = self
            .http
            .post(format!("{}{path}", self.receiver))
            .body(body.to_string())
            .send()
            .await
            .expect("the receiver answers");
        assert!(response.status().is_success(), "{}", response.status());
        response.headers()["x-hooklens-request-id"]
            .to_str()
            .expect("id")
            .to_string()
    }

    /// An authorised API call.
    pub async fn api_post(&self, path: &str, body: Value) -> Value {
        let request = self.http.post(format!("{}{path}", self.api)).json(&body);
        api_json(path, request).await
    }

    /// An authorised API change (a JSON merge patch).
    pub async fn api_patch(&self, path: &str, body: Value) -> Value {
        let request = self.http.patch(format!("{}{path}", self.api)).json(&body);
        api_json(path, request).await
    }

    /// An authorised API read.
    pub async fn api_get(&self, path: &str) -> Value {
        api_json(path, self.http.get(format!("{}{path}", self.api))).await
    }

    /// Waits until the engine's API answers.
    pub async fn wait_ready(&self) {
        wait_until("the engine answers", Duration::from_secs(30), || async {
            let health = self
                .http
                .get(format!("{}/api/v1/health", self.api))
                .send()
                .await;
            health.is_ok_and(|r| r.status().is_success()).then_some(())
        })
        .await
    }

    /// A WebDriver session on the app, started through tauri-driver.
    pub async fn webdriver(&self) -> Session {
        let (port, native) = (free_port(), free_port());
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver starts (cargo install tauri-driver --locked)");
        let driver = Proc(driver);
        let base = format!("http://127.0.0.1:{port}");
        let http = self.http.clone();
        wait_until("tauri-driver listens", Duration::from_secs(20), || async {
            let status = http.get(format!("{base}/status")).send().await;
            status.is_ok_and(|r| r.status().is_success()).then_some(())
        })
        .await;
        let caps =
            json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": BIN}}}});
        let created: Value = http
            .post(format!("{base}/session"))
            .timeout(Duration::from_secs(60))
            .json(&caps)
            .send()
            .await
            .expect("a session")
            .json()
            .await
            .expect("json");
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Session {
            http,
            url: format!("{base}/session/{id}"),
            _driver: driver,
        }
    }
}

fn tauri_driver() -> PathBuf {
    if let Ok(path) = std::env::var("TAURI_DRIVER") {
        return path.into();
    }
    let cargo_bin = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|d| d.join("bin/tauri-driver"));
    match cargo_bin {
        Ok(path) if path.exists() => path,
        _ => "tauri-driver".into(),
    }
}

/// One WebDriver session: the app's window.
pub struct Session {
    http: reqwest::Client,
    url: String,
    _driver: Proc,
}

impl Session {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .expect("the driver answers")
            .json()
            .await
            .expect("json");
        answer["value"].clone()
    }

    /// Runs `script` in the window and returns its result.
    pub async fn eval(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// The window's current URL.
    pub async fn url(&self) -> String {
        let url = self.call(reqwest::Method::GET, "/url", None).await;
        url.as_str().unwrap_or_default().to_string()
    }

    /// The window's position and size: (x, y, width, height).
    pub async fn rect(&self) -> (i64, i64, i64, i64) {
        let rect = self.call(reqwest::Method::GET, "/window/rect", None).await;
        let n = |k: &str| rect[k].as_f64().unwrap_or_else(|| panic!("{k} in {rect}")) as i64;
        (n("x"), n("y"), n("width"), n("height"))
    }

    /// Moves and resizes the window.
    pub async fn set_rect(&self, (x, y, width, height): (i64, i64, i64, i64)) {
        let body = json!({"x": x, "y": y, "width": width, "height": height});
        self.call(reqwest::Method::POST, "/window/rect", Some(body))
            .await;
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("base64 png")
    }

    /// Waits until `script` returns something truthy, and returns it.
    /// On a timeout, the failure names the page the window was showing and the start of its
    /// HTML.
    pub async fn wait_for(&self, what: &str, script: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.eval(script).await;
            let truthy = !(v.is_null()
                || v == json!(false)
                || v == json!("")
                || v.as_array().is_some_and(|a| a.is_empty()));
            if truthy {
                return v;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let shown = self
                    .eval("return location.href + '\\n' + document.documentElement.outerHTML.slice(0, 2000)")
                    .await;
                panic!(
                    "timed out after 20s waiting until {what}; the window shows {}",
                    shown.as_str().unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}

/// Polls `check` until it returns `Some`, or fails after `limit` naming `what`.
pub async fn wait_until<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for `proc` to exit (30 s at most).
pub async fn wait_exit(proc: &mut Proc, what: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = proc.0.try_wait().expect("wait") {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends an API request with the token; its JSON answer, which must be a success.
async fn api_json(path: &str, request: reqwest::RequestBuilder) -> Value {
    let response = request
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("the API answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("json")
}
