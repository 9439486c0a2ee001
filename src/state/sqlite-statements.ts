import type { Db } from './open-database.js';

// The SQL of the SQLite store, prepared once per open database.
export function prepareStatements(db: Db) {
  return {
    getLock: db.prepare('SELECT pid, host, since, run_id, boot_id, start_time FROM locks WHERE project = ?'),
    putLock: db.prepare(
      'INSERT OR REPLACE INTO locks (project, pid, host, since, run_id, boot_id, start_time) VALUES (@project, @pid, @host, @since, @run_id, @boot_id, @start_time)',
    ),
    forceUnlock: db.prepare('DELETE FROM locks WHERE project = ?'),
    deleteLock: db.prepare('DELETE FROM locks WHERE project = ? AND run_id = ?'),
    startRun: db.prepare('INSERT INTO runs (run_id, project, pid, host, started_at, os_user) VALUES (@run_id, @project, @pid, @host, @started_at, @os_user)'),
    lastRunStarter: db.prepare(`SELECT run_id, os_user FROM runs WHERE project = ? AND run_id LIKE 'run-%' ORDER BY started_at DESC, rowid DESC LIMIT 1`),
    approvalUse: db.prepare('SELECT attempt, run_id, used_at FROM approval_uses WHERE decision_id = ?'),
    useApproval: db.prepare(
      'INSERT OR IGNORE INTO approval_uses (decision_id, project, task_id, attempt, run_id, used_at) VALUES (@decision_id, @project, @task_id, @attempt, @run_id, @used_at)',
    ),
    endRun: db.prepare('UPDATE runs SET ended_at = @ended_at, exit_code = @exit_code WHERE run_id = @run_id'),
    tasksUpdatedSince: db.prepare('SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = ? AND updated_at >= ?'),
    tasks: db.prepare('SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = ?'),
    task: db.prepare('SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = ? AND task_id = ?'),
    saveTask: db.prepare(
      `INSERT INTO tasks (project, task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at)
       VALUES (@project, @task_id, @status, @file_status, @iterations, @base_iteration, @last_error, @reason, @updated_at)
       ON CONFLICT (project, task_id) DO UPDATE SET status = excluded.status,
         iterations = excluded.iterations, base_iteration = excluded.base_iteration, last_error = excluded.last_error, reason = excluded.reason, updated_at = excluded.updated_at`,
    ),
    setFileStatus: db.prepare('UPDATE tasks SET file_status = ? WHERE project = ? AND task_id = ?'),
    beginIteration: db.prepare(
      `INSERT INTO iterations (project, task_id, n, run_id, state, started_at) VALUES (@project, @task_id, @n, @run_id, 'running', @started_at)`,
    ),
    endIteration: db.prepare(
      `UPDATE iterations SET state = @state, ended_at = @ended_at, verdict = @verdict, promise_met = @promise_met, error = @error, output_tail = @output_tail WHERE id = @id`,
    ),
    iterations: db.prepare('SELECT * FROM iterations WHERE project = ? AND task_id = ? ORDER BY id'),
    runningIterations: db.prepare(`SELECT * FROM iterations WHERE project = ? AND state = 'running' ORDER BY id`),
    latestDoneStep: db.prepare(`SELECT result FROM steps WHERE project = ? AND task_id = ? AND name = ? AND state = 'done' ORDER BY iteration DESC LIMIT 1`),
    getStep: db.prepare('SELECT state, result, runs FROM steps WHERE project = ? AND task_id = ? AND iteration = ? AND name = ?'),
    beginStep: db.prepare(
      `INSERT INTO steps (project, task_id, iteration, name, state, started_at) VALUES (@project, @task_id, @iteration, @name, 'running', @started_at)
       ON CONFLICT DO UPDATE SET state = 'running', started_at = excluded.started_at, runs = runs + 1`,
    ),
    endStep: db.prepare(
      `UPDATE steps SET state = 'done', result = @result, ended_at = @ended_at WHERE project = @project AND task_id = @task_id AND iteration = @iteration AND name = @name`,
    ),
    interruptedSteps: db.prepare(`SELECT iteration, name FROM steps WHERE project = @project AND task_id = @task_id AND state = 'interrupted'
      AND iteration > COALESCE((SELECT base_iteration FROM tasks WHERE project = @project AND task_id = @task_id), 0) ORDER BY iteration, name`),
    interruptStep: db.prepare(`UPDATE steps SET state = 'interrupted' WHERE project = ? AND task_id = ? AND iteration = ? AND name = ?`),
    addEvent: db.prepare('INSERT INTO events (at, run_id, project, task_id, type, data) VALUES (@at, @run_id, @project, @task_id, @type, @data)'),
    insertProvisioning: db.prepare('INSERT OR IGNORE INTO provisioning (id, project, task_id, record) VALUES (@id, @project, @task_id, @record)'),
    allProvisioning: db.prepare('SELECT seq, id, record FROM provisioning ORDER BY seq'),
    provisioningOf: db.prepare('SELECT seq, id, record FROM provisioning WHERE project = ? ORDER BY seq'),
    insertDeployment: db.prepare('INSERT OR IGNORE INTO deployments (id, project, record, chain) VALUES (@id, @project, @record, @chain)'),
    allDeployments: db.prepare('SELECT seq, id, record FROM deployments ORDER BY seq'),
    deploymentsOf: db.prepare('SELECT seq, id, record FROM deployments WHERE project = ? ORDER BY seq'),
    insertDecision: db.prepare(
      'INSERT INTO decisions (id, project, task_id, decision, fingerprint, record, signature, chain) VALUES (@id, @project, @task_id, @decision, @fingerprint, @record, @signature, @chain)',
    ),
    decisionSignatures: db.prepare('SELECT seq, id, signature FROM decisions ORDER BY seq'),
    allDecisions: db.prepare('SELECT seq, id, record FROM decisions ORDER BY seq'),
    decisionsOf: db.prepare('SELECT seq, id, record FROM decisions WHERE project = ? ORDER BY seq'),
    taskDecisions: db.prepare('SELECT seq, id, record, decision, fingerprint FROM decisions WHERE project = ? AND task_id = ? ORDER BY seq'),
    addProcess: db.prepare('INSERT OR REPLACE INTO processes (pid, start_time, project, run_id, started_at) VALUES (@pid, @start_time, @project, @run_id, @started_at)'),
    removeProcess: db.prepare('DELETE FROM processes WHERE project = ? AND pid = ?'),
    processes: db.prepare('SELECT pid, start_time, run_id FROM processes WHERE project = ?'),
    setHealth: db.prepare(
      'INSERT OR REPLACE INTO environment_health (project, environment, state, reason, since) VALUES (@project, @environment, @state, @reason, @since)',
    ),
    clearHealth: db.prepare('DELETE FROM environment_health WHERE project = ? AND environment = ?'),
    health: db.prepare('SELECT environment, state, reason, since FROM environment_health WHERE project = ?'),
    saveIterationMetrics: db.prepare(
      `INSERT OR REPLACE INTO iteration_metrics (iteration_id, project, task_id, n, run_id, cost_usd, input_tokens, output_tokens, cached_tokens, turns, duration_ms, retries, session_id, model, checkpoint, checkpoint_branch, log_file, stop_reason)
       VALUES (@iteration_id, @project, @task_id, @n, @run_id, @cost_usd, @input_tokens, @output_tokens, @cached_tokens, @turns, @duration_ms, @retries, @session_id, @model, @checkpoint, @checkpoint_branch, @log_file, @stop_reason)`,
    ),
    iterationsWithMetrics: db.prepare(
      `SELECT i.id AS iteration_id, i.project, i.task_id, i.n, i.run_id, i.state, i.verdict, i.promise_met, i.error, i.output_tail, i.started_at, i.ended_at,
              m.cost_usd, m.input_tokens, m.output_tokens, m.cached_tokens, m.turns, COALESCE(m.duration_ms, 0) AS duration_ms, COALESCE(m.retries, 0) AS retries,
              m.session_id, m.model, m.checkpoint, m.checkpoint_branch, m.log_file, m.stop_reason
       FROM iterations i LEFT JOIN iteration_metrics m ON m.iteration_id = i.id
       WHERE i.project = ? AND i.task_id = ? AND i.n >= ? ORDER BY i.id`,
    ),
    iterationFigures: db.prepare('SELECT task_id, n, cost_usd, input_tokens, output_tokens, turns, duration_ms FROM iteration_metrics WHERE project = ?'),
    runCost: db.prepare('SELECT SUM(cost_usd) AS cost FROM iteration_metrics WHERE run_id = ?'),
    // Each record table's count of rows ever inserted and its hash chain (migration 006).
    // What a waiting task's gate showed (migration 005).
    saveGateSubject: db.prepare(
      'INSERT OR REPLACE INTO gate_subjects (project, task_id, fingerprint, subject, computed_at) VALUES (@project, @task_id, @fingerprint, @subject, @computed_at)',
    ),
    gateSubject: db.prepare('SELECT fingerprint, subject, computed_at FROM gate_subjects WHERE project = ? AND task_id = ?'),
    // Console tokens (migration 011).
    saveConsoleToken: db.prepare('INSERT INTO console_tokens (id, person, hash, created_at) VALUES (@id, @person, @hash, @created_at)'),
    consoleTokens: db.prepare('SELECT * FROM console_tokens ORDER BY created_at, id'),
    useConsoleToken: db.prepare('UPDATE console_tokens SET last_used_at = ? WHERE hash = ? AND revoked_at IS NULL RETURNING *'),
    revokeConsoleToken: db.prepare(`UPDATE console_tokens SET revoked_at = ? WHERE id LIKE ? ESCAPE '\\' AND revoked_at IS NULL`),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };
}


export type Statements = ReturnType<typeof prepareStatements>;
