-- Mirror of SQLite's 012_queue_revision.
-- The queue in the store (issue 23 item 4): each task's definition (the queue file's task without
-- its status) under a revision that a push compares and swaps, and each machine's own record of
-- what it last read from or wrote into ITS queue file (file_key = host + absolute path), so a
-- difference in one machine's file is a person's edit on that machine, never another machine's write.
CREATE TABLE queue_heads (
  project     text PRIMARY KEY,
  revision    integer NOT NULL,
  updated_at  text NOT NULL,
  pushed_by   text
);

CREATE TABLE queue_tasks (
  project     text NOT NULL,
  task_id     text NOT NULL,
  definition  text NOT NULL,
  position    integer NOT NULL,
  revision    integer NOT NULL,
  source      text NOT NULL,
  PRIMARY KEY (project, task_id)
);

CREATE TABLE queue_files (
  project     text NOT NULL,
  file_key    text NOT NULL,
  host        text NOT NULL,
  path        text NOT NULL,
  seen_at     text NOT NULL,
  PRIMARY KEY (project, file_key)
);

CREATE TABLE file_marks (
  project     text NOT NULL,
  file_key    text NOT NULL,
  task_id     text NOT NULL,
  status      text,
  definition  text,
  base        text,
  PRIMARY KEY (project, file_key, task_id)
);
