// The SQL of the PostgreSQL store: the same statements as sqlite-statements.ts, in Postgres' words
// (ON CONFLICT for INSERT OR REPLACE / OR IGNORE, RETURNING for the new row's id, $n parameters).
export const PG = {
  startRun: 'INSERT INTO runs (run_id, project, pid, host, started_at, os_user) VALUES ($1, $2, $3, $4, $5, $6)',
  lastRunStarter: `SELECT run_id, os_user FROM runs WHERE project = $1 AND run_id LIKE 'run-%' ORDER BY started_at DESC, seq DESC LIMIT 1`,
  endRun: 'UPDATE runs SET ended_at = $2, exit_code = $3 WHERE run_id = $1',
  approvalUse: 'SELECT attempt, run_id, used_at FROM approval_uses WHERE decision_id = $1',
  useApproval: `INSERT INTO approval_uses (decision_id, project, task_id, attempt, run_id, used_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (decision_id) DO NOTHING`,
  tasksUpdatedSince: 'SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = $1 AND updated_at >= $2',
  tasks: 'SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = $1',
  task: 'SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = $1 AND task_id = $2',
  saveTask: `INSERT INTO tasks (project, task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (project, task_id) DO UPDATE SET status = excluded.status, iterations = excluded.iterations,
      base_iteration = excluded.base_iteration, last_error = excluded.last_error, reason = excluded.reason, updated_at = excluded.updated_at`,
  setFileStatus: 'UPDATE tasks SET file_status = $3 WHERE project = $1 AND task_id = $2',
  beginIteration: `INSERT INTO iterations (project, task_id, n, run_id, state, started_at) VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id`,
  endIteration: 'UPDATE iterations SET state = $2, ended_at = $3, verdict = $4, promise_met = $5, error = $6, output_tail = $7 WHERE id = $1',
  iterations: 'SELECT * FROM iterations WHERE project = $1 AND task_id = $2 ORDER BY id',
  runningIterations: `SELECT * FROM iterations WHERE project = $1 AND state = 'running' ORDER BY id`,
  latestDoneStep: `SELECT result FROM steps WHERE project = $1 AND task_id = $2 AND name = $3 AND state = 'done' ORDER BY iteration DESC LIMIT 1`,
  getStep: 'SELECT state, result, runs FROM steps WHERE project = $1 AND task_id = $2 AND iteration = $3 AND name = $4',
  beginStep: `INSERT INTO steps (project, task_id, iteration, name, state, started_at) VALUES ($1, $2, $3, $4, 'running', $5)
    ON CONFLICT (project, task_id, iteration, name) DO UPDATE SET state = 'running', started_at = excluded.started_at, runs = steps.runs + 1`,
  endStep: `UPDATE steps SET state = 'done', result = $5, ended_at = $6 WHERE project = $1 AND task_id = $2 AND iteration = $3 AND name = $4`,
  interruptedSteps: `SELECT iteration, name FROM steps WHERE project = $1 AND task_id = $2 AND state = 'interrupted'
    AND iteration > COALESCE((SELECT base_iteration FROM tasks WHERE project = $1 AND task_id = $2), 0) ORDER BY iteration, name`,
  interruptStep: `UPDATE steps SET state = 'interrupted' WHERE project = $1 AND task_id = $2 AND iteration = $3 AND name = $4`,
  addEvent: 'INSERT INTO events (at, run_id, project, task_id, type, data) VALUES ($1, $2, $3, $4, $5, $6)',
  insertDeployment: 'INSERT INTO deployments (id, project, record, chain) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
  allDeployments: 'SELECT seq, id, record FROM deployments ORDER BY seq',
  deploymentsOf: 'SELECT seq, id, record FROM deployments WHERE project = $1 ORDER BY seq',
  insertDecision: 'INSERT INTO decisions (id, project, task_id, decision, fingerprint, record, chain, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
  decisionSignatures: 'SELECT seq, id, signature FROM decisions ORDER BY seq',
  allDecisions: 'SELECT seq, id, record FROM decisions ORDER BY seq',
  decisionsOf: 'SELECT seq, id, record FROM decisions WHERE project = $1 ORDER BY seq',
  taskDecisions: 'SELECT seq, id, record, decision, fingerprint FROM decisions WHERE project = $1 AND task_id = $2 ORDER BY seq',
  addProcess: `INSERT INTO processes (pid, start_time, project, run_id, started_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (project, pid) DO UPDATE SET start_time = excluded.start_time, run_id = excluded.run_id, started_at = excluded.started_at`,
  removeProcess: 'DELETE FROM processes WHERE project = $1 AND pid = $2',
  processes: 'SELECT pid, start_time, run_id FROM processes WHERE project = $1',
  setHealth: `INSERT INTO environment_health (project, environment, state, reason, since) VALUES ($1, $2, 'degraded', $3, $4)
    ON CONFLICT (project, environment) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since`,
  clearHealth: 'DELETE FROM environment_health WHERE project = $1 AND environment = $2',
  health: 'SELECT environment, state, reason, since FROM environment_health WHERE project = $1',
  saveIterationMetrics: `INSERT INTO iteration_metrics (iteration_id, project, task_id, n, run_id, cost_usd, input_tokens, output_tokens, cached_tokens, turns,
      duration_ms, retries, session_id, model, checkpoint, checkpoint_branch, log_file, stop_reason)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
    ON CONFLICT (iteration_id) DO UPDATE SET project = excluded.project, task_id = excluded.task_id, n = excluded.n, run_id = excluded.run_id,
      cost_usd = excluded.cost_usd, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cached_tokens = excluded.cached_tokens,
      turns = excluded.turns, duration_ms = excluded.duration_ms, retries = excluded.retries, session_id = excluded.session_id, model = excluded.model,
      checkpoint = excluded.checkpoint, checkpoint_branch = excluded.checkpoint_branch, log_file = excluded.log_file, stop_reason = excluded.stop_reason`,
  iterationsWithMetrics: `SELECT i.id AS iteration_id, i.project, i.task_id, i.n, i.run_id, i.state, i.verdict, i.promise_met, i.error, i.output_tail, i.started_at, i.ended_at,
      m.cost_usd, m.input_tokens, m.output_tokens, m.cached_tokens, m.turns, COALESCE(m.duration_ms, 0) AS duration_ms, COALESCE(m.retries, 0) AS retries,
      m.session_id, m.model, m.checkpoint, m.checkpoint_branch, m.log_file, m.stop_reason
    FROM iterations i LEFT JOIN iteration_metrics m ON m.iteration_id = i.id
    WHERE i.project = $1 AND i.task_id = $2 AND i.n >= $3 ORDER BY i.id`,
  iterationFigures: 'SELECT task_id, n, cost_usd, input_tokens, output_tokens, turns, duration_ms FROM iteration_metrics WHERE project = $1',
  runCost: 'SELECT SUM(cost_usd) AS cost FROM iteration_metrics WHERE run_id = $1',
  insertProvisioning: 'INSERT INTO provisioning (id, project, task_id, record) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
  allProvisioning: 'SELECT seq, id, record FROM provisioning ORDER BY seq',
  provisioningOf: 'SELECT seq, id, record FROM provisioning WHERE project = $1 ORDER BY seq',
  // Each record table's count of rows ever inserted and its hash chain (migration 003, SQLite's 006).
  // What a waiting task's gate showed (migration 002, SQLite's 005).
  saveGateSubject: `INSERT INTO gate_subjects (project, task_id, fingerprint, subject, computed_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (project, task_id) DO UPDATE SET fingerprint = excluded.fingerprint, subject = excluded.subject, computed_at = excluded.computed_at`,
  saveConsoleToken: 'INSERT INTO console_tokens (id, person, hash, created_at) VALUES ($1, $2, $3, $4)',
  consoleTokens: 'SELECT * FROM console_tokens ORDER BY created_at, id',
  useConsoleToken: 'UPDATE console_tokens SET last_used_at = $1 WHERE hash = $2 AND revoked_at IS NULL RETURNING *',
  revokeConsoleToken: `UPDATE console_tokens SET revoked_at = $1 WHERE id LIKE $2 ESCAPE '\\' AND revoked_at IS NULL RETURNING id`,
  gateSubject: 'SELECT fingerprint, subject, computed_at FROM gate_subjects WHERE project = $1 AND task_id = $2',
  holdsRecords: 'SELECT (SELECT COUNT(*) FROM deployments) + (SELECT COUNT(*) FROM decisions) + (SELECT COUNT(*) FROM tasks) AS n',
} as const;
