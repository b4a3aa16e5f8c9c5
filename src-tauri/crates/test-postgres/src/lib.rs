//! For tests only: a throwaway PostgreSQL server, so that the store's suite and the CLI's run
//! against the real thing rather than a mock. `initdb` makes a cluster in a temporary
//! directory; the server listens on a socket in that directory (and, for TLS, on a free
//! loopback port with a certificate made for the run); a watchdog process stops it and
//! removes the directory once the test process is gone, however that ends. Debian's
//! `postgresql` package provides the programs (`make test` installs it when missing).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Where Debian (and Ubuntu) put each PostgreSQL version's server programs.
const PG_LIB: &str = "/usr/lib/postgresql";
/// A role every server has, which must give the password `right` (for authentication tests).
pub const PASSWORD_USER: &str = "needs_password";

/// A running server; every test database is made on it with [`TestPostgres::database`].
pub struct TestPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// Whether it also listens on `127.0.0.1:port`, with TLS.
    tcp: bool,
    next: AtomicU32,
}

impl TestPostgres {
    /// The server a test binary shares: without fsync, as tests need no durability across a
    /// power cut, nor housekeeping; on its socket only.
    pub fn shared() -> &'static TestPostgres {
        static SHARED: OnceLock<TestPostgres> = OnceLock::new();
        SHARED.get_or_init(|| TestPostgres::start(false, false))
    }

    /// A server with PostgreSQL's default durability (fsync on), for figures.
    pub fn durable() -> &'static TestPostgres {
        static DURABLE: OnceLock<TestPostgres> = OnceLock::new();
        DURABLE.get_or_init(|| TestPostgres::start(true, false))
    }

    /// A server that also takes TLS connections on a loopback port, with a certificate for
    /// `localhost` signed by a CA made for the run ([`TestPostgres::ca_file`]).
    pub fn tls() -> &'static TestPostgres {
        static TLS: OnceLock<TestPostgres> = OnceLock::new();
        TLS.get_or_init(|| TestPostgres::start(false, true))
    }

    // Long: the cluster, its configuration and certificate, the server, and its watchdog,
    // in the order they must happen.
    fn start(durable: bool, tcp: bool) -> TestPostgres {
        let dir = tempfile::Builder::new()
            .prefix("hooklens-pg-")
            .tempdir()
            .expect("tempdir")
            .keep();
        let bin = bin_dir();
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir));
        }
        let data = dir.join("data");
        run(pg(&bin, as_postgres, "initdb")
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8"])
            .args(["--locale=C", "--no-sync", "-D"])
            .arg(&data));
        let mut hba = format!("local all {PASSWORD_USER} scram-sha-256\nlocal all all trust\n");
        let port = if tcp { free_port() } else { 5432 };
        let mut options = format!("-p {port} -k {} -c max_connections=300", dir.display());
        if !durable {
            // No durability, and no work of its own once the tests stop (no autovacuum, no
            // timed checkpoint, no background writes): a test that measures the disk (the
            // SQLite WAL's) must not share it with this server's housekeeping.
            options.push_str(
                " -c fsync=off -c synchronous_commit=off -c autovacuum=off \
                 -c checkpoint_timeout=1d -c bgwriter_lru_maxpages=0",
            );
        }
        if tcp {
            certificates(&dir, &data);
            hba.push_str(&format!(
                "host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n"
            ));
            options.push_str(" -c listen_addresses=127.0.0.1 -c ssl=on");
        } else {
            options.push_str(" -c listen_addresses=''");
        }
        std::fs::write(data.join("pg_hba.conf"), hba).expect("pg_hba.conf");
        if as_postgres {
            // What this process wrote since, for the server to read.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir));
        }
        run(pg(&bin, as_postgres, "pg_ctl")
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-o", &options, "start"]));
        watchdog(&bin, as_postgres, &dir, &data);
        let server = TestPostgres {
            dir,
            bin,
            port,
            tcp,
            next: AtomicU32::new(0),
        };
        server.execute(&format!(
            "CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD 'right' CREATEDB"
        ));
        server
    }

    /// The URL of database `name` as `user` (`user:password` for one), over the socket.
    pub fn url_as(&self, user: &str, name: &str) -> String {
        let host: String = self
            .dir
            .to_string_lossy()
            .chars()
            .map(|c| match c {
                '/' => "%2F".to_string(),
                c => c.to_string(),
            })
            .collect();
        format!("postgres://{user}@{host}:{}/{name}", self.port)
    }

    /// The URL of database `name` as `user` over TCP to `host` (`localhost`, the name the
    /// certificate holds, or `127.0.0.1`), with `query` (say `sslmode=require`) when not
    /// empty. Only on [`TestPostgres::tls`].
    pub fn tcp_url(&self, user: &str, host: &str, name: &str, query: &str) -> String {
        assert!(self.tcp, "only the TLS server listens on TCP");
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("postgres://{user}@{host}:{}/{name}{query}", self.port)
    }

    /// The CA that signed the TLS server's certificate (PEM).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }

    /// A CA that signed nothing the server holds (PEM).
    pub fn other_ca_file(&self) -> PathBuf {
        self.dir.join("other-ca.crt")
    }

    /// A new, empty database; its URL over the socket.
    pub fn database(&self) -> String {
        let name = self.database_name();
        self.execute(&format!("CREATE DATABASE {name}"));
        self.url_as("postgres", &name)
    }

    /// A new, empty database; its name.
    pub fn database_name(&self) -> String {
        format!(
            "t{}_{}",
            std::process::id(),
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Runs `sql` on the server's `postgres` database, as the superuser.
    pub fn execute(&self, sql: &str) {
        self.query("postgres", sql);
    }

    /// Runs `sql` on database `name` as the superuser; its output, one row per line and
    /// columns separated by `|`.
    pub fn query(&self, name: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "postgres",
            ])
            .arg("-h")
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-d", name, "-c", sql])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// The newest PostgreSQL installed, e.g. `/usr/lib/postgresql/15/bin`.
fn bin_dir() -> PathBuf {
    let versions = std::fs::read_dir(PG_LIB)
        .unwrap_or_else(|e| panic!("{PG_LIB}: {e} — install PostgreSQL (make test does)"));
    versions
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max()
        .map(|(_, bin)| bin)
        .unwrap_or_else(|| panic!("no PostgreSQL server under {PG_LIB}"))
}

/// A CA, a certificate for `localhost` it signed, and another CA that signed nothing, made
/// with the `openssl` program; the
/// server's key and certificate go into the data directory, where `ssl=on` looks.
fn certificates(dir: &Path, data: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-days",
            "2",
            "-subj",
            "/CN=Hooklens test CA",
        ])
        .args(ec)
        .args(["-keyout", "ca.key", "-out", "ca.crt"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-x509", "-days", "2", "-subj", "/CN=Some other CA"])
        .args(ec)
        .args(["-keyout", "other-ca.key", "-out", "other-ca.crt"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"]));
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-subj", "/CN=localhost"])
        .args(ec)
        .args(["-keyout", "server.key", "-out", "server.csr"]));
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("server.ext");
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt"])
        .args(["-CAkey", "ca.key", "-CAcreateserial", "-days", "2"])
        .args(["-extfile", "server.ext", "-out", "server.crt"]));
    for file in ["server.key", "server.crt"] {
        std::fs::copy(dir.join(file), data.join(file)).expect("copy the certificate");
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        data.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod server.key");
}

/// Stops the server and removes `dir` once this process is gone.
fn watchdog(bin: &Path, as_postgres: bool, dir: &Path, data: &Path) {
    let script = format!(
        "while [ -d /proc/{pid} ]; do sleep 0.5; done; \
         {pg_ctl} -D {data} stop -m immediate >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display()
    );
    let mut sh = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", &script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        c
    };
    // Never waited for: it outlives this process, to clean up after it.
    #[allow(clippy::zombie_processes)]
    sh.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("watchdog");
}

/// A loopback port nothing listens on now (the server binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A PostgreSQL program, run as `postgres` when `as_postgres` (the server refuses root).
fn pg(bin: &Path, as_postgres: bool, program: &str) -> Command {
    let path = bin.join(program);
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
