-- Mirror of SQLite's 011_console_tokens: console tokens (issue 24), one a person, kept only as
-- their sha-256; a revoked token stays listed with when it was revoked.
CREATE TABLE console_tokens (
  id            text PRIMARY KEY,
  person        text NOT NULL,
  hash          text NOT NULL UNIQUE,
  created_at    text NOT NULL,
  last_used_at  text,
  revoked_at    text
);

-- A live console page asks for the tasks saved since its last look (tasksUpdatedSince).
CREATE INDEX tasks_updated ON tasks (project, updated_at);
