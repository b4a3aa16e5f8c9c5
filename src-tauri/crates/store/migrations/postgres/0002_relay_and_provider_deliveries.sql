-- What SQLite's migrations 0013 and 0014 added, on PostgreSQL.

-- The relay (issue 17). On a relay: the tokens that may read its stream of captures, kept
-- as SHA-256 hashes only; a revoked token keeps its row. On a subscriber: how far each
-- relay's stream has been mirrored, written in the same transaction as the mirrored
-- capture. Relays are told apart by `relay_id`, made once here for the whole database: the
-- instances sharing it are one relay.
CREATE TABLE relay_tokens (
    name          text   PRIMARY KEY,
    hash          bytea  NOT NULL,
    created_at_us bigint NOT NULL,
    last_used_us  bigint,
    revoked_at_us bigint
);
CREATE TABLE relay_cursors (
    relay         text   PRIMARY KEY, -- the relay's relay_id
    position      bigint NOT NULL,    -- the last position mirrored
    last_id       text,               -- the id of the capture at that position
    updated_at_us bigint NOT NULL
);
INSERT INTO meta (key, value) VALUES ('relay_id', md5(random()::text || clock_timestamp()::text));

-- Providers deliver at least once: the provider's id for what it delivered (`event_id`),
-- which delivery of it this is at its endpoint (`occurrence`, from 1), and on a repeat the
-- first delivery's capture id and time. The index finds an event's earlier deliveries.
ALTER TABLE requests
    ADD COLUMN event_id           text,
    ADD COLUMN occurrence         integer,
    ADD COLUMN duplicate_of       text,
    ADD COLUMN first_at_us        bigint,
    -- A verification handshake Hooklens answered or refused: the provider, whether it was
    -- answered, and why.
    ADD COLUMN handshake          text,
    ADD COLUMN handshake_answered boolean,
    ADD COLUMN handshake_reason   text;
CREATE INDEX requests_event ON requests (event_id, provider, endpoint_id)
    WHERE event_id IS NOT NULL;
