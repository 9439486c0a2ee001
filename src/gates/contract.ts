import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError, formatProblems } from '../errors.js';
import { normalizeEnvironmentKeys, withEnvironmentAliases, type Environment } from '../workspace/environment.js';
import { parseYamlText } from '../workspace/parse-yaml-text.js';
import { contractPath, type Workspace } from '../workspace/paths.js';

// One OpenSSH public key line: a key type, base64, an optional comment; nothing that could start a second line.
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;
// An approver with a key is a principal in allowed_signers: no pattern characters (`*`, `?`, `!`, `,`) nor spaces.
const PRINCIPAL = /^[A-Za-z0-9._@+-]+$/;

const Severity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);

const EnvironmentPolicy = z.strictObject({
  auto_deploy: z.boolean(),
  auto_rollback: z.boolean(),
  approval: z.enum(['never', 'first-time', 'always']),
  /** Runner labels this environment's tasks need (issue 23): where its credentials are. */
  runs_on: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a runner label (letters, digits, ., _, -)')).min(1).max(32).optional(),
});

const AgentPolicy = z.strictObject({
  max_iterations: z.number().int().min(1).max(10_000).optional(),
  command: z.array(z.string().min(1)).min(1).optional(),
  prompt: z.enum(['argument', 'stdin']).optional(),
  timeout_seconds: z.number().positive().max(7 * 24 * 3600).optional(),
  // The coding loop (issue 15): a preset CLI, its options, feedback, checkpoints, stuck detection, retries.
  preset: z.string().min(1).optional(),
  model: z.string().min(1).max(200).optional(),
  permission_mode: z.string().min(1).max(100).optional(),
  args: z.array(z.string()).optional(),
  resume: z.boolean().optional(),
  prompt_template: z.string().min(1).max(100_000).optional(),
  checkpoint: z.union([z.literal('never'), z.number().int().min(1)]).optional(),
  checkpoint_branch: z.enum(['current', 'run']).optional(),
  stuck_after: z.union([z.literal('never'), z.number().int().min(2).max(1000)]).optional(),
  /** The verify gate for this agent's tasks (a task's own `verify` wins): argv arrays, all must pass. */
  verify: z.array(z.array(z.string()).min(1, 'expected an argv array, e.g. ["npm", "test"]')).max(100).optional(),
  retry: z
    .strictObject({
      initial_seconds: z.number().min(0).max(3600),
      max_seconds: z.number().min(0).max(24 * 3600),
      max_retries: z.number().int().min(0).max(100),
      /** A usage limit that resets later than this stops the run, resumable (exit 6), instead of waiting. */
      max_wait_seconds: z.number().min(0).max(7 * 24 * 3600),
    })
    .partial()
    .optional(),
});

export const ContractSchema = z.strictObject({
  version: z.literal(1),
  environments: z.strictObject({
    development: EnvironmentPolicy,
    staging: EnvironmentPolicy,
    production: EnvironmentPolicy,
  }),
  /** Who may approve production: a name, or `{name, ssh_key, os_users}` (DESIGN, "Approvers"). */
  approvers: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          name: z.string().min(1),
          /** One OpenSSH public key line (verified approvals: issue 24). */
          ssh_key: z
            .string()
            .regex(SSH_PUBLIC_KEY, 'expected one OpenSSH public key line, e.g. "ssh-ed25519 AAAAC3Nz… ana@laptop"')
            .optional(),
          /** The OS users this person runs as: with prevent_self_approval, a run started by one of them is theirs. */
          os_users: z.array(z.string().min(1)).optional(),
        }),
      ]),
      'expected a list of names or {name, ssh_key, os_users}',
    )
    .default([]),
  /** Environments whose approvals must be signed by an approver's ssh_key (`approve --sign`). */
  verified_approvals: z.array(z.enum(['development', 'staging', 'production'])).default([]),
  /** As GitHub environments do: the user who started a run may not approve its production gate. */
  prevent_self_approval: z.boolean().default(false),
  /** The agent a task naming none gets: the coding preset (a task with its own `command` stays a command task). */
  default_agent: z.string().min(1).default('claude'),
  agents: z.record(z.string(), AgentPolicy).default({}),
  severity_overrides: z
    .strictObject({
      development: z.record(z.string(), Severity).optional(),
      staging: z.record(z.string(), Severity).optional(),
      production: z.record(z.string(), Severity).optional(),
    })
    .default({}),
  /** What nothing could read (a migration no reader understands, SQL neither parser nor tokenizer can place) blocks a pre-flight unless allowed here. */
  guardrails: z.strictObject({ allow_unread: z.boolean().default(false) }).default({ allow_unread: false }),
  /** Where `autonomous-loop serve` answers for the people notified (https://loop.example.com): the notify event carries the gate's page. */
  console_url: z
    .url({ protocol: /^https?$/, error: 'expected the console\'s address, e.g. https://loop.example.com' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Run when a gate opens or a task is blocked with nobody to ask (argv, no shell): a chat webhook, a page. */
  notify: z.array(z.string().min(1), 'expected an argv array, e.g. ["curl", "-d", "@-", "https://…"]').min(1).optional(),
  /** Retention of the run logs under .aibrain/runs/: the newest `keep_runs` runs, at most `max_bytes` in all (oldest go first). */
  logs: z
    .strictObject({
      keep_runs: z.int().min(1).default(20),
      max_bytes: z.int().min(1024 * 1024, 'at least 1048576 (1 MiB)').default(256 * 1024 * 1024),
      /** One iteration's log keeps at most this much: its first quarter and its last three quarters, the cut said between them. */
      iteration_max_bytes: z.int().min(64 * 1024, 'at least 65536 (64 KiB)').default(1024 * 1024),
    })
    .default({ keep_runs: 20, max_bytes: 256 * 1024 * 1024, iteration_max_bytes: 1024 * 1024 }),
  /** The cascade: production of version V needs a successful staging deployment of V first. */
  cascade: z
    .strictObject({
      require_staging: z.boolean().default(true),
      /** Projects that deploy to production without staging (each run says so, on the record). */
      skip_staging_for: z.array(z.string().min(1)).default([]),
    })
    .default({ require_staging: true, skip_staging_for: [] }),
  /** Provisioning (issue 25): each project's monthly budget, and how far a cost tool's figure may exceed the case's estimate. */
  provisioning: z
    .strictObject({
      cost_margin_percent: z.number('expected a percentage, e.g. 20').min(0).max(10_000).default(20),
      projects: z.record(z.string().min(1), z.strictObject({ monthly_budget_usd: z.number('expected USD a month').min(0) })).default({}),
    })
    .default({ cost_margin_percent: 20, projects: {} }),
});

