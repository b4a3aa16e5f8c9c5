-- FTS5 merges the b-tree segments each write adds. Left to itself (automerge) it does so
-- inside whichever write tips a level over, and a merge of the larger levels holds the writer
-- for 100-300 ms at a few hundred thousand requests, stalling every capture queued behind it.
-- The indexer merges instead, a few milliseconds per slice (see `search::merge`).
INSERT INTO request_fts (request_fts, rank) VALUES ('automerge', 0);
INSERT INTO request_recent (request_recent, rank) VALUES ('automerge', 0);
