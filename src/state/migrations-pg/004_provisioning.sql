-- Mirror of SQLite's 007_provisioning: provisioning records (issue 25), one an attempt, kept here
-- first; .aibrain/provisioning.json is its projection.
CREATE TABLE provisioning (
  seq      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id       text NOT NULL UNIQUE,
  project  text NOT NULL,
  task_id  text NOT NULL,
  record   text NOT NULL
);
CREATE INDEX provisioning_project ON provisioning (project, seq);
