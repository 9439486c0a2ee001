import { ClaimLostError } from './claims.js';
import type { Store } from './store.js';

/** The claim a runner's writes for one task carry. */
export interface Fence {
  project: string;
  taskId: string;
  runnerId: string;
  token: number;
}

/** A write for a task whose claim another runner has taken over: refused, nothing written. */
export class FencedWriteError extends Error {
  readonly fence: Fence;
  constructor(fence: Fence) {
    super(`runner ${fence.runnerId} no longer holds task ${fence.taskId} (claim token ${fence.token} was taken over): nothing more is written for it`);
    this.name = 'FencedWriteError';
    this.fence = fence;
  }
}

// The methods that write. Process tracking is left out: the agent process ending is the
// runner's own bookkeeping, and stopping it is what a fenced runner must still be able to do.
const WRITES = new Set<string>([
  'saveTask', 'setFileStatus', 'beginIteration', 'endIteration', 'saveIterationMetrics', 'beginStep', 'endStep', 'interruptStep',
  'addEvent', 'insertDeployment', 'insertDecision', 'insertProvisioning',
  'rechain', 'useApproval', 'saveGateSubject', 'setEnvironmentHealth', 'setProjectionMark',
]);

/**
 * The store as one claimed task's code sees it: every write runs in a transaction that first
 * checks the claim's token (and holds it until the commit, so a takeover waits); a write after
 * the claim was taken over throws FencedWriteError and `onFenced` is told (to stop the agents).
 */
export function fenceStore(store: Store, fence: Fence, onFenced: (e: FencedWriteError) => void, known: Known = { noInterruptedSteps: false }): Store {
  return fenced(store, fence, onFenced, false, { ...known });
}

/**
 * What the claim read of its task and only its holder changes (the claim's row was locked, and
 * every write for the task is fenced): not read again while it holds. `noInterruptedSteps`: no step
 * of the task's current attempt is marked interrupted, until this store marks one.
 */
export interface Known {
  noInterruptedSteps: boolean;
}

function fenced(store: Store, fence: Fence, onFenced: (e: FencedWriteError) => void, checked: boolean, known: Known): Store {
  // The check goes with the writes (PostgreSQL: in the same message), and fails their transaction.
  const check = (tx: Store): Promise<void> => tx.assertClaim(fence.project, fence.taskId, fence.runnerId, fence.token);
  const refused = (e: unknown): never => {
    if (!(e instanceof ClaimLostError)) throw e;
    const fencedError = new FencedWriteError(fence);
    onFenced(fencedError);
    throw fencedError;
  };
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (key === 'interruptedSteps') {
        return (project: string, taskId: string) =>
          known.noInterruptedSteps && project === fence.project && taskId === fence.taskId ? Promise.resolve([]) : fn.call(target, project, taskId);
      }
      if (key === 'interruptStep') known.noInterruptedSteps = false; // before it is written: never one marked and not read
      if (key === 'transaction') {
        return (body: (tx: Store) => Promise<unknown>): Promise<unknown> =>
          target
            .transaction(async (tx) => {
              if (!checked) await check(tx);
              return body(fenced(tx, fence, onFenced, true, known));
            })
            .catch(refused);
      }
      if (typeof key === 'string' && WRITES.has(key) && !checked) {
        return (...args: unknown[]) =>
          target
            .transaction(async (tx) => {
              await check(tx);
              return (Reflect.get(tx, key) as (...a: unknown[]) => unknown).apply(tx, args);
            })
            .catch(refused);
      }
      return fn.bind(target);
    },
  });
}
