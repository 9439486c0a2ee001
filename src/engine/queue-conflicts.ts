import type { Store } from '../state/store.js';
import { REMOVED } from './queue-merge.js';

/** One file's side of a conflict. */
export interface ConflictSide {
  host: string;
  path: string;
  /** This file's definition is the one the store holds (the one runners run). */
  in_store: boolean;
  /** The task is no longer in this file. */
  removed: boolean;
  /** This file's definition is the one it last agreed with the store on: unchanged on that machine since (the file is behind). */
  behind: boolean;
}

/** Two machines' queue files that disagree on a task's definition (its status never counts). */
export interface QueueConflict {
  task_id: string;
  /** The fields whose values differ between the files (`description`, `command`, …). */
  fields: string[];
  files: ConflictSide[];
  message: string;
}

/**
 * The tasks whose definition differs between the queue files of the machines that pushed or ran
 * the project (each machine's record of what its own file said last). Never settled by the last
 * writer: a person edits one file to match the other and pushes there.
 */
export async function queueConflicts(store: Store, project: string, pushCommand: string): Promise<QueueConflict[]> {
  // One machine's store (SQLite) has one file that counts: its runner and `push` take it whole.
  if (!store.sharedByRunners) return [];
  const marks = await store.allFileMarks(project);
  if (marks.length === 0) return [];
  const files = new Map((await store.queueFiles(project)).map((f) => [f.file_key, f]));
  const stored = new Map((await store.storedQueue(project)).tasks.map((t) => [t.task_id, t.definition]));
  const byTask = new Map<string, typeof marks>();
  for (const m of marks) {
    if (m.definition === null) continue;
    const list = byTask.get(m.task_id) ?? [];
    list.push(m);
    byTask.set(m.task_id, list);
  }
  const conflicts: QueueConflict[] = [];
  for (const [taskId, list] of byTask) {
    if (new Set(list.map((m) => m.definition)).size < 2) continue;
    const sides = list.map((m) => {
      const f = files.get(m.file_key);
      const inStore = m.definition === stored.get(taskId);
      return { host: f?.host ?? m.file_key, path: f?.path ?? '', in_store: inStore, removed: m.definition === REMOVED, behind: !inStore && m.definition === m.base };
    });
    const fields = differingFields(list.map((m) => m.definition ?? REMOVED));
    const named = sides.map((s) => `${s.host}:${s.path} (${s.removed ? 'removed there' : s.in_store ? 'the one runners run' : s.behind ? 'not edited there since: behind' : 'edited there, not taken'})`).join(' and ');
    conflicts.push({
      task_id: taskId,
      fields,
      files: sides,
      message: `${taskId}: the queue files of several machines disagree on its definition${fields.length > 0 ? ` (${fields.join(', ')})` : ''}: ${named}; make them agree — edit one file to match the other (or both to what it should be) and run '${pushCommand}' on that machine (a runner there takes the edit by itself)${sides.some((s) => s.behind) ? `; a machine gone for good: 'autonomous-loop forget-file <host:path> ${pushCommand.replace(/^autonomous-loop push /, '')}'` : ''}`,
    });
  }
  return conflicts;
}

function differingFields(definitions: string[]): string[] {
  const parsed = definitions.map((d) => (d === REMOVED ? {} : (JSON.parse(d) as Record<string, unknown>)));
  const keys = new Set(parsed.flatMap((p) => Object.keys(p)));
  return [...keys].filter((k) => new Set(parsed.map((p) => JSON.stringify(p[k]))).size > 1);
}
