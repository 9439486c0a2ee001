import { agentPolicy, type Contract } from '../../gates/contract.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import { runCommand } from '../run-command.js';
import { findOnPath } from './find-on-path.js';
import { PRESETS, findPreset, type Preset } from './presets.js';
import { ANY_ARGV } from './register-coding-agents.js';

export interface AgentDescription {
  /** The agent_type a task names. */
  agentType: string;
  preset: string | null;
  title: string;
  program: string;
  /** Where it is on PATH, or null: not installed. */
  path: string | null;
  version: string | null;
  /** What one iteration runs, with <prompt> for the rendered prompt. */
  argv: string[];
  promptOn: 'stdin' | 'argument';
  model: string | null;
  permissionMode: string | null;
  resume: boolean;
}

const PROMPT = '<prompt>';

/** Every preset, and every contract agent that names one or maps to a command, as they would run here. */
export function describeAgents(contract: Contract, cwd: string): AgentDescription[] {
  const out: AgentDescription[] = [];
  for (const preset of PRESETS) {
    const policy = agentPolicy(contract, preset.name);
    if (policy.command === undefined && policy.preset === undefined) out.push(describePreset(preset.name, preset, contract, cwd));
  }
  for (const [type, policy] of Object.entries(contract.agents)) {
    if (policy.preset !== undefined && policy.preset !== ANY_ARGV) {
      const preset = findPreset(policy.preset);
      if (preset) out.push(describePreset(type, preset, contract, cwd));
    } else if (policy.command) {
      const program = policy.command[0] ?? '';
      out.push({ agentType: type, preset: policy.preset ?? null, title: 'command (any argv)', program, path: findOnPath(program, cwd), version: null, argv: [...policy.command], promptOn: policy.prompt === 'stdin' || policy.preset === ANY_ARGV ? 'stdin' : 'argument', model: null, permissionMode: null, resume: false });
    }
  }
  return out;
}

function describePreset(type: string, preset: Preset, contract: Contract, cwd: string): AgentDescription {
  const policy = agentPolicy(contract, type);
  const permissionMode = policy.permission_mode ?? preset.defaultPermissionMode;
  const invocation = preset.invoke(PROMPT, { model: policy.model, permissionMode: policy.permission_mode, args: policy.args, resumeSession: null });
  const resume = Boolean(policy.resume && preset.resumes);
  return {
    agentType: type,
    preset: preset.name,
    title: preset.title,
    program: preset.program,
    path: findOnPath(preset.program, cwd),
    version: null,
    argv: invocation.argv,
    promptOn: invocation.stdin !== null ? 'stdin' : 'argument',
    model: policy.model ?? null,
    permissionMode,
    resume,
  };
}

/** Asks each installed CLI its version (`--version`, 10 s at most), all at once. */
export async function probeVersions(agents: AgentDescription[], cwd: string): Promise<void> {
  await Promise.all(
    agents.map(async (a) => {
      if (!a.path || !a.preset) return;
      const run = await runCommand({ argv: [a.path, '--version'], cwd, timeoutMs: 10_000 });
      const line = run.output.trim().split('\n')[0]?.trim() ?? '';
      a.version = run.ok && line ? line.slice(0, 100) : null;
    }),
  );
}

/** The program a task's agent will start, when it is a CLI the loop knows of (for `validate`). */
export function programOf(task: TaskSpec, contract: Contract): string | null {
  if (task.command) return task.command[0] ?? null;
  const policy = agentPolicy(contract, task.agentType);
  if (policy.preset && policy.preset !== ANY_ARGV) return findPreset(policy.preset)?.program ?? null;
  if (policy.command) return policy.command[0] ?? null;
  return findPreset(task.agentType)?.program ?? null;
}
