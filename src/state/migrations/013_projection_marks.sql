-- How far each record file has been written: the highest record seq appended to it, and what the
-- file looked like just after (size, modification time, inode). Replaces the per-row `written`
-- flag and projection_stamps, which describe one file per table: on a shared database every
-- machine has its own files (migration 013; on SQLite the key stays the file's name).
CREATE TABLE projection_marks (
  file   TEXT PRIMARY KEY,
  seq    INTEGER NOT NULL,
  stamp  TEXT
);

-- A file was written up to the row before the first one still unwritten (or the last row).
INSERT INTO projection_marks (file, seq, stamp)
  SELECT 'deployments.json',
         COALESCE((SELECT MIN(seq) - 1 FROM deployments WHERE written = 0), (SELECT MAX(seq) FROM deployments), 0),
         (SELECT stamp FROM projection_stamps WHERE file = 'deployments.json')
  WHERE EXISTS (SELECT 1 FROM deployments);
INSERT INTO projection_marks (file, seq, stamp)
  SELECT 'decisions.jsonl',
         COALESCE((SELECT MIN(seq) - 1 FROM decisions WHERE written = 0), (SELECT MAX(seq) FROM decisions), 0),
         (SELECT stamp FROM projection_stamps WHERE file = 'decisions.jsonl')
  WHERE EXISTS (SELECT 1 FROM decisions);
