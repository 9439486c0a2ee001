-- The state store's first schema: runs, tasks, iterations, steps, events, the project lock and
-- the records written to .aibrain/ files (kept here first, so no record is lost in a crash).
CREATE TABLE runs (
  run_id      TEXT PRIMARY KEY,
  project     TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  host        TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  exit_code   INTEGER
);

CREATE TABLE tasks (
  project      TEXT NOT NULL,
  task_id      TEXT NOT NULL,
  status       TEXT NOT NULL,
  file_status  TEXT,
  iterations   INTEGER NOT NULL DEFAULT 0,    -- iterations run, all attempts
  base_iteration INTEGER NOT NULL DEFAULT 0, -- iterations before the current attempt (a person reset the task)
  last_error   TEXT,
  reason       TEXT,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (project, task_id)
);

CREATE TABLE iterations (
  id           INTEGER PRIMARY KEY,
  project      TEXT NOT NULL,
  task_id      TEXT NOT NULL,
  n            INTEGER NOT NULL,
  run_id       TEXT NOT NULL,
  state        TEXT NOT NULL,           -- running | done | interrupted
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  verdict      TEXT,
  promise_met  INTEGER,
  error        TEXT,
  output_tail  TEXT
);
CREATE INDEX iterations_task ON iterations (project, task_id, n);

CREATE TABLE steps (
  project     TEXT NOT NULL,
  task_id     TEXT NOT NULL,
  iteration   INTEGER NOT NULL,
  name        TEXT NOT NULL,
  state       TEXT NOT NULL,            -- running | done | interrupted (cut off, not redone)
  result      TEXT,
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  runs        INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (project, task_id, iteration, name)
);

CREATE TABLE events (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  run_id   TEXT,
  project  TEXT NOT NULL,
  task_id  TEXT,
  type     TEXT NOT NULL,
  data     TEXT
);

CREATE TABLE locks (
  project  TEXT PRIMARY KEY,
  pid      INTEGER NOT NULL,
  host     TEXT NOT NULL,
  since    TEXT NOT NULL,
  run_id   TEXT NOT NULL
);

CREATE TABLE deployments (
  seq      INTEGER PRIMARY KEY,
  id       TEXT NOT NULL UNIQUE,
  project  TEXT NOT NULL,
  record   TEXT NOT NULL,
  written  INTEGER NOT NULL DEFAULT 0
);

-- Agent processes running now: after a crash, the next run stops what the dead loop left behind.
CREATE TABLE processes (
  pid         INTEGER NOT NULL,
  start_time  TEXT,                     -- /proc start time: a reused pid is not mistaken for ours
  project     TEXT NOT NULL,
  run_id      TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  PRIMARY KEY (project, pid)
);
