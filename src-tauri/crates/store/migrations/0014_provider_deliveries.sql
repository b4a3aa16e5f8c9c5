-- Providers deliver at least once: each capture keeps the provider's id for what it delivered
-- (`event_id`), which delivery of it this is at its endpoint (`occurrence`, from 1), and on a
-- repeat the first delivery's capture id and time (kept here, so the marker still reads right
-- after retention deleted the first). The index finds an event's earlier deliveries.
ALTER TABLE requests ADD COLUMN event_id TEXT;
ALTER TABLE requests ADD COLUMN occurrence INTEGER;
ALTER TABLE requests ADD COLUMN duplicate_of TEXT;
ALTER TABLE requests ADD COLUMN first_at_us INTEGER;
CREATE INDEX requests_event ON requests (event_id, provider, endpoint_id)
    WHERE event_id IS NOT NULL;

-- A verification handshake Hooklens answered or refused: the provider, whether it was
-- answered, and why.
ALTER TABLE requests ADD COLUMN handshake TEXT;
ALTER TABLE requests ADD COLUMN handshake_answered INTEGER;
ALTER TABLE requests ADD COLUMN handshake_reason TEXT;
