-- Per-minute rollups of the engine's metrics, so the Monitor's charts outlive a restart.
-- Counters add up when a minute is written twice (a restart within the minute); gauges keep
-- the last value. Latency histograms are stored as "bucket:count" pairs and merged.
CREATE TABLE stats_minutes (
    minute INTEGER NOT NULL, -- Unix time in minutes
    series TEXT    NOT NULL, -- requests | refused | attempts_ok | attempts_failed | latency | backlog | ...
    label  TEXT    NOT NULL, -- endpoint name, target URL or reason; '' when none
    value  INTEGER NOT NULL,
    hist   TEXT,             -- latency buckets (hooklens_store::hist), for series 'latency'
    PRIMARY KEY (minute, series, label)
) WITHOUT ROWID;

-- Periods a forward target or the tunnel was down; ended_us is NULL while it lasts.
CREATE TABLE monitor_periods (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL, -- target_down | tunnel_down
    subject    TEXT    NOT NULL, -- the target URL, or the tunnel provider
    started_us INTEGER NOT NULL,
    ended_us   INTEGER,
    reason     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX monitor_periods_started ON monitor_periods (started_us);
