# The store's tests run every behaviour test on PostgreSQL too, and the CLI's run several
# `hooklens serve` on one database, against throwaway servers the test binaries start
# themselves (src-tauri/crates/test-postgres: initdb and pg_ctl of the newest PostgreSQL under
# /usr/lib/postgresql; openssl makes the certificates of the TLS tests). `make test` installs
# both when missing; so does `make bench` (tests/bench/postgres.sh).
APT_PACKAGES += postgresql openssl