export type Contract = z.infer<typeof ContractSchema> & { file: string };
export type AgentPolicy = z.infer<typeof AgentPolicy>;

export const DEFAULT_MAX_ITERATIONS = 3;

/** governance/contracts/operator-team.yaml for editors (yaml-language-server). */
export function contractJsonSchema(): Record<string, unknown> {
  return withEnvironmentAliases(
    { ...z.toJSONSchema(ContractSchema, { target: 'draft-7', io: 'input' }), $id: 'https://autonomous-loop.dev/schema/contract.schema.json', title: 'autonomous-loop contract (governance/contracts/operator-team.yaml)' },
    ['environments', 'severity_overrides'],
  );
}

export function loadContract(ws: Workspace): Contract {
  const file = contractPath(ws);
  return parseContract(readText(file), file);
}

export function parseContract(text: string, file: string): Contract {
  const raw = parseYamlText(text, file) as Record<string, unknown> | null;
  const aliasProblems: string[] = [];
  if (raw && typeof raw === 'object') {
    for (const key of ['environments', 'severity_overrides']) {
      if (key in raw) raw[key] = normalizeEnvironmentKeys(raw[key], key, aliasProblems);
    }
  }
  if (aliasProblems.length > 0) throw new InputError(formatProblems(`${file}: not a valid contract`, aliasProblems), aliasProblems);
  const parsed = ContractSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`);
    throw new InputError(formatProblems(`${file}: not a valid contract`, problems), problems);
  }
  const contract: Contract = { ...parsed.data, file };
  const signerProblems = checkSigners(contract);
  if (signerProblems.length > 0) throw new InputError(formatProblems(`${file}: not a valid contract`, signerProblems), signerProblems);
  if (contract.environments.production.approval !== 'always') {
    // Production is never run without a person, whatever a contract says.
    throw new InputError(`${file}: environments.production.approval: must be 'always' (production always asks a person)`);
  }
  return contract;
}

// Approvers who sign are named safely in allowed_signers, and an environment that needs signatures has someone who can give them.
function checkSigners(contract: Contract): string[] {
  const problems: string[] = [];
  contract.approvers.forEach((a, i) => {
    if (typeof a !== 'string' && a.ssh_key !== undefined && !PRINCIPAL.test(a.name)) problems.push(`approvers.${i}.name: '${a.name}' cannot name a signer (letters, digits and . _ @ + - only)`);
  });
  if (contract.verified_approvals.length > 0 && !contract.approvers.some((a) => typeof a !== 'string' && a.ssh_key !== undefined)) {
    problems.push(`verified_approvals: [${contract.verified_approvals.join(', ')}] needs approvers with an ssh_key ({name, ssh_key}); none has one, so nobody could approve there`);
  }
  return problems;
}

export function agentPolicy(contract: Contract, agentType: string): AgentPolicy {
  return Object.hasOwn(contract.agents, agentType) ? (contract.agents[agentType] ?? {}) : {};
}

export function environmentPolicy(contract: Contract, environment: Environment): z.infer<typeof EnvironmentPolicy> {
  return contract.environments[environment];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path.relative(process.cwd(), file) || file}: cannot read the contract (${code ?? String(e)})`);
  }
}
