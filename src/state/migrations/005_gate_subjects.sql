-- What a waiting task's gate showed a person (issue 19): `approve` signs this stored subject, and
-- the runner computes it again just before running and asks again when it differs.
CREATE TABLE gate_subjects (
  project      TEXT NOT NULL,
  task_id      TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  subject      TEXT NOT NULL,           -- JSON; environment values only as hashes
  computed_at  TEXT NOT NULL,
  PRIMARY KEY (project, task_id)
);
