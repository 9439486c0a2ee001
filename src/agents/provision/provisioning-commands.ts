import { InputError } from '../../errors.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import type { Environment } from '../../workspace/environment.js';
import { environmentConfig, requireCommand, type EnvironmentConfig, type ProjectConfig } from '../project-config.js';

export interface ProvisioningCommands {
  plan: string[];
  show: string[];
  apply: string[];
  cost?: string[];
}

/**
 * The project file's provisioning commands for the task's environment, and its infrastructure
 * repository; anything missing is bad input naming the key (checked before a run starts).
 */
export function provisioningCommands(config: ProjectConfig, task: TaskSpec): { environment: Environment; section: EnvironmentConfig; commands: ProvisioningCommands } {
  const environment = task.environment;
  if (!environment) throw new InputError(`${task.id}: a provisioning task names its environment`);
  const why = "provisioning plans, shows and applies with the project's IaC tool";
  const section = environmentConfig(config, environment, why);
  const plan = requireCommand(config, section, 'provision_plan', `${why}, e.g. ["tofu", "plan", "-out=\${PLAN_FILE}"]`);
  const show = requireCommand(config, section, 'provision_show', `${why}, e.g. ["tofu", "show", "-json", "\${PLAN_FILE}"]`);
  const apply = requireCommand(config, section, 'provision_apply', `${why}, e.g. ["tofu", "apply", "\${PLAN_FILE}"]`);
  const cost = section.commands.provision_cost;
  if (!plan.some((a) => a.includes('${PLAN_FILE}'))) throw new InputError(`${config.displayFile}: environments.${environment}.commands.provision_plan: does not name \${PLAN_FILE}: the plan must be saved to the file that is approved and applied`);
  if (!apply.some((a) => a.includes('${PLAN_FILE}'))) throw new InputError(`${config.displayFile}: environments.${environment}.commands.provision_apply: does not name \${PLAN_FILE}: apply must run exactly the approved plan file, never plan again`);
  if (!config.infrastructure) throw new InputError(`${config.displayFile}: infrastructure: missing (provisioning documents each resource in the infrastructure repository: infrastructure: {repo: ../infrastructure, path: "docs/\${PROJECT}"})`);
  return { environment, section, commands: { plan, show, apply, ...(cost ? { cost } : {}) } };
}

