-- The PostgreSQL schema: the same tables as SQLite's (migrations/0001-0012 as they stand),
-- plus what several instances on one database need: the order captures committed in
-- (capture_queue, capture_log, capture_counter), the search index as a table the indexer
-- fills (request_search), and who holds a delivery's lease (deliveries.lease_owner).

-- Captured requests. `seq` is handed out at insert, before commit: it orders pages, not the
-- stream (see capture_log).
CREATE TABLE requests (
    seq             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              text    NOT NULL UNIQUE,
    received_at_us  bigint  NOT NULL,
    duration_us     bigint  NOT NULL,
    endpoint_id     text,
    endpoint_name   text    NOT NULL,
    method          text    NOT NULL,
    path            text    NOT NULL,
    query           text,
    http_version    text    NOT NULL,
    remote_addr     text,
    headers         bytea   NOT NULL, -- "name: value\r\n" lines, in arrival order, byte-exact
    body            bytea   NOT NULL,
    body_state      text    NOT NULL, -- complete | too_large | incomplete
    body_note       text,
    size            bigint  NOT NULL,
    response_status integer NOT NULL,
    pinned          boolean NOT NULL DEFAULT false,
    provider        text,
    event_type      text,
    sig_status      text,             -- valid | invalid | missing | unconfigured
    sig_scheme      text,
    sig_reason      text,
    tags            text[],
    matched_rules   text[],
    via             text,
    instance        bigint            -- the instance that stored it (from `instances`)
);
CREATE INDEX requests_received_at ON requests (received_at_us);
CREATE INDEX requests_provider ON requests (provider, event_type, seq);
CREATE INDEX requests_endpoint ON requests (endpoint_name, seq);

-- The stream's order. A capture commits with a row in capture_queue; one sequencer at a
-- time (an advisory lock) moves every committed row from the queue to capture_log, with
-- the next positions from capture_counter, and commits. Positions therefore become visible
-- only in increasing order: a reader never sees position 11 before 10 exists. `seq` cannot
-- serve: it is taken before commit, so 11 may commit before 10.
CREATE TABLE capture_queue (
    seq bigint PRIMARY KEY REFERENCES requests (seq) ON DELETE CASCADE
);
CREATE TABLE capture_log (
    position bigint PRIMARY KEY,
    seq      bigint NOT NULL UNIQUE REFERENCES requests (seq) ON DELETE CASCADE
);
CREATE TABLE capture_counter (
    last bigint NOT NULL -- the last position handed out; one row
);
INSERT INTO capture_counter (last) VALUES (0);

-- Full-text search: the tokens of path, query, headers and text body (see `fulltext`),
-- filled by the indexer in position order behind `meta.fts_position`.
CREATE TABLE request_search (
    seq bigint   PRIMARY KEY REFERENCES requests (seq) ON DELETE CASCADE,
    doc tsvector NOT NULL
);
CREATE INDEX request_search_doc ON request_search USING gin (doc);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE endpoints (
    id            text   PRIMARY KEY,
    name          text   NOT NULL UNIQUE,
    path          text   NOT NULL UNIQUE,
    response      text   NOT NULL, -- JSON
    forwarding    text   NOT NULL DEFAULT '{}', -- JSON: targets, retry policy, relay, signature
    created_at_us bigint NOT NULL
);

-- Forwarding: one delivery per (request, target), each with its attempts. `leased` is 1
-- while an attempt is in flight; `lease_owner` is the instance that holds it (see
-- `instances`), so that one starting up releases only the leases of instances gone.
CREATE TABLE deliveries (
    seq                bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                 text    NOT NULL UNIQUE,
    request_seq        bigint  NOT NULL REFERENCES requests (seq) ON DELETE CASCADE,
    request_id         text    NOT NULL,
    kind               text    NOT NULL, -- auto | replay | relay
    target             text    NOT NULL,
    url                text    NOT NULL,
    spec               text    NOT NULL, -- JSON
    state              text    NOT NULL, -- pending | succeeded | failed
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at_us bigint,
    last_status        integer,
    last_error         text,
    created_at_us      bigint  NOT NULL,
    updated_at_us      bigint  NOT NULL,
    leased             integer NOT NULL DEFAULT 0,
    lease_owner        bigint
);
CREATE INDEX deliveries_request ON deliveries (request_seq);
CREATE UNIQUE INDEX deliveries_auto_once ON deliveries (request_seq, target) WHERE kind = 'auto';
CREATE INDEX deliveries_pending ON deliveries (target, next_attempt_at_us) WHERE state = 'pending';

CREATE TABLE attempts (
    delivery_seq     bigint  NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    n                integer NOT NULL,
    started_at_us    bigint  NOT NULL,
    duration_us      bigint  NOT NULL,
    status           integer,
    response_headers bytea,
    response_body    bytea,  -- the first 64 KiB
    response_size    bigint,
    error_kind       text,
    error            text,
    PRIMARY KEY (delivery_seq, n)
);

-- Each running instance takes a number at start and holds an advisory lock on it for as
-- long as it runs (see `postgres::order`): a lease whose owner holds no lock is orphaned.
CREATE SEQUENCE instances;

CREATE TABLE rules (
    id            text    PRIMARY KEY,
    position      integer NOT NULL,
    spec          text    NOT NULL, -- JSON
    created_at_us bigint  NOT NULL
);

CREATE TABLE notifications (
    seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_us      bigint  NOT NULL,
    kind       text    NOT NULL,
    key        text    NOT NULL,
    title      text    NOT NULL,
    body       text    NOT NULL,
    request_id text,
    shown      boolean NOT NULL
);

CREATE TABLE stats_minutes (
    minute bigint NOT NULL,
    series text   NOT NULL,
    label  text   NOT NULL,
    value  bigint NOT NULL,
    hist   text,
    PRIMARY KEY (minute, series, label)
);

CREATE TABLE monitor_periods (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text   NOT NULL,
    subject    text   NOT NULL,
    started_us bigint NOT NULL,
    ended_us   bigint,
    reason     text   NOT NULL DEFAULT ''
);
CREATE INDEX monitor_periods_started ON monitor_periods (started_us);
