-- How far each machine's record file has been written, keyed by host and absolute path: the
-- highest record seq appended to it, and what the file looked like just after. The per-row
-- `written` flag and projection_stamps described one file per table, shared by every machine
-- (an approve on machine B made A's file look damaged). Marks start empty: a machine's existing
-- file is taken as written up to the last record it holds.
CREATE TABLE projection_marks (
  file   text PRIMARY KEY,
  seq    integer NOT NULL,
  stamp  text
);
