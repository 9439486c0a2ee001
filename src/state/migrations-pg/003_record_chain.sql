-- Mirror of SQLite's 006_record_chain: a store that lost rows is refused (issue 19). Each record
-- table counts the rows ever inserted (a trigger; a delete does not lower it), and each row
-- carries a hash chained to the row before it, which `history --verify` recomputes.
CREATE TABLE record_counts (
  tbl       text PRIMARY KEY,          -- deployments | decisions
  inserted  integer NOT NULL
);
INSERT INTO record_counts (tbl, inserted) SELECT 'deployments', count(*) FROM deployments;
INSERT INTO record_counts (tbl, inserted) SELECT 'decisions', count(*) FROM decisions;
CREATE FUNCTION count_record_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE autonomous_loop.record_counts SET inserted = inserted + 1 WHERE tbl = TG_TABLE_NAME;
  RETURN NULL;
END;
$$;
CREATE TRIGGER deployments_counted AFTER INSERT ON deployments FOR EACH ROW EXECUTE FUNCTION count_record_insert();
CREATE TRIGGER decisions_counted AFTER INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION count_record_insert();
ALTER TABLE deployments ADD COLUMN chain text;  -- null on rows older than the chain
ALTER TABLE decisions ADD COLUMN chain text;
