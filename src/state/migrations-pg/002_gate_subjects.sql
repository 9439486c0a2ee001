-- Mirror of SQLite's 005_gate_subjects: what a waiting task's gate showed a person (issue 19).
-- `approve` signs this stored subject; the runner computes it again just before running.
CREATE TABLE gate_subjects (
  project      text NOT NULL,
  task_id      text NOT NULL,
  fingerprint  text NOT NULL,
  subject      text NOT NULL,           -- JSON; environment values only as hashes
  computed_at  text NOT NULL,
  PRIMARY KEY (project, task_id)
);
