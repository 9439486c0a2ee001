import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseQueue, type QueueDefaults } from '../../src/queue/load-queue.js';
import { repoRoot } from '../helpers/workspace.js';

const defaults: QueueDefaults = { defaultAgent: 'command', maxIterations: () => 3 };
const guideCase = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/provisioning/guide-case.json'), 'utf8')) as Record<string, unknown>;

const task = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'PROVISION-S3-001',
  agent_type: 'provisioning',
  resource: 'S3 bucket for karematch user uploads',
  environment: 'development',
  business_case: structuredClone(guideCase),
  ...extra,
});

function problemsOf(t: Record<string, unknown>): string[] {
  try {
    parseQueue(JSON.stringify({ project: 'karematch', features: [t] }), 'tasks/work_queue_karematch.json', defaults);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return (e as InputError).problems ?? [(e as Error).message];
  }
  throw new Error('expected the queue to be refused');
}

describe('a provisioning task and its business case', () => {
  it('loads the guide example with every part', () => {
    const q = parseQueue(JSON.stringify({ project: 'karematch', features: [task({ safety_exceptions: [{ address: 'aws_s3_bucket.old', reason: 'emptied and archived' }] })] }), 'tasks/work_queue_karematch.json', defaults);
    const spec = q.tasks[0]!;
    expect(spec.completionPromise).toBe('PROVISIONING_COMPLETE');
    expect(spec.businessCase?.costEstimate).toEqual({ monthlyUsd: 50, basis: '1TB storage + transfer' });
    expect(spec.businessCase?.alternatives).toHaveLength(2);
    expect(spec.businessCase?.risk.dataLoss).toBe('Versioning enabled, lifecycle policy for backups');
    expect(spec.safetyExceptions).toEqual([{ address: 'aws_s3_bucket.old', reason: 'emptied and archived' }]);
  });

  it('names a missing cost estimate by its path', () => {
    const t = task();
    delete (t.business_case as Record<string, unknown>).cost_estimate;
    const problems = problemsOf(t);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^features\[0\]\.business_case\.cost_estimate: missing/);
  });

  it('names every empty or missing part at once', () => {
    const bc = structuredClone(guideCase) as Record<string, any>;
    bc.justification = '  ';
    bc.cost_estimate = { monthly_usd: 'fifty', basis: '' };
    bc.alternatives = [];
    delete bc.risk.data_loss;
    const problems = problemsOf(task({ business_case: bc }));
    expect(problems).toEqual([
      expect.stringMatching(/^features\[0\]\.business_case\.justification: empty/),
      expect.stringMatching(/^features\[0\]\.business_case\.cost_estimate\.monthly_usd: expected a number/),
      expect.stringMatching(/^features\[0\]\.business_case\.cost_estimate\.basis: empty/),
      expect.stringMatching(/^features\[0\]\.business_case\.alternatives: empty/),
      expect.stringMatching(/^features\[0\]\.business_case\.risk\.data_loss: missing/),
    ]);
  });

  it('refuses a provisioning task without a case, a resource or an environment', () => {
    const problems = problemsOf({ id: 'P1', agent_type: 'provisioning' });
    expect(problems).toEqual([
      expect.stringMatching(/^features\[0\]\.resource: missing/),
      expect.stringMatching(/^features\[0\]\.environment: missing/),
      expect.stringMatching(/^features\[0\]\.business_case: missing/),
    ]);
  });

  it('checks safety exceptions name an address and a reason', () => {
    const problems = problemsOf(task({ safety_exceptions: [{ address: 'aws_db_instance.main' }] }));
    expect(problems).toEqual([expect.stringMatching(/^features\[0\]\.safety_exceptions\[0\]\.reason: missing/)]);
  });

  it('leaves other agent types alone', () => {
    const q = parseQueue(JSON.stringify({ project: 'x', features: [{ id: 'A', agent_type: 'noop', business_case: 'kept as it is' }] }), 'tasks/work_queue_x.json', defaults);
    expect(q.tasks[0]!.businessCase).toBeUndefined();
  });
});

describe("the guide's business case text", () => {
  it('reads the request as the operator guide writes it into the queue format', async () => {
    const { readBusinessCaseText } = await import('../../src/queue/business-case-text.js');
    const read = readBusinessCaseText(readFileSync(path.join(repoRoot, 'test/fixtures/provisioning/guide-request.txt'), 'utf8'));
    expect(read.resource).toBe('S3 bucket for karematch user uploads');
    expect(read.businessCase).toEqual(guideCase);
  });

  it('leaves out what it cannot find, so the check names it', async () => {
    const { readBusinessCaseText } = await import('../../src/queue/business-case-text.js');
    const read = readBusinessCaseText('Business Case:\n- Justification: photos\n- Cost estimate: about fifty dollars\n');
    const problems = problemsOf(task({ business_case: read.businessCase }));
    expect(problems[0]).toMatch(/^features\[0\]\.business_case\.cost_estimate\.monthly_usd: missing/);
    expect(problems.some((p) => p.startsWith('features[0].business_case.alternatives: missing'))).toBe(true);
  });
});
