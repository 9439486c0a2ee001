import { loadWorkspaceQueue } from '../../engine/load-workspace-queue.js';
import { planWaves } from '../../queue/plan-waves.js';
import { planGates } from '../../engine/plan-gates.js';

export async function planCommand(opts: { project: string; root: string; json: boolean }): Promise<void> {
  const { ws, contract, queue } = loadWorkspaceQueue(opts.root, opts.project);
  const plan = planWaves(queue.tasks, (id) => queue.fileStatus.get(id) ?? 'pending');
  const gates = await planGates(ws, opts.project, contract, queue.tasks, plan.order);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ project: opts.project, file: queue.displayFile, waves: plan.waves, done: plan.done, order: plan.order, gates: Object.fromEntries(gates) }, null, 2)}\n`);
    return;
  }
  const byId = new Map(queue.tasks.map((t) => [t.id, t]));
  const lines = [`${queue.displayFile}: ${queue.tasks.length} task(s), ${plan.waves.length} wave(s)`];
  for (const wave of plan.waves) {
    lines.push(`wave ${wave.wave}:`);
    for (const id of wave.tasks) {
      const t = byId.get(id);
      const deps = t && t.dependsOn.length > 0 ? ` after ${t.dependsOn.join(', ')}` : '';
      const env = t?.environment ? ` → ${t.environment}${t.version ? ` ${t.version}` : ''}` : '';
      lines.push(`  ${id} (${t?.agentType ?? '?'}${env})${deps}${gates.has(id) ? ` [gate: ${gates.get(id)!.join('; ')}]` : ''}`);
    }
  }
  if (plan.done.length > 0) lines.push(`not run: ${plan.done.map((d) => `${d.id} (${d.status})`).join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
