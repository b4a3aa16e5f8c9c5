-- How a request arrived: NULL directly, 'tunnel' through the public tunnel.
ALTER TABLE requests ADD COLUMN via TEXT;
