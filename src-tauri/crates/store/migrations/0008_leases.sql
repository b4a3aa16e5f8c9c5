-- Why a pending delivery's next_attempt_at_us is what it is: 0 a scheduled attempt, 1 a
-- lease (an attempt in flight), 2 held back while a probe of its down target is in flight.
-- A restart releases 1 and 2 at once (the process that held them is gone), and the end of a
-- probe releases 2, so neither waits for the lease to lapse.
ALTER TABLE deliveries ADD COLUMN leased INTEGER NOT NULL DEFAULT 0;
