import { InputError, formatProblems } from '../../errors.js';
import { agentPolicy, type Contract } from '../../gates/contract.js';
import type { Agent } from '../agent.js';
import { createCodingAgent } from './coding-agent.js';
import { PRESETS, PRESET_NAMES, findPreset } from './presets.js';
import { unknownPlaceholders } from './render-prompt.js';

/** `preset: any` in the contract: the coding loop around any argv (the agent's or the task's `command`). */
export const ANY_ARGV = 'any';

/**
 * The coding agents a contract gives: one per preset (agent_type `claude`, `codex`, `gemini`,
 * `aider`, configured by `agents.<preset>` in the contract), and one per contract agent that names a
 * `preset`. Contract problems (an unknown preset, a template placeholder the loop does not fill)
 * are reported all at once.
 */
export function codingAgents(contract: Contract): Agent[] {
  const problems: string[] = [];
  for (const [type, policy] of Object.entries(contract.agents)) {
    if (policy.preset !== undefined && policy.preset !== ANY_ARGV && !findPreset(policy.preset)) {
      problems.push(`agents.${type}.preset: unknown preset '${policy.preset}' (expected one of ${[...PRESET_NAMES, ANY_ARGV].join(', ')})`);
    }
    for (const name of policy.prompt_template ? unknownPlaceholders(policy.prompt_template) : []) {
      problems.push(`agents.${type}.prompt_template: unknown placeholder {${name}} (known: {description} {iteration} {max_iterations} {promise} {last_error} {last_output_tail} {feedback})`);
    }
  }
  if (problems.length > 0) throw new InputError(formatProblems(`${contract.file}: ${problems.length} problem(s)`, problems), problems);
  const agents = new Map<string, Agent>();
  for (const preset of PRESETS) {
    const policy = agentPolicy(contract, preset.name);
    if (policy.preset === undefined && policy.command === undefined) agents.set(preset.name, createCodingAgent(preset.name, preset, policy));
  }
  for (const [type, policy] of Object.entries(contract.agents)) {
    if (policy.preset === undefined) continue;
    agents.set(type, createCodingAgent(type, policy.preset === ANY_ARGV ? null : (findPreset(policy.preset) ?? null), policy));
  }
  return [...agents.values()];
}
