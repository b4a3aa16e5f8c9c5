//! `hooklens serve --database postgres://…` as real processes, several on one database, on
//! a real PostgreSQL server this binary starts (`hooklens-test-postgres`): what each shows
//! of the others' captures (`instances`), what a `kill -9` of one costs (`crash`), the
//! one-line errors of a start that cannot use its database (`errors`), an import into the
//! database (`import`), and a relay of two instances mirrored by a subscriber that stores in
//! PostgreSQL too (`relay`).

mod crash;
mod errors;
mod import;
mod instances;
mod relay;
mod serve;

/// A fresh database on the binary's server; its URL.
fn database() -> String {
    hooklens_test_postgres::TestPostgres::shared().database()
}

/// The database name at the end of a test URL.
fn name_of(url: &str) -> &str {
    url.rsplit('/').next().expect("a database name")
}
