-- Decisions people make (approve, reject, override, revert, abort, veto) and the approvals a
-- gate reads: an approval holds for the fingerprint of what the person was shown.
CREATE TABLE decisions (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  project      TEXT NOT NULL,
  task_id      TEXT,
  decision     TEXT NOT NULL,
  fingerprint  TEXT,
  record       TEXT NOT NULL,
  written      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX decisions_task ON decisions (project, task_id);

-- An environment whose rollback failed: no automatic attempts until a person clears it.
CREATE TABLE environment_health (
  project      TEXT NOT NULL,
  environment  TEXT NOT NULL,
  state        TEXT NOT NULL,           -- degraded
  reason       TEXT NOT NULL,
  since        TEXT NOT NULL,
  PRIMARY KEY (project, environment)
);
