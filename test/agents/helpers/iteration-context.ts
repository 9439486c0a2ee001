import pino from 'pino';
import type { Ask, DeploymentRecordInput, IterationContext, RecordSink, StepJournal, TaskSpec } from '../../../src/agents/agent.js';
import type { Environment } from '../../../src/workspace/environment.js';
import type { Workspace } from '../../../src/workspace/paths.js';

/** A step journal in memory: runs each step once and keeps its (JSON round-tripped) result by name. */
export class MemoryJournal implements StepJournal {
  readonly results = new Map<string, unknown>();
  readonly ran: string[] = [];

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.results.has(name)) return this.results.get(name) as T;
    this.ran.push(name);
    const result = await fn();
    this.results.set(name, JSON.parse(JSON.stringify(result ?? null)));
    return this.results.get(name) as T;
  }

  async latest<T>(name: string): Promise<T | undefined> {
    return this.results.get(name) as T | undefined;
  }
}

/** Deployment records in memory, newest last; history gives the successful ones newest first. */
export class MemoryRecords implements RecordSink {
  readonly records: DeploymentRecordInput[] = [];

  async recordDeployment(record: DeploymentRecordInput): Promise<void> {
    this.records.push(structuredClone(record));
  }

  async deploymentHistory(environment: Environment): Promise<DeploymentRecordInput[]> {
    return this.records.filter((r) => r.environment === environment && r.status === 'success' && r.kind !== 'migration').reverse();
  }

  async recordProvisioning(): Promise<void> {
    throw new Error('MemoryRecords keeps deployment records only');
  }
}

export function makeTask(overrides: Partial<TaskSpec> & { id: string }): TaskSpec {
  return {
    description: '',
    agentType: 'deployment',
    runMigrations: false,
    completionPromise: 'DEPLOYMENT_COMPLETE',
    maxIterations: 1,
    dependsOn: [],
    approvalReasons: false,
    index: 0,
    ...overrides,
  };
}

export interface ContextOptions {
  workspace: Workspace;
  project: string;
  task: TaskSpec;
  records?: MemoryRecords;
  steps?: MemoryJournal;
  ask?: Ask;
  iteration?: number;
  signal?: AbortSignal;
}

export interface TestContext extends IterationContext {
  steps: MemoryJournal;
  records: MemoryRecords;
  asked: Parameters<Ask>[0][];
  lines: string[];
}

export function makeContext(options: ContextOptions): TestContext {
  const asked: Parameters<Ask>[0][] = [];
  const lines: string[] = [];
  const ask = options.ask ?? (async () => 'unavailable' as const);
  return {
    project: options.project,
    task: options.task,
    iteration: options.iteration ?? 1,
    runId: 'run-test',
    workspace: options.workspace,
    signal: options.signal ?? new AbortController().signal,
    log: pino({ level: 'silent' }),
    steps: options.steps ?? new MemoryJournal(),
    records: options.records ?? new MemoryRecords(),
    ask: async (question) => {
      asked.push(question);
      return ask(question);
    },
    progress: (line) => lines.push(line),
    asked,
    lines,
  };
}
