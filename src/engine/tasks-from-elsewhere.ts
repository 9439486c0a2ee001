import { InputError } from '../errors.js';
import { parseQueue, type Queue, type QueueDefaults } from '../queue/load-queue.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import { REMOVED } from './queue-merge.js';

/**
 * The tasks the store's queue holds that this machine's file does not (added on another machine):
 * `status` shows them too. A stored queue that does not parse together gives none (the runners say why).
 */
export async function tasksFromElsewhere(store: Store, project: string, queue: Queue, defaults: QueueDefaults): Promise<TaskSpec[]> {
  // One machine's store (SQLite): its one file is the queue; a task still stored was removed from it, not added elsewhere.
  if (!store.sharedByRunners) return [];
  const stored = await store.storedQueue(project);
  const inFile = new Set(queue.tasks.map((t) => t.id));
  const live = stored.tasks.filter((t) => t.definition !== REMOVED);
  if (live.every((t) => inFile.has(t.task_id))) return [];
  const raw = live.map((t) => JSON.parse(t.definition) as Record<string, unknown>);
  try {
    return parseQueue(JSON.stringify({ [queue.tasksKey]: raw }), queue.file, defaults).tasks.filter((t) => !inFile.has(t.id));
  } catch (e) {
    if (e instanceof InputError) return [];
    throw e;
  }
}
