-- Forwarding: one delivery per (request, target), each with its attempts. A delivery is
-- `pending` until it succeeds or gives up; `next_attempt_at_us` says when to try next, so
-- a restart resumes every retry series where it stood.
CREATE TABLE deliveries (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    request_seq    INTEGER NOT NULL REFERENCES requests (seq) ON DELETE CASCADE,
    request_id     TEXT    NOT NULL,
    kind           TEXT    NOT NULL, -- auto | replay | relay
    target         TEXT    NOT NULL, -- base URL as configured
    url            TEXT    NOT NULL, -- the URL attempts go to
    spec           TEXT    NOT NULL, -- JSON: policy, extra headers, overrides
    state          TEXT    NOT NULL, -- pending | succeeded | failed
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_us INTEGER,
    last_status    INTEGER,
    last_error     TEXT,
    created_at_us  INTEGER NOT NULL,
    updated_at_us  INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at_us);
CREATE INDEX deliveries_request ON deliveries (request_seq);
CREATE UNIQUE INDEX deliveries_auto_once ON deliveries (request_seq, target) WHERE kind = 'auto';

CREATE TABLE attempts (
    delivery_seq   INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    n              INTEGER NOT NULL,
    started_at_us  INTEGER NOT NULL,
    duration_us    INTEGER NOT NULL,
    status         INTEGER,
    response_headers BLOB,
    response_body  BLOB,     -- the first 64 KiB
    response_size  INTEGER,
    error_kind     TEXT,     -- refused | dns | timeout | tls | reset | blocked | other
    error          TEXT,
    PRIMARY KEY (delivery_seq, n)
) WITHOUT ROWID;

-- Per-endpoint forwarding: targets, retry policy, relay mode (JSON).
ALTER TABLE endpoints ADD COLUMN forwarding TEXT NOT NULL DEFAULT '{}';
