-- safety-exception: undoes 003, dropping only the column it added (nothing else stores data there)
ALTER TABLE items DROP COLUMN priority;
