-- What each iteration of a coding agent spent and left (issue 15): cost, tokens, turns, time, the
-- CLI's session, the checkpoint commit, the log file, and why the loop stopped the task after it.
CREATE TABLE iteration_metrics (
  iteration_id   INTEGER PRIMARY KEY,      -- iterations.id
  project        TEXT NOT NULL,
  task_id        TEXT NOT NULL,
  n              INTEGER NOT NULL,
  run_id         TEXT NOT NULL,
  cost_usd       REAL,
  input_tokens   INTEGER,
  output_tokens  INTEGER,
  cached_tokens  INTEGER,
  turns          INTEGER,
  duration_ms    INTEGER NOT NULL,
  retries        INTEGER NOT NULL DEFAULT 0,
  session_id     TEXT,
  model          TEXT,
  checkpoint     TEXT,                     -- commit sha of the checkpoint made after the iteration
  checkpoint_branch TEXT,
  log_file       TEXT,                     -- relative to .aibrain/
  stop_reason    TEXT                      -- budget:cost | budget:tokens | budget:runtime | stuck
);
CREATE INDEX iteration_metrics_task ON iteration_metrics (project, task_id, n);
CREATE INDEX iteration_metrics_run ON iteration_metrics (run_id);
