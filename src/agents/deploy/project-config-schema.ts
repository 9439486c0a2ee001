import { z } from 'zod';
import { withEnvironmentAliases } from '../../workspace/environment.js';

// The shape of governance/projects/<project>.yaml as people write it. project-config.ts merges
// `defaults` into each environment and resolves paths; this file only says what may be written.

export const COMMAND_NAMES = ['test', 'build', 'deploy', 'migrate_up', 'migrate_down', 'migrate_status', 'rollback', 'stop', 'provision_plan', 'provision_show', 'provision_apply', 'provision_cost'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const Argv = z
  .array(z.string().min(1, 'expected a non-empty argument'), 'expected an argv array, e.g. ["npm", "test"]')
  .min(1, 'expected an argv array with at least the program');

const Seconds = z.number('expected a number of seconds').positive('expected a number of seconds above 0').max(7 * 24 * 3600);

const Commands = z.strictObject({
  test: Argv.optional(),
  build: Argv.optional(),
  deploy: Argv.optional(),
  migrate_up: Argv.optional(),
  migrate_down: Argv.optional(),
  migrate_status: Argv.optional(),
  rollback: Argv.optional(),
  stop: Argv.optional(),
  // Provisioning (issue 25): the IaC tool's plan (writes ${PLAN_FILE}), its JSON (`show -json`),
  // apply of exactly that file, and optionally a cost tool reading ${PLAN_JSON} (Infracost).
  provision_plan: Argv.optional(),
  provision_show: Argv.optional(),
  provision_apply: Argv.optional(),
  provision_cost: Argv.optional(),
});

const Timeouts = z.strictObject({
  test: Seconds.optional(),
  build: Seconds.optional(),
  deploy: Seconds.optional(),
  migrate_up: Seconds.optional(),
  migrate_down: Seconds.optional(),
  migrate_status: Seconds.optional(),
  rollback: Seconds.optional(),
  stop: Seconds.optional(),
  provision_plan: Seconds.optional(),
  provision_show: Seconds.optional(),
  provision_apply: Seconds.optional(),
  provision_cost: Seconds.optional(),
});

const HealthCheck = z.strictObject({
  url: z.string().min(1).optional(),
  command: Argv.optional(),
  expected_status: z.number().int().min(100).max(599).optional(),
  body_contains: z.string().min(1).optional(),
  timeout_seconds: Seconds.optional(),
  retries: z.number().int().min(0).max(100).optional(),
  backoff_seconds: z.number().min(0).max(3600).optional(),
});

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

const Shared = {
  env: z.record(EnvName, z.string('expected a string value (quote numbers)')).optional(),
  commands: Commands.optional(),
  timeouts: Timeouts.optional(),
  health_check: HealthCheck.optional(),
};

const EnvironmentSection = z.strictObject({
  port: z.number().int().min(1).max(65535).optional(),
  ...Shared,
});

export const ProjectFileSchema = z.strictObject({
  version: z.literal(1, 'expected version: 1'),
  description: z.string().optional(),
  path: z.string('expected the folder of the project (relative to the workspace or absolute)').min(1),
  git: z
    .strictObject({
      repo: z.string().min(1).optional(),
      tag_releases: z.boolean().optional(),
      /** Coding tasks' branches pushed to `remote` after each checkpoint (several machines, issue 23). */
      push: z.boolean().optional(),
      remote: z.string().min(1).optional(),
    })
    .optional(),
  /** Where provisioning documents go: a git repository and a folder in it (`${PROJECT}` allowed). */
  infrastructure: z
    .strictObject({
      repo: z.string('expected the infrastructure git repository (relative to the workspace or absolute)').min(1),
      path: z.string().min(1).optional(),
    })
    .optional(),
  /** Names of the invoking shell's variables that reach the commands (DESIGN: Environment of project commands). */
  env_passthrough: z
    .array(z.union([EnvName, z.strictObject({ name: EnvName, volatile: z.boolean().optional() })]), 'expected a list of variable names, or {name, volatile: true}')
    .optional(),
  defaults: z.strictObject(Shared).optional(),
  environments: z.strictObject({
    development: EnvironmentSection.optional(),
    staging: EnvironmentSection.optional(),
    production: EnvironmentSection.optional(),
  }),
});

export type ProjectFile = z.infer<typeof ProjectFileSchema>;
export type EnvironmentSectionInput = z.infer<typeof EnvironmentSection>;
export type HealthCheckInput = z.infer<typeof HealthCheck>;

/** governance/projects/<project>.yaml for editors (yaml-language-server): `dev`/`stage`/`prod` accepted too. */
export function projectJsonSchema(): Record<string, unknown> {
  return withEnvironmentAliases(
    { ...z.toJSONSchema(ProjectFileSchema, { target: 'draft-7', io: 'input' }), $id: 'https://autonomous-loop.dev/schema/project.schema.json', title: 'autonomous-loop project file (governance/projects/<project>.yaml)' },
    ['environments'],
  );
}
