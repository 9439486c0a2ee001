ALTER TABLE items DROP COLUMN priority;
