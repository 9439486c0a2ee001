-- A store that lost rows is refused (issue 19): each record table counts the rows ever inserted
-- (a trigger; a delete does not lower it), and each row carries a hash chained to the row before
-- it (sha-256 of the previous chain, the id and the record), which `history --verify` recomputes.
CREATE TABLE record_counts (
  tbl       TEXT PRIMARY KEY,          -- deployments | decisions
  inserted  INTEGER NOT NULL
);
INSERT INTO record_counts (tbl, inserted) SELECT 'deployments', count(*) FROM deployments;
INSERT INTO record_counts (tbl, inserted) SELECT 'decisions', count(*) FROM decisions;
CREATE TRIGGER deployments_counted AFTER INSERT ON deployments BEGIN
  UPDATE record_counts SET inserted = inserted + 1 WHERE tbl = 'deployments';
END;
CREATE TRIGGER decisions_counted AFTER INSERT ON decisions BEGIN
  UPDATE record_counts SET inserted = inserted + 1 WHERE tbl = 'decisions';
END;
ALTER TABLE deployments ADD COLUMN chain TEXT;  -- null on rows older than the chain
ALTER TABLE decisions ADD COLUMN chain TEXT;
