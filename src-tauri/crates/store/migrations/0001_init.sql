-- Captured requests. `seq` orders them and never repeats (AUTOINCREMENT), so the search
-- indexer can keep a watermark; `id` is the public, time-sortable ULID.
CREATE TABLE requests (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    received_at_us INTEGER NOT NULL,
    duration_us    INTEGER NOT NULL,
    endpoint_id    TEXT,
    endpoint_name  TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    query          TEXT,
    http_version   TEXT    NOT NULL,
    remote_addr    TEXT,
    headers        BLOB    NOT NULL, -- "name: value\r\n" lines, in arrival order, byte-exact
    body           BLOB    NOT NULL,
    body_state     TEXT    NOT NULL, -- complete | too_large | incomplete
    body_note      TEXT,
    size           INTEGER NOT NULL, -- bytes received, or announced when refused
    response_status INTEGER NOT NULL,
    pinned         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_received_at ON requests (received_at_us);

-- Full-text index, filled off the capture path by the writer when it is idle.
CREATE VIRTUAL TABLE request_fts USING fts5 (
    path, query, headers, body,
    content = '', contentless_delete = 1
);
CREATE TRIGGER requests_delete_fts AFTER DELETE ON requests BEGIN
    DELETE FROM request_fts WHERE rowid = old.seq;
END;

CREATE TABLE endpoints (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    path       TEXT    NOT NULL UNIQUE,
    response   TEXT    NOT NULL, -- JSON
    created_at_us INTEGER NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
