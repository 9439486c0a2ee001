import { EventEmitter } from 'node:events';
import type { Verdict } from '../agents/agent.js';
import type { TaskStatus } from '../queue/schema.js';

// The engine emits, the terminal view subscribes. One typed map of `noun:verb` events.
export interface EngineEvents {
  'run:start': { runId: string; project: string; tasks: number; resumed: boolean };
  'run:end': { runId: string; exitCode: number; counts: Record<TaskStatus, number> };
  'task:start': { taskId: string; agentType: string; maxIterations: number; firstIteration: number };
  'task:end': { taskId: string; status: TaskStatus; iterations: number; reason?: string };
  'task:skipped': { taskId: string; reason: string };
  'task:waiting': { taskId: string; reason: string; approveCommand: string };
  'iteration:start': { taskId: string; iteration: number; maxIterations: number };
  'iteration:output': { taskId: string; iteration: number; line: string };
  /** `verify`: the verify gate's one line ("verify: 3 passed, 1 failed — test/x › adds"). */
  'iteration:end': { taskId: string; iteration: number; verdict: Verdict; promiseMet: boolean; error?: string; verify?: string };
  /** What an iteration spent (null where the agent does not say), and its checkpoint commit. */
  'iteration:figures': { taskId: string; iteration: number; costUsd: number | null; tokens: number | null; turns: number | null; durationMs: number; checkpoint?: string };
  /** A decision made in another shell or on another machine, taken from the state store. */
  'task:decided': { taskId: string; status: TaskStatus; was: TaskStatus; decision?: string; by?: string };
  'queue:reloaded': { added: string[]; changed: string[]; reset: string[] };
  'queue:invalid': { message: string };
  'run:waiting': { taskIds: string[]; message: string };
  'warning': { message: string };
}

export type EngineEventName = keyof EngineEvents;

export class EngineEmitter {
  readonly #emitter = new EventEmitter();
  readonly #any: ((name: EngineEventName, payload: EngineEvents[EngineEventName]) => void)[] = [];

  emit<K extends EngineEventName>(name: K, payload: EngineEvents[K]): void {
    this.#emitter.emit(name, payload);
    for (const listener of this.#any) listener(name, payload);
  }

  /** Every event, in the order emitted: for the JSON event stream. */
  onAny(listener: (name: EngineEventName, payload: EngineEvents[EngineEventName]) => void): this {
    this.#any.push(listener);
    return this;
  }

  on<K extends EngineEventName>(name: K, listener: (payload: EngineEvents[K]) => void): this {
    this.#emitter.on(name, listener);
    return this;
  }
}
