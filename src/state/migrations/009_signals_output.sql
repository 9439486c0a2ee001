-- Issue 23 (people anywhere): signals a decision made in one process sends to the runners that
-- wait (PostgreSQL uses LISTEN/NOTIFY; SQLite keeps them here for the listeners to read), and the
-- output of the tasks' iterations, so `logs TASK --follow` can follow a task from another shell.
CREATE TABLE signals (
  id       INTEGER PRIMARY KEY,
  project  TEXT NOT NULL,
  kind     TEXT NOT NULL,
  task_id  TEXT,
  at       TEXT NOT NULL
);
CREATE TABLE task_output (
  seq       INTEGER PRIMARY KEY,
  project   TEXT NOT NULL,
  task_id   TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  run_id    TEXT NOT NULL,
  chunk     TEXT NOT NULL,
  at        TEXT NOT NULL
);
CREATE INDEX task_output_task ON task_output (project, task_id, seq);
