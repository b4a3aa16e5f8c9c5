# The store's tests run every behaviour test on PostgreSQL too, against a throwaway server
# they start themselves (initdb and pg_ctl from Debian's PostgreSQL 15, in
# /usr/lib/postgresql/15/bin): `make test` installs it when missing.
APT_PACKAGES += postgresql
