-- Runners and task claims (issue 23): who runs a project's queue, and which task each holds.
-- Times are milliseconds since the epoch (one machine's clock: SQLite is one machine's store).
CREATE TABLE runners (
  runner_id    TEXT PRIMARY KEY,   -- the run's id
  project      TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  labels       TEXT NOT NULL DEFAULT '[]',  -- JSON array of the runner's --labels
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,   -- the lease: past it, the runner counts as gone
  stopped_at   INTEGER
);
CREATE INDEX runners_project ON runners (project, expires_at);

-- A claim is a lease on one task with a fencing token: the token grows at every takeover, and
-- every write for the task is checked against it.
CREATE TABLE task_claims (
  project    TEXT NOT NULL,
  task_id    TEXT NOT NULL,
  runner_id  TEXT NOT NULL,
  token      INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  released   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project, task_id)
);
CREATE INDEX task_claims_runner ON task_claims (runner_id);
