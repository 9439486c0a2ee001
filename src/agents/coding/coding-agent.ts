import type { AgentPolicy } from '../../gates/contract.js';
import type { Agent, IterationContext, IterationMetrics, IterationResult } from '../agent.js';
import { taskBaselines } from '../task-baselines.js';
import { runCommand, type CommandResult } from '../run-command.js';
import { readLines, readWhole, type AgentOutput } from './agent-output.js';
import { DEFAULT_MAX_WAIT_SECONDS, DEFAULT_RETRY, backoffSeconds, classifyFailure, type RetryPolicy } from './classify-failure.js';
import { textParser, type Invocation, type Preset } from './presets.js';
import { DEFAULT_PROMPT_TEMPLATE, renderPrompt } from './render-prompt.js';
import { waitWithCountdown } from './wait-with-countdown.js';

const DEFAULT_TIMEOUT_SECONDS = 30 * 60;
const FEEDBACK_TAIL_CHARS = 3_000;
const VERDICT_TAG = /<verdict>\s*(BLOCKED|FAIL)\s*(?::\s*([^<]*))?<\/verdict>/;

/**
 * A coding CLI run once an iteration: a preset (Claude Code, Codex, Gemini CLI, Aider) or any argv
 * (`command` in the task or the contract). The prompt is rendered from the contract's template with
 * what the last iteration left, and goes in on stdin or as one argument, never through a shell.
 * The CLI's structured output is read for its answer (where the promise is looked for), cost,
 * tokens, turns and session; a rate limit, an overload or a network failure is waited out and
 * retried without spending the iteration.
 */
export function createCodingAgent(type: string, preset: Preset | null, policy: AgentPolicy): Agent {
  const baselines = taskBaselines();
  const retry: RetryPolicy = {
    initialSeconds: policy.retry?.initial_seconds ?? DEFAULT_RETRY.initialSeconds,
    maxSeconds: policy.retry?.max_seconds ?? DEFAULT_RETRY.maxSeconds,
    maxRetries: policy.retry?.max_retries ?? DEFAULT_RETRY.maxRetries,
  };
  const maxWaitSeconds = policy.retry?.max_wait_seconds ?? DEFAULT_MAX_WAIT_SECONDS;
  return {
    type,
    redoSafe: true,
    loopDefaults: { checkpointEvery: 1, stuckAfter: 3 },
    canRevert: baselines.canRevert,
    revert: baselines.revert,
    async runIteration(ctx: IterationContext): Promise<IterationResult> {
      const { task } = ctx;
      const prompt = promptFor(ctx, policy.prompt_template ?? DEFAULT_PROMPT_TEMPLATE);
      const invocation = invoke(preset, policy, ctx, prompt);
      if (!invocation) return { verdict: 'FAIL', output: '', error: `task ${task.id}: no command to run (set "command" in the task, or agents.${type}.command or .preset in the contract)` };
      await baselines.capture(ctx);
      const started = Date.now();
      const spent: IterationMetrics = { costUsd: null, inputTokens: null, outputTokens: null, cachedTokens: null, turns: null, durationMs: 0, sessionId: null, model: null, retries: 0 };
      for (;;) {
        const { run, read } = await runOnce(ctx, invocation, preset, timeoutMs(ctx, policy));
        addUp(spent, read);
        spent.durationMs = Date.now() - started;
        const failed = !run.ok || read.isError;
        // A CLI with structured output says what failed; its stdout is the agent's own words.
        const tail = preset ? run.stderr : `${run.stderr}\n${run.stdout}`;
        const classified = failed && !run.timedOut && !run.cancelled ? classifyFailure(read.error, tail.slice(-4_000)) : null;
        // Claude's rate_limit_event says when the limit resets, whatever the result's words.
        const transient = classified ?? (failed && read.resetAt !== null ? { reason: 'rate limited', line: read.error ?? 'usage limit reached', retryAfterSeconds: null, resetAt: null } : null);
        read.answer = withoutEchoedInstructions(read.answer, prompt);
        read.final = withoutEchoedInstructions(read.final, prompt);
        if (!transient || ctx.signal.aborted) return verdictOf(run, read, spent);
        const resetAt = transient.reason === 'rate limited' ? (read.resetAt ?? transient.resetAt) : null;
        if (resetAt !== null && spent.retries < retry.maxRetries) {
          // A usage limit with a reset time: waited out (the iteration not spent), or, past what the
          // contract allows, the run stops resumably at that time (exit 6) — never a failed task.
          const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
          const limit = `usage limit (${transient.line.slice(0, 120)})`;
          if (seconds > maxWaitSeconds) return { ...verdictOf(run, read, spent), error: limit, pauseUntil: resetAt };
          spent.retries++;
          ctx.log.warn({ line: transient.line, reset_at: new Date(resetAt).toISOString(), wait_seconds: seconds }, 'usage limit: waiting for the reset, then running the iteration again');
          const until = new Date(resetAt).toISOString().slice(11, 19);
          const waited = await waitWithCountdown(seconds, ctx.signal, (left) => ctx.progress(`⏳ ${limit}: waiting until ${until} UTC, ${formatLeft(left)} left (the iteration is not spent)`));
          if (!waited) return verdictOf(run, read, spent);
          continue;
        }
        if (spent.retries >= retry.maxRetries && transient.reason === 'rate limited') {
          // A usage limit that names no reset time and outlasts the retries: not the task failing.
          // The run stops resumably (exit 6); the time given is the longest backoff from now.
          const limit = `usage limit (${transient.line.slice(0, 120)}), no reset time reported, still there after ${spent.retries} retr${spent.retries === 1 ? 'y' : 'ies'}`;
          return { ...verdictOf(run, read, spent), error: limit, pauseUntil: Date.now() + retry.maxSeconds * 1000 };
        }
        if (spent.retries >= retry.maxRetries) {
          return { ...verdictOf(run, read, spent), error: `${transient.reason} after ${spent.retries} retr${spent.retries === 1 ? 'y' : 'ies'}, gave up: ${transient.line}` };
        }
        spent.retries++;
        const seconds = backoffSeconds(retry, spent.retries, transient.retryAfterSeconds);
        ctx.log.warn({ reason: transient.reason, line: transient.line, retry: spent.retries, wait_seconds: seconds }, 'transient failure: waiting, then running the iteration again');
        const waited = await waitWithCountdown(seconds, ctx.signal, (left) => ctx.progress(`⏳ ${transient.reason} (${transient.line.slice(0, 80)}): retrying in ${left}s (retry ${spent.retries}/${retry.maxRetries})`));
        if (!waited) return verdictOf(run, read, spent);
      }
    },
  };
}

