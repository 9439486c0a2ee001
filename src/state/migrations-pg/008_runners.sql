-- Mirror of SQLite's 008_runners: runners and task claims (issue 23). Times come from the
-- database's clock, so runners on machines whose clocks differ agree on when a lease ends.
CREATE TABLE runners (
  runner_id    text PRIMARY KEY,
  project      text NOT NULL,
  host         text NOT NULL,
  pid          integer NOT NULL,
  labels       text NOT NULL DEFAULT '[]',
  started_at   timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  stopped_at   timestamptz
);
CREATE INDEX runners_project ON runners (project, expires_at);

CREATE TABLE task_claims (
  project    text NOT NULL,
  task_id    text NOT NULL,
  runner_id  text NOT NULL,
  token      bigint NOT NULL,
  claimed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  released   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (project, task_id)
);
CREATE INDEX task_claims_runner ON task_claims (runner_id);
