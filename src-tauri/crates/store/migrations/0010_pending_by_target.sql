-- The forwarder works its queue target by target: it asks each target with pending
-- deliveries when its earliest is due, and leases a few of each, so one down or slow target
-- never holds the others back and its deliveries are never rewritten while it is away (a
-- down target's deliveries used to be postponed, row by row, at every probe). This index
-- holds only pending deliveries, so it stays as small as the queue; it serves every queue
-- query, and replaces the index on (state, next_attempt_at_us). `leased` is now 0 or 1:
-- nothing is held back in the table any more (2 was a delivery held during a probe).
DROP INDEX deliveries_due;
CREATE INDEX deliveries_pending ON deliveries (target, next_attempt_at_us) WHERE state = 'pending';
UPDATE deliveries SET leased = 0 WHERE leased = 2;
