-- Console tokens (issue 24): one a person, made by `token create --for NAME`, kept only as its
-- sha-256 (the token itself is shown once); a revoked token stays listed with when it was revoked.
CREATE TABLE console_tokens (
  id            TEXT PRIMARY KEY,
  person        TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL,
  last_used_at  TEXT,
  revoked_at    TEXT
);

-- A live console page asks for the tasks saved since its last look (tasksUpdatedSince).
CREATE INDEX tasks_updated ON tasks (project, updated_at);
