import type { Agent } from './agent.js';

/** What the engine reads of an agent before it runs it. */
export interface AgentShape {
  type: string;
  redoSafe: boolean;
  preflight?: boolean;
  revert?: boolean;
  prepareGate?: boolean;
  rerunOnOverride?: boolean;
  gateReasons?: boolean;
}

/**
 * An agent whose module is imported the first time it is used, so a run loads only the agents its
 * queue needs (the deployment agent brings the SQL parser, tree-sitter and git with it). Loaded
 * once; the same instance serves every task after that.
 */
export function lazyAgent(shape: AgentShape, load: () => Promise<Agent>): Agent {
  let loading: Promise<Agent> | undefined;
  const loaded = (): Promise<Agent> => (loading ??= load());
  const agent: Agent = {
    type: shape.type,
    redoSafe: shape.redoSafe,
    runIteration: async (ctx) => (await loaded()).runIteration(ctx),
    ...(shape.rerunOnOverride ? { rerunOnOverride: true } : {}),
  };
  if (shape.gateReasons) agent.gateReasons = async (ctx) => (await (await loaded()).gateReasons?.(ctx)) ?? [];
  if (shape.preflight) agent.preflight = async (ctx) => (await (await loaded()).preflight?.(ctx)) ?? [];
  if (shape.prepareGate) {
    agent.prepareGate = async (ctx, options) => {
      const inner = await loaded();
      if (!inner.prepareGate) throw new Error(`the ${shape.type} agent has no prepareGate (this is a bug)`);
      return inner.prepareGate(ctx, options);
    };
  }
  if (shape.revert) {
    agent.revert = async (ctx) => (await (await loaded()).revert?.(ctx)) ?? 'nothing to revert';
    agent.canRevert = async (ctx) => {
      const loadedAgent = await loaded();
      return loadedAgent.canRevert ? loadedAgent.canRevert(ctx) : true;
    };
  }
  return agent;
}
