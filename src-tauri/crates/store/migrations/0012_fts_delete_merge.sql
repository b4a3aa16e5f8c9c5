-- Retention deletes the oldest requests, and a deleted request leaves a tombstone in the
-- full-text segments that hold it: the oldest, largest ones. By default FTS5 rewrites a level
-- of segments once a tenth of its entries are tombstones, so with retention deleting as fast
-- as requests arrive the largest level was rewritten over and over (ten pages written for
-- each page deleted), and each of those merge steps held the writer for up to 30 ms. Waiting
-- until half are gone writes each page about twice, for at most twice the space.
INSERT INTO request_fts (request_fts, rank) VALUES ('deletemerge', 50);
INSERT INTO request_recent (request_recent, rank) VALUES ('deletemerge', 50);
