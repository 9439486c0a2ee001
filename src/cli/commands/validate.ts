import { createDefaultRegistry } from '../../agents/registry.js';
import { checkProjectFile, loadWorkspaceQueue } from '../../engine/load-workspace-queue.js';
import { InputError, formatProblems } from '../../errors.js';
import { planWaves } from '../../queue/plan-waves.js';
import { missingPrograms } from '../../agents/coding/missing-programs.js';

export async function validateCommand(opts: { project: string; root: string; json: boolean }): Promise<void> {
  const { ws, queue, contract } = loadWorkspaceQueue(opts.root, opts.project);
  const registry = createDefaultRegistry(contract);
  const unknown = queue.tasks
    .filter((t) => !registry.has(t.agentType))
    .map((t) => `${queue.tasksKey}[${t.index}].agent_type: no agent '${t.agentType}' (known: ${registry.types().join(', ')}; or map it to a command in the contract)`);
  if (unknown.length > 0) throw new InputError(formatProblems(`${queue.displayFile}: ${unknown.length} problem(s)`, unknown), unknown);
  await checkProjectFile(ws, opts.project, queue, contract);
  const plan = planWaves(queue.tasks, (id) => queue.fileStatus.get(id) ?? 'pending');
  // A CLI that is not installed is a warning, not bad input: it may be installed before the run.
  const warnings = missingPrograms(queue.tasks, contract, ws.root).map((m) => `${queue.tasksKey}[${m.index}] (${m.taskId}, agent ${m.agentType}): '${m.program}' is not on PATH`);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, file: queue.displayFile, project: queue.projectName, tasks: queue.tasks.length, waves: plan.waves.length, contract: contract.file, warnings })}\n`);
  } else {
    process.stdout.write(`${queue.displayFile}: valid: ${queue.tasks.length} task(s) in ${plan.waves.length} wave(s); contract ${contract.file}\n`);
  }
}
