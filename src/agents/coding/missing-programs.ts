import type { Contract } from '../../gates/contract.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import { programOf } from './describe-agents.js';
import { findOnPath } from './find-on-path.js';

/** Tasks whose CLI (a preset's program, or the first word of their command) cannot be found. */
export function missingPrograms(tasks: readonly TaskSpec[], contract: Contract, cwd: string): { index: number; taskId: string; agentType: string; program: string }[] {
  const found = new Map<string, boolean>();
  const out: { index: number; taskId: string; agentType: string; program: string }[] = [];
  for (const task of tasks) {
    const program = programOf(task, contract);
    if (!program) continue;
    if (!found.has(program)) found.set(program, findOnPath(program, cwd) !== null);
    if (!found.get(program)) out.push({ index: task.index, taskId: task.id, agentType: task.agentType, program });
  }
  return out;
}
