-- Rules: conditions on captures and actions (tag, pin, forward), kept in order.
CREATE TABLE rules (
    id            TEXT    PRIMARY KEY,
    position      INTEGER NOT NULL,
    spec          TEXT    NOT NULL, -- JSON
    created_at_us INTEGER NOT NULL
);
ALTER TABLE requests ADD COLUMN tags TEXT;          -- JSON array
ALTER TABLE requests ADD COLUMN matched_rules TEXT; -- JSON array of rule ids
