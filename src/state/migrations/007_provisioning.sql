-- Provisioning records (issue 25): one record an attempt to provision (plan refused, blocked,
-- rejected, applied, apply failed), kept here first; .aibrain/provisioning.json is its projection.
CREATE TABLE provisioning (
  seq      INTEGER PRIMARY KEY,
  id       TEXT NOT NULL UNIQUE,
  project  TEXT NOT NULL,
  task_id  TEXT NOT NULL,
  record   TEXT NOT NULL
);
CREATE INDEX provisioning_project ON provisioning (project, seq);
