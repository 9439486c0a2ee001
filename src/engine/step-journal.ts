import type { StepJournal } from '../agents/agent.js';
import { redactValue } from '../log/redact-secrets.js';
import type { Store } from '../state/store.js';
import { faultPoint } from '../workspace/fault-point.js';

/** Steps journaled in the state store: a completed step is never run twice, even across a crash. */
export function createStepJournal(store: Store, project: string, taskId: string, iteration: number): StepJournal {
  return {
    async run<T>(name: string, fn: () => Promise<T>, options: { redoSafe?: boolean } = {}): Promise<T> {
      const row = await store.step(project, taskId, iteration, name);
      if (row?.state === 'done') return (row.result === null ? undefined : JSON.parse(row.result)) as T;
      if (row?.state === 'running' && options.redoSafe === false) {
        await store.interruptStep(project, taskId, iteration, name);
        throw new CutOffStepError(name, `step '${name}' of ${taskId} iteration ${iteration} was cut off and is not safe to redo: check it by hand`);
      }
      await store.beginStep(project, taskId, iteration, name);
      faultPoint(`step:${name}:start`);
      const result = await fn();
      faultPoint(`step:${name}:done`);
      // Kept redacted: a step's result may hold a command's output, and outputs print secrets.
      await store.endStep(project, taskId, iteration, name, JSON.stringify(redactValue(result ?? null)));
      faultPoint(`step:${name}:recorded`);
      return result;
    },
    async latest<T>(name: string): Promise<T | undefined> {
      const row = await store.latestDoneStep(project, taskId, name);
      return row?.result ? (JSON.parse(row.result) as T) : undefined;
    },
  };
}

/** A step a crash cut off and that is not safe to redo: a person decides, the engine never redoes it by itself. */
export class CutOffStepError extends Error {
  readonly step: string;
  constructor(step: string, message: string) {
    super(message);
    this.name = 'CutOffStepError';
    this.step = step;
  }
}

/**
 * A journal whose steps are kept in memory until `keep()` writes them to `real` (their results as
 * they were, nothing run again). The gate's pre-flight runs on one: when the gate lets the task
 * run at once, the iteration after it uses those results; when it waits for a person, they are
 * dropped and the next gate runs the pre-flight afresh on what is there then.
 */
export function deferSteps(real: StepJournal): StepJournal & { keep(): Promise<void> } {
  const done = new Map<string, { result: unknown; redoSafe: boolean | undefined }>();
  return {
    async run<T>(name: string, fn: () => Promise<T>, options: { redoSafe?: boolean } = {}): Promise<T> {
      if (done.has(name)) return done.get(name)!.result as T;
      const result = await fn();
      done.set(name, { result, redoSafe: options.redoSafe });
      return result;
    },
    latest: (name) => real.latest(name),
    async keep() {
      for (const [name, { result, redoSafe }] of done) await real.run(name, async () => result, redoSafe === undefined ? {} : { redoSafe });
      done.clear();
    },
  };
}
