import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeWorkspace, readJson, repoRoot, runCli, writeQueue, type CliResult } from '../../helpers/workspace.js';

export const standInBin = path.join(repoRoot, 'examples', 'demo-infra', 'bin');
export const s3Plan = path.join(repoRoot, 'examples', 'demo-infra', 'plans', 's3-user-uploads.json');
export const planFixture = (name: string): string => path.join(repoRoot, 'test', 'fixtures', 'provisioning', 'plans', name);
export const guideCase = (): Record<string, any> => readJson(path.join(repoRoot, 'test', 'fixtures', 'provisioning', 'guide-case.json'));

export interface ProvisionWorkspace {
  ws: string;
  infra: string;
  docs: string;
  queue: string;
  run(args: string[], env?: Record<string, string>): CliResult;
  calls(): string[];
  task(): Record<string, any>;
  records(): Record<string, any>[];
  git(...args: string[]): string;
}

/**
 * A workspace with project karematch: its IaC folder (where the stand-in tofu runs), a git
 * repository for the documents, a contract with a budget, and one provisioning task.
 */
export function provisionWorkspace(options: { task?: Record<string, unknown>; budget?: number; margin?: number; cost?: boolean; environment?: string } = {}): ProvisionWorkspace {
  const ws = makeWorkspace();
  const infra = path.join(ws, 'infra');
  const docs = path.join(ws, 'infrastructure');
  mkdirSync(infra);
  mkdirSync(docs);
  const git = (...args: string[]): string => {
    const r = spawnSync('git', args, { cwd: docs, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'start');
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const contract = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace(
    /\nprovisioning:[\s\S]*$/,
    `\nprovisioning:\n  cost_margin_percent: ${options.margin ?? 20}\n  projects:\n    karematch:\n      monthly_budget_usd: ${options.budget ?? 200}\n`,
  );
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), contract);
  writeFileSync(
    path.join(ws, 'governance', 'projects', 'karematch.yaml'),
    [
      'version: 1',
      'path: infra',
      'infrastructure:',
      '  repo: infrastructure',
      '  path: "docs/${PROJECT}"',
      'defaults:',
      '  commands:',
      '    provision_plan: ["tofu", "plan", "-out=${PLAN_FILE}"]',
      '    provision_show: ["tofu", "show", "-json", "${PLAN_FILE}"]',
      '    provision_apply: ["tofu", "apply", "${PLAN_FILE}"]',
      ...(options.cost ? ['    provision_cost: ["infracost", "breakdown", "--path", "${PLAN_JSON}", "--format", "json"]'] : []),
      'environments:',
      '  development: {}',
      '  staging: {}',
      '  production: {}',
      '',
    ].join('\n'),
  );
  const queue = writeQueue(ws, 'karematch', {
    project: 'karematch',
    features: [
      {
        id: 'PROVISION-S3-001',
        description: 'Provision a new S3 bucket for karematch user uploads.',
        status: 'pending',
        agent_type: 'provisioning',
        resource: 'S3 bucket for karematch user uploads',
        environment: options.environment ?? 'development',
        business_case: guideCase(),
        ...options.task,
      },
    ],
  });
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({ PATH: `${standInBin}${path.delimiter}${process.env.PATH ?? ''}`, TOFU_PLANS: s3Plan, ...extra });
  return {
    ws,
    infra,
    docs,
    queue,
    run: (args, extra) => runCli([...args, '--project', 'karematch'], { cwd: ws, env: env(extra) }),
    calls: () => {
      const f = path.join(infra, '.tofu-standin', 'calls.log');
      return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
    },
    task: () => readJson(queue).features[0],
    records: () => {
      const f = path.join(ws, '.aibrain', 'provisioning.json');
      return existsSync(f) ? readJson(f).provisioning : [];
    },
    git,
  };
}
