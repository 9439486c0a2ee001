-- The queue in the store (issue 23 item 4): each task's definition (the queue file's task without
-- its status) under a revision that a push compares and swaps, and each machine's own record of
-- what it last read from or wrote into ITS queue file (file_key = host + absolute path), so a
-- difference in one machine's file is a person's edit on that machine, never another machine's write.
CREATE TABLE queue_heads (
  project     TEXT PRIMARY KEY,
  revision    INTEGER NOT NULL,
  updated_at  TEXT NOT NULL,
  pushed_by   TEXT
);

CREATE TABLE queue_tasks (
  project     TEXT NOT NULL,
  task_id     TEXT NOT NULL,
  definition  TEXT NOT NULL,
  position    INTEGER NOT NULL,
  revision    INTEGER NOT NULL,
  source      TEXT NOT NULL,
  PRIMARY KEY (project, task_id)
);

CREATE TABLE queue_files (
  project     TEXT NOT NULL,
  file_key    TEXT NOT NULL,
  host        TEXT NOT NULL,
  path        TEXT NOT NULL,
  seen_at     TEXT NOT NULL,
  PRIMARY KEY (project, file_key)
);

CREATE TABLE file_marks (
  project     TEXT NOT NULL,
  file_key    TEXT NOT NULL,
  task_id     TEXT NOT NULL,
  status      TEXT,
  definition  TEXT,
  base        TEXT,
  PRIMARY KEY (project, file_key, task_id)
);
