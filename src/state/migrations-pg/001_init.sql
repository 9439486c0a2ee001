-- The store's schema in PostgreSQL: the same tables as SQLite's 001-004, in the schema
-- autonomous_loop (so a database shared with an application never mixes its tables with ours).
CREATE TABLE runs (
  seq         integer GENERATED ALWAYS AS IDENTITY UNIQUE,
  run_id      text PRIMARY KEY,
  project     text NOT NULL,
  pid         integer NOT NULL,
  host        text NOT NULL,
  started_at  text NOT NULL,
  ended_at    text,
  exit_code   integer,
  os_user     text
);

CREATE TABLE tasks (
  project        text NOT NULL,
  task_id        text NOT NULL,
  status         text NOT NULL,
  file_status    text,
  iterations     integer NOT NULL DEFAULT 0,
  base_iteration integer NOT NULL DEFAULT 0,
  last_error     text,
  reason         text,
  updated_at     text NOT NULL,
  PRIMARY KEY (project, task_id)
);

CREATE TABLE iterations (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project      text NOT NULL,
  task_id      text NOT NULL,
  n            integer NOT NULL,
  run_id       text NOT NULL,
  state        text NOT NULL,
  started_at   text NOT NULL,
  ended_at     text,
  verdict      text,
  promise_met  integer,
  error        text,
  output_tail  text
);
CREATE INDEX iterations_task ON iterations (project, task_id, n);
CREATE INDEX iterations_running ON iterations (project) WHERE state = 'running';

CREATE TABLE steps (
  project     text NOT NULL,
  task_id     text NOT NULL,
  iteration   integer NOT NULL,
  name        text NOT NULL,
  state       text NOT NULL,
  result      text,
  started_at  text NOT NULL,
  ended_at    text,
  runs        integer NOT NULL DEFAULT 1,
  PRIMARY KEY (project, task_id, iteration, name)
);

CREATE TABLE events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       text NOT NULL,
  run_id   text,
  project  text NOT NULL,
  task_id  text,
  type     text NOT NULL,
  data     text
);

CREATE TABLE locks (
  project     text PRIMARY KEY,
  pid         integer NOT NULL,
  host        text NOT NULL,
  since       text NOT NULL,
  run_id      text NOT NULL,
  boot_id     text,
  start_time  text
);

CREATE TABLE deployments (
  seq      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id       text NOT NULL UNIQUE,
  project  text NOT NULL,
  record   text NOT NULL,
  written  integer NOT NULL DEFAULT 0
);

CREATE TABLE processes (
  pid         integer NOT NULL,
  start_time  text,
  project     text NOT NULL,
  run_id      text NOT NULL,
  started_at  text NOT NULL,
  PRIMARY KEY (project, pid)
);

CREATE TABLE decisions (
  seq          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  project      text NOT NULL,
  task_id      text,
  decision     text NOT NULL,
  fingerprint  text,
  record       text NOT NULL,
  written      integer NOT NULL DEFAULT 0
);
CREATE INDEX decisions_task ON decisions (project, task_id);

CREATE TABLE environment_health (
  project      text NOT NULL,
  environment  text NOT NULL,
  state        text NOT NULL,
  reason       text NOT NULL,
  since        text NOT NULL,
  PRIMARY KEY (project, environment)
);

CREATE TABLE approval_uses (
  decision_id  text PRIMARY KEY,
  project      text NOT NULL,
  task_id      text NOT NULL,
  attempt      integer NOT NULL,
  run_id       text NOT NULL,
  used_at      text NOT NULL
);

CREATE TABLE projection_stamps (
  file   text PRIMARY KEY,
  stamp  text NOT NULL
);

CREATE TABLE iteration_metrics (
  iteration_id      integer PRIMARY KEY,
  project           text NOT NULL,
  task_id           text NOT NULL,
  n                 integer NOT NULL,
  run_id            text NOT NULL,
  cost_usd          double precision,
  input_tokens      integer,
  output_tokens     integer,
  cached_tokens     integer,
  turns             integer,
  duration_ms       integer NOT NULL,
  retries           integer NOT NULL DEFAULT 0,
  session_id        text,
  model             text,
  checkpoint        text,
  checkpoint_branch text,
  log_file          text,
  stop_reason       text
);
CREATE INDEX iteration_metrics_task ON iteration_metrics (project, task_id, n);
CREATE INDEX iteration_metrics_run ON iteration_metrics (run_id);
