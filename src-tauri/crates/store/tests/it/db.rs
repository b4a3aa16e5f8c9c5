//! The databases the suite runs on: a SQLite file in a temporary directory, or a fresh
//! database on a real PostgreSQL server that this test binary starts once ([`TestPostgres`])
//! and that stops when the binary ends.

use hooklens_store::Store;
pub use hooklens_test_postgres::TestPostgres;

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
        Db::Postgres(TestPostgres::shared().database())
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

/// A plain connection (outside any store) to `url`; its driver runs on a task.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}
