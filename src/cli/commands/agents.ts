import { describeAgents, probeVersions } from '../../agents/coding/describe-agents.js';
import { loadContract } from '../../gates/contract.js';
import { resolveWorkspace } from '../../workspace/paths.js';

export async function agentsCommand(opts: { root: string; json: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  const contract = loadContract(ws);
  const agents = describeAgents(contract, ws.root);
  await probeVersions(agents, ws.root);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ contract: contract.file, agents }, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const a of agents) {
    const found = a.path ? `installed: ${a.path}${a.version ? ` (${a.version})` : ''}` : `NOT on PATH: install '${a.program}' (tasks with agent_type ${a.agentType} cannot run here)`;
    lines.push(`${a.agentType.padEnd(10)} ${a.title}`);
    lines.push(`  ${found}`);
    lines.push(`  runs:   ${a.argv.map(quote).join(' ')}${a.promptOn === 'stdin' ? '  < <prompt on stdin>' : ''}`);
    const options = [a.model ? `model ${a.model}` : null, a.permissionMode ? `permission mode ${a.permissionMode}` : null, a.resume ? 'resumes the last session' : null].filter(Boolean);
    if (options.length > 0) lines.push(`  with:   ${options.join(', ')}`);
  }
  lines.push('', `A task uses one with "agent_type": "<name>"; configure it under agents.<name> in ${contract.file}.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const quote = (arg: string): string => (/^[\w@%+=:,./<>-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