function promptFor(ctx: IterationContext, template: string): string {
  const previous = ctx.previous;
  const tail = previous?.outputTail ?? '';
  return renderPrompt(template, {
    description: ctx.task.description,
    iteration: String(ctx.attemptIteration ?? ctx.iteration),
    max_iterations: String(ctx.task.maxIterations),
    promise: ctx.task.completionPromise,
    last_error: previous?.error ?? '',
    last_output_tail: tail.length > FEEDBACK_TAIL_CHARS ? tail.slice(-FEEDBACK_TAIL_CHARS) : tail,
  });
}

function invoke(preset: Preset | null, policy: AgentPolicy, ctx: IterationContext, prompt: string): Invocation | null {
  if (preset && !ctx.task.command) {
    const resumeSession = policy.resume && preset.resumes ? (ctx.previous?.sessionId ?? null) : null;
    return preset.invoke(prompt, { model: policy.model, permissionMode: policy.permission_mode, resumeSession, args: policy.args });
  }
  const base = ctx.task.command ?? policy.command;
  return base && base.length > 0 ? { argv: [...base], stdin: prompt } : null;
}

function timeoutMs(ctx: IterationContext, policy: AgentPolicy): number {
  const own = (ctx.task.timeoutSeconds ?? policy.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  return ctx.timeLeftMs !== undefined ? Math.max(1, Math.min(own, ctx.timeLeftMs)) : own;
}

async function runOnce(ctx: IterationContext, invocation: Invocation, preset: Preset | null, timeout: number): Promise<{ run: CommandResult; read: AgentOutput }> {
  const live = preset ? preset.createParser() : textParser();
  const run = await runCommand({
    argv: invocation.argv,
    cwd: ctx.workDir ?? ctx.workspace.root,
    env: {
      AUTONOMOUS_LOOP_TASK_ID: ctx.task.id,
      AUTONOMOUS_LOOP_ITERATION: String(ctx.iteration),
      AUTONOMOUS_LOOP_PROMISE: ctx.task.completionPromise,
      AUTONOMOUS_LOOP_MAX_ITERATIONS: String(ctx.task.maxIterations),
      AUTONOMOUS_LOOP_RUN_ID: ctx.runId,
      AUTONOMOUS_LOOP_LAST_ERROR: ctx.previous?.error ?? '',
    },
    input: invocation.stdin ?? '',
    timeoutMs: timeout,
    signal: ctx.signal,
    maxOutputChars: 16 * 1024 * 1024,
    // Lines, stdout and stderr each whole: a JSON event is never cut by the other stream.
    onOutput: (line) => {
      ctx.output?.(`${line}\n`);
      for (const shown of live.push(line)) ctx.progress(shown);
    },
    stopGroupOnExit: true,
  });
  // The final reading is of stdout alone, whole: chunks of stderr cannot cut into a JSON line.
  const read = preset ? readWhole(preset.createParser(), run.stdout) : readLines(textParser(), run.output);
  if (run.failedToStart) {
    const cmd = invocation.argv[0] ?? '';
    read.error = /ENOENT/.test(run.output) ? `${cmd}: not found (not installed, or not on PATH): nothing ran, and no retry would help` : `${cmd}: could not start (${firstLine(run.output)})`;
  }
  return { run, read };
}

function addUp(spent: IterationMetrics, read: AgentOutput): void {
  const m = read.metrics;
  const add = (a: number | null, b: number | null): number | null => (b === null ? a : (a ?? 0) + b);
  spent.costUsd = add(spent.costUsd, m.costUsd);
  spent.inputTokens = add(spent.inputTokens, m.inputTokens);
  spent.outputTokens = add(spent.outputTokens, m.outputTokens);
  spent.cachedTokens = add(spent.cachedTokens, m.cachedTokens);
  spent.turns = add(spent.turns, m.turns);
  spent.sessionId = m.sessionId ?? spent.sessionId;
  spent.model = m.model ?? spent.model;
}

function verdictOf(run: CommandResult, read: AgentOutput, metrics: IterationMetrics): IterationResult {
  const output = read.answer;
  const blocked = VERDICT_TAG.exec(read.final);
  if (blocked?.[1] === 'BLOCKED') {
    const why = blocked[2]?.trim() || 'the agent reported BLOCKED';
    return { verdict: 'BLOCKED', output, error: why, findings: [{ rule: 'agent-blocked', severity: 'CRITICAL', message: why }], metrics };
  }
  if (run.ok && !read.isError) return { verdict: 'PASS', output, finalAnswer: read.final, metrics };
  // A CLI that cannot start fails the same way every time: the task fails now.
  return { verdict: 'FAIL', output, error: describeFailure(run, read), metrics, ...(run.failedToStart ? { fatal: true } : {}) };
}

function describeFailure(run: CommandResult, read: AgentOutput): string {
  const cmd = run.argv[0] ?? '';
  if (run.failedToStart) return read.error ?? `${cmd}: could not start`;
  if (run.timedOut) return `${cmd}: timed out after ${Math.round(run.durationMs / 1000)}s (stopped)`;
  if (run.cancelled) return `${cmd}: stopped`;
  const why = read.error ? firstLine(read.error) : lastLine(run.stderr) || lastLine(run.output);
  if (run.exitCode === 0) return `${cmd}: ${read.subtype && read.subtype !== 'success' ? `${read.subtype}: ` : ''}${why}`;
  return `${cmd}: exited with code ${run.exitCode}${why ? `: ${why}` : ''}`;
}

/**
 * The answer without the prompt's own lines that name the promise ("print <promise>DONE</promise>
 * when done"): a CLI that echoes its prompt has not kept the promise. A line of the agent's that
 * is just the promise is kept.
 */
export function withoutEchoedInstructions(answer: string, prompt: string): string {
  let out = answer;
  for (const line of prompt.split('\n').map((l) => l.trim())) {
    if (line.includes('<promise>') && !/^<promise>[^<]*<\/promise>$/.test(line)) out = out.split(line).join('');
  }
  return out;
}

const formatLeft = (s: number): string => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`);
const firstLine = (s: string): string => s.trim().split('\n')[0]?.slice(0, 300) ?? '';
const lastLine = (s: string): string => s.trim().split('\n').pop()?.slice(0, 300) ?? '';
