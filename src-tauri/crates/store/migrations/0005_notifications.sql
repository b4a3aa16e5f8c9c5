-- Every notification raised, shown as a popup or folded into a summary.
CREATE TABLE notifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at_us      INTEGER NOT NULL,
    kind       TEXT    NOT NULL, -- rule | delivery_failed | target_down | target_up | signature_invalid
    key        TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    request_id TEXT,
    shown      INTEGER NOT NULL  -- 1: a popup showed it; 0: folded into a later summary
);
