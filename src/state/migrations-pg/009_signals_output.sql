-- Mirror of SQLite's 009_signals_output: the output of the tasks' iterations, so `logs TASK
-- --follow` can follow a task running on another machine. (Signals are LISTEN/NOTIFY here: no table.)
CREATE TABLE task_output (
  seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project   text NOT NULL,
  task_id   text NOT NULL,
  iteration integer NOT NULL,
  run_id    text NOT NULL,
  chunk     text NOT NULL,
  at        text NOT NULL
);
CREATE INDEX task_output_task ON task_output (project, task_id, seq);
