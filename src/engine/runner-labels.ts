import type { Contract } from '../gates/contract.js';
import type { TaskSpec } from '../queue/task-spec.js';

/** The labels a runner needs to take a task: the task's own `runs_on`, else its environment's in the contract. */
export function requiredLabels(spec: TaskSpec, contract: Contract): string[] {
  if (spec.runsOn) return spec.runsOn;
  const env = spec.environment ? contract.environments[spec.environment] : undefined;
  return env?.runs_on ?? [];
}

/** A runner takes a task when it has every label the task needs (as GitHub Actions' runs-on). */
export function labelsFit(runnerLabels: readonly string[], required: readonly string[]): boolean {
  return required.every((l) => runnerLabels.includes(l));
}

/** "waiting for a runner labelled prod" (or "labelled prod and eu"). */
export function describeRunnerWait(required: readonly string[]): string {
  return `waiting for a runner labelled ${required.join(' and ')}`;
}
