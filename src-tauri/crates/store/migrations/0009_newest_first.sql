-- Newest-first walks for the provider filters. `seq` is the rowid: an index on
-- (provider, seq) hands out one provider's requests newest first, and carrying `event_type`
-- lets an event-type glob be checked in the index, before the row is read.
-- (`requests_provider` on (provider, event_type) stays: it walks newest first for one exact
-- event type.)
CREATE INDEX requests_provider_seq ON requests (provider, seq, event_type);

-- A second full-text index over only the newest requests (see `search`): FTS5 answers a
-- prefix query by merging every matching term's list first, so a prefix common in a million
-- requests costs a merge of a million entries; over the newest few thousand it is cheap, and
-- holds the newest matches whenever they fill a page. Starts empty at the main index's
-- watermark; the indexer fills it downwards.
CREATE VIRTUAL TABLE request_recent USING fts5 (
    path, query, headers, body,
    content = '', contentless_delete = 1
);
CREATE TRIGGER requests_delete_recent AFTER DELETE ON requests BEGIN
    DELETE FROM request_recent WHERE rowid = old.seq;
END;
INSERT INTO meta (key, value)
    VALUES ('recent_low', coalesce((SELECT value FROM meta WHERE key = 'fts_seq'), '0'));
