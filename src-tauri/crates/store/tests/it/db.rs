//! The databases the suite runs on: a SQLite file in a temporary directory, or a fresh
//! database on a real PostgreSQL server that this test binary starts once ([`TestPostgres`])
//! and that stops when the binary ends.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use hooklens_store::Store;

/// Where Debian's `postgresql` package puts the server's programs.
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// One backend's database for one test; open it as many times as the test needs.
pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Db {
    pub fn sqlite() -> Db {
        Db::Sqlite(tempfile::tempdir().expect("tempdir"))
    }

    /// A fresh database on the binary's server.
    pub async fn postgres() -> Db {
        Db::Postgres(TestPostgres::shared().database().await)
    }

    pub async fn open(&self) -> Store {
        match self {
            Db::Sqlite(dir) => Store::open(dir.path()).expect("open sqlite"),
            Db::Postgres(url) => Store::open_postgres(url).await.expect("open postgres"),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Db::Postgres(url) => url,
            Db::Sqlite(_) => panic!("not a PostgreSQL database"),
        }
    }
}

/// Runs the test body `async fn name(db: Db)` once per backend: `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! both {
    ($(#[$doc:meta])* async fn $name:ident($db:ident: Db) $body:block) => {
        $(#[$doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($db: $crate::db::Db) $body

            #[test]
            fn sqlite() {
                $crate::block_on(async { run($crate::db::Db::sqlite()).await })
            }

            #[test]
            fn postgres() {
                $crate::block_on(async { run($crate::db::Db::postgres().await).await })
            }
        }
    };
}

/// A throwaway PostgreSQL cluster: `initdb` in a temporary directory, the server listening
/// only on a socket in that directory (no TCP port), run as the `postgres` user when this
/// process is root (the server refuses root). A watchdog process stops the server and
/// removes the directory once this process is gone, however it ends.
pub struct TestPostgres {
    dir: PathBuf,
    next: AtomicU32,
}

impl TestPostgres {
    /// The server this test binary shares: without fsync, as tests need no durability
    /// across a power cut.
    pub fn shared() -> &'static TestPostgres {
        static SHARED: OnceLock<TestPostgres> = OnceLock::new();
        SHARED.get_or_init(|| TestPostgres::start(false))
    }

    /// A server of its own, with PostgreSQL's default durability (for figures).
    pub fn durable() -> &'static TestPostgres {
        static DURABLE: OnceLock<TestPostgres> = OnceLock::new();
        DURABLE.get_or_init(|| TestPostgres::start(true))
    }

    fn start(durable: bool) -> TestPostgres {
        let dir = tempfile::Builder::new()
            .prefix("hooklens-pg-")
            .tempdir()
            .expect("tempdir")
            .keep();
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir));
        }
        let data = dir.join("data");
        run(pg(as_postgres, "initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
            ])
            .arg(&data));
        // A user that must give a password, for the authentication test.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all needs_password scram-sha-256\nlocal all all trust\n",
        )
        .expect("pg_hba.conf");
        let fsync = if durable { "on" } else { "off" };
        let options = format!(
            "-c listen_addresses='' -k {} -c max_connections=300 -c fsync={fsync} -c synchronous_commit={fsync}",
            dir.display()
        );
        run(pg(as_postgres, "pg_ctl")
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-o", &options, "start"]));
        let watchdog = format!(
            "while [ -d /proc/{pid} ]; do sleep 0.5; done; \
             {PG_BIN}/pg_ctl -D {data} stop -m immediate >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            data = data.display(),
            dir = dir.display()
        );
        let mut sh = if as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "sh", "-c", &watchdog]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", &watchdog]);
            c
        };
        // Never waited for: it outlives this process, to clean up after it.
        #[allow(clippy::zombie_processes)]
        sh.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("watchdog");
        TestPostgres {
            dir,
            next: AtomicU32::new(0),
        }
    }

    /// The URL of database `name` as user `user`.
    pub fn url_as(&self, user: &str, name: &str) -> String {
        let host: String = self
            .dir
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c == '/' {
                    "%2F".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        format!("postgres://{user}@{host}:5432/{name}")
    }

    /// A new, empty database; its URL.
    pub async fn database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        self.execute(&format!("CREATE DATABASE {name}")).await;
        self.url_as("postgres", &name)
    }

    /// Runs `sql` on the server's `postgres` database, as the superuser.
    pub async fn execute(&self, sql: &str) {
        let client = connect(&self.url_as("postgres", "postgres")).await;
        client.batch_execute(sql).await.expect(sql);
    }
}

/// A plain connection (outside any store) to `url`; its driver runs on a task.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A PostgreSQL program, run as `postgres` when `as_postgres`.
fn pg(as_postgres: bool, program: &str) -> Command {
    let path = Path::new(PG_BIN).join(program);
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(path);
        c
    } else {
        Command::new(path)
    }
}

fn run(command: &mut Command) {
    let out = command.output().expect("run");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
