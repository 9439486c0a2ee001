import { InputError } from '../errors.js';
import type { Contract } from '../gates/contract.js';
import type { Agent } from './agent.js';
import { createCommandAgent } from './command-agent.js';
import { codingAgents } from './coding/register-coding-agents.js';
import { lazyAgent } from './lazy-agent.js';
import { noopAgent } from './noop-agent.js';

export const BUILT_IN_AGENT_TYPES = ['deployment', 'migration', 'rollback', 'command', 'readiness', 'noop', 'provisioning'] as const;

/** The agents a run can use, by agent type. Tests and benchmarks register their own. */
export class AgentRegistry {
  readonly #agents = new Map<string, Agent>();

  register(agent: Agent): this {
    this.#agents.set(agent.type, agent);
    return this;
  }

  has(type: string): boolean {
    return this.#agents.has(type);
  }

  get(type: string): Agent {
    const agent = this.#agents.get(type);
    if (!agent) throw new InputError(`no agent for agent_type '${type}' (known: ${[...this.#agents.keys()].join(', ')})`);
    return agent;
  }

  types(): string[] {
    return [...this.#agents.keys()];
  }
}

/**
 * The built-in agents (the heavy ones imported when first used), plus one command agent for every agent type the contract maps to a
 * command (`agents.<name>.command`).
 */
export function createDefaultRegistry(contract: Contract): AgentRegistry {
  const registry = new AgentRegistry()
    .register(noopAgent)
    .register(createCommandAgent('command', contract))
    .register(lazyAgent({ type: 'deployment', redoSafe: false, preflight: true, revert: true, rerunOnOverride: true }, async () => (await import('./deployment-agent.js')).createDeploymentAgent({ contract })))
    .register(lazyAgent({ type: 'migration', redoSafe: false, preflight: true, revert: true, rerunOnOverride: true }, async () => (await import('./migration-agent.js')).createMigrationAgent({ contract })))
    .register(lazyAgent({ type: 'rollback', redoSafe: true, preflight: true, gateReasons: true }, async () => (await import('./rollback-agent.js')).createRollbackAgent()))
    .register(lazyAgent({ type: 'readiness', redoSafe: true, revert: true }, async () => (await import('./readiness-agent.js')).readinessAgent))
    .register(lazyAgent({ type: 'provisioning', redoSafe: false, prepareGate: true, revert: true }, async () => (await import('./provision/provisioning-agent.js')).createProvisioningAgent({ contract })));
  // Coding CLIs (claude, codex, gemini, aider, and contract agents naming a preset): issue 15.
  for (const agent of codingAgents(contract)) registry.register(agent);
  for (const [type, policy] of Object.entries(contract.agents)) {
    if (policy.command && !registry.has(type)) registry.register(createCommandAgent(type, contract));
  }
  return registry;
}
