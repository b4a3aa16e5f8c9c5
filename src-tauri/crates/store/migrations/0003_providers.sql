-- Provider awareness and signature verdicts, computed at capture.
ALTER TABLE requests ADD COLUMN provider TEXT;
ALTER TABLE requests ADD COLUMN event_type TEXT;
ALTER TABLE requests ADD COLUMN sig_status TEXT;   -- valid | invalid | missing | unconfigured
ALTER TABLE requests ADD COLUMN sig_scheme TEXT;
ALTER TABLE requests ADD COLUMN sig_reason TEXT;
CREATE INDEX requests_provider ON requests (provider, event_type);
