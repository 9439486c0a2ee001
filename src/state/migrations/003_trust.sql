-- Who started a run: with `prevent_self_approval` that user may not approve its production gate.
ALTER TABLE runs ADD COLUMN os_user TEXT;

-- A production approval is used once: the attempt it let run (the task's base iteration).
CREATE TABLE approval_uses (
  decision_id  TEXT PRIMARY KEY,
  project      TEXT NOT NULL,
  task_id      TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  run_id       TEXT NOT NULL,
  used_at      TEXT NOT NULL
);

-- A lock names its holder beyond the pid: the boot and the process start time tell a reused pid.
ALTER TABLE locks ADD COLUMN boot_id TEXT;
ALTER TABLE locks ADD COLUMN start_time TEXT;

-- What each record file looked like (size, modification time, inode) just after the loop last
-- wrote it: a file that still looks so is not read through at every start.
CREATE TABLE projection_stamps (
  file   TEXT PRIMARY KEY,
  stamp  TEXT NOT NULL
);
