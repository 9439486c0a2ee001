import { InputError } from '../errors.js';
import type { Contract } from '../gates/contract.js';
import type { Agent } from './agent.js';
import { createCommandAgent } from './command-agent.js';
import { createDeploymentAgent } from './deployment-agent.js';
import { createMigrationAgent } from './migration-agent.js';
import { noopAgent } from './noop-agent.js';
import { readinessAgent } from './readiness-agent.js';

export const BUILT_IN_AGENT_TYPES = ['deployment', 'migration', 'command', 'readiness', 'noop'] as const;

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
 * The built-in agents, plus one command agent for every agent type the contract maps to a
 * command (`agents.<name>.command`).
 */
export function createDefaultRegistry(contract: Contract): AgentRegistry {
  const registry = new AgentRegistry()
    .register(noopAgent)
    .register(createCommandAgent('command', contract))
    .register(createDeploymentAgent({ contract }))
    .register(createMigrationAgent({ contract }))
    .register(readinessAgent);
  for (const [type, policy] of Object.entries(contract.agents)) {
    if (policy.command && !registry.has(type)) registry.register(createCommandAgent(type, contract));
  }
  return registry;
}
