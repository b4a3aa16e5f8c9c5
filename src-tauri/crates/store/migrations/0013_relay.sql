-- The relay (issue 17). On a relay: the tokens that may read its stream of captures, kept
-- as SHA-256 hashes only (the token itself is shown once, when it is made); a revoked
-- token keeps its row, so the list says when it was revoked. On a subscriber: how far each
-- relay's stream has been mirrored, written in the same transaction as the mirrored
-- capture, so a crash never repeats nor skips one. Relays are told apart by `relay_id`,
-- made once here: the same relay behind another URL keeps its cursor, a new one starts
-- afresh.
CREATE TABLE relay_tokens (
    name          TEXT    PRIMARY KEY,
    hash          BLOB    NOT NULL,
    created_at_us INTEGER NOT NULL,
    last_used_us  INTEGER,
    revoked_at_us INTEGER
);
CREATE TABLE relay_cursors (
    relay         TEXT    PRIMARY KEY, -- the relay's relay_id
    position      INTEGER NOT NULL,    -- the last position mirrored
    last_id       TEXT,                -- the id of the capture at that position
    updated_at_us INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('relay_id', lower(hex(randomblob(16))));
