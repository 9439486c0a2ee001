import { Entries, MISSING, Raw, UNICODE_SAMPLES, hugeList, hugeString, type FuzzCase } from './fuzz-case.js';
import type { Rng } from './prng.js';
import { describe } from './queue-cases.js';
import { isHuge, materialize, type Value } from './queue-fields.js';
import { setPath, writeYaml } from './write-yaml.js';
import { generateYamlCases } from './yaml-cases.js';

// Contracts (governance/contracts/operator-team.yaml, src/gates/contract.ts): a random valid one,
// then each field set to values the schema must accept or refuse.

const ENVS = ['development', 'staging', 'production'] as const;
const AGENTS = ['command', 'noop', 'custom-agent', 'constructor', 'agent-🚀'] as const;
const BOOL_BAD = ['yes', new Raw('yes'), new Raw('on'), 'true', 1, 0, null, MISSING, []];
const ITER_BAD = [0, new Raw('-0'), -1, 1.5, new Raw('1e308'), new Raw('9007199254740993'), 10_001, '3', true, new Raw('.inf'), new Raw('.nan'), null, []];
const TIMEOUT_BAD = [0, -1, new Raw('1e308'), 604_801, '10', null, new Raw('.nan'), new Raw('-.inf'), new Raw('.inf')];

interface FieldRow {
  path: string[];
  valid: readonly Value[];
  invalid: readonly Value[];
}

function contractFields(rng: Rng): FieldRow[] {
  const env = rng.pick(ENVS);
  const gentle = rng.pick(['development', 'staging'] as const);
  const agent = rng.pick(AGENTS);
  return [
    { path: ['version'], valid: [1, new Raw('1.0'), new Raw('0x1'), new Raw('+1')], invalid: [2, '1', 0, 1.5, true, null, [], {}, MISSING] },
    { path: ['environments'], valid: [], invalid: [MISSING, null, [], 'x', 1] },
    { path: ['environments', env], valid: [], invalid: [MISSING, null, [], 'x'] },
    { path: ['environments', env, 'auto_deploy'], valid: [true, false, new Raw('True'), new Raw('FALSE')], invalid: BOOL_BAD },
    { path: ['environments', env, 'auto_rollback'], valid: [true, false], invalid: BOOL_BAD },
    { path: ['environments', gentle, 'approval'], valid: ['never', 'first-time', 'always', new Raw("'never'"), new Raw('"first-time"')], invalid: ['sometimes', 'Always', '', 1, true, null, MISSING, 'always\u0000', 'never '] },
    { path: ['environments', 'production', 'approval'], valid: ['always', new Raw("'always'")], invalid: ['never', 'first-time', MISSING, null] },
    { path: ['environments', env, 'extra'], valid: [], invalid: [1, 'x'] },
    { path: ['environments', 'qa'], valid: [], invalid: [{ auto_deploy: true, auto_rollback: true, approval: 'never' }] },
    { path: ['approvers'], valid: [MISSING, [], ['alice'], UNICODE_SAMPLES], invalid: ['bob', [1], [''], [null], {}, 1, new Raw('!!set {a, b}'), new Raw('[!!binary aGVsbG8=]'), hugeList] },
    { path: ['default_agent'], valid: [MISSING, 'command', 'noop', '🚀', 'x'.repeat(1000)], invalid: ['', 1, true, [], {}, null, hugeString] },
    { path: ['agents'], valid: [MISSING, {}], invalid: ['x', 1, [], null] },
    { path: ['agents', agent], valid: [{}, { max_iterations: 1 }], invalid: [null, 'x', 1, [], { extra: 1 }] },
    { path: ['agents', agent, 'max_iterations'], valid: [1, 10_000, new Raw('0x10'), new Raw('1e3')], invalid: ITER_BAD },
    { path: ['agents', agent, 'command'], valid: [['x'], ['claude', '--print'], ['tool', '$(touch pwned)', '; rm -rf /']], invalid: [[], 'claude', [''], [1], [null], {}, null] },
    { path: ['agents', agent, 'prompt'], valid: ['argument', 'stdin'], invalid: ['file', '', 1, null, 'Argument'] },
    { path: ['agents', agent, 'timeout_seconds'], valid: [0.5, 1, 604_800, new Raw('1e3')], invalid: TIMEOUT_BAD },
    { path: ['agents', agent, 'extra'], valid: [], invalid: [1] },
    { path: ['severity_overrides'], valid: [MISSING, {}], invalid: ['x', [], 1, null] },
    { path: ['severity_overrides', env], valid: [{}, { 'SQL-001': 'LOW' }], invalid: ['x', [], 1, null] },
    { path: ['severity_overrides', env, 'RULE-1'], valid: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'], invalid: ['SEVERE', 'high', '', 1, null, []] },
    { path: ['severity_overrides', 'qa'], valid: [], invalid: [{}] },
    { path: ['extra_top'], valid: [], invalid: [1, 'x', {}] },
  ];
}

function makeContract(rng: Rng): Record<string, unknown> {
  const policy = (approval: string): Record<string, unknown> => ({ auto_deploy: rng.chance(0.5), auto_rollback: rng.chance(0.5), approval });
  const c: Record<string, unknown> = {
    version: 1,
    environments: {
      development: policy(rng.pick(['never', 'first-time', 'always'])),
      staging: policy(rng.pick(['never', 'first-time', 'always'])),
      production: policy('always'),
    },
  };
  if (rng.chance(0.5)) c.approvers = rng.pick([[], ['alice'], ['alice', 'bob']]);
  if (rng.chance(0.5)) c.default_agent = rng.pick(['command', 'noop']);
  if (rng.chance(0.6)) {
    const agents: Record<string, unknown> = {};
    if (rng.chance(0.7)) agents.command = { max_iterations: 5, command: ['claude', '--print'], prompt: 'argument', timeout_seconds: 1800 };
    if (rng.chance(0.5)) agents.noop = { max_iterations: 1 };
    if (rng.chance(0.3)) agents.deployment = { max_iterations: 3 };
    c.agents = agents;
  }
  if (rng.chance(0.4)) c.severity_overrides = { development: {}, production: { 'SQL-001': 'HIGH' } };
  return c;
}

function renderContract(rng: Rng, c: Record<string, unknown>, fixedOrder = false): string {
  const entries = Object.entries(c).filter(([, v]) => v !== MISSING);
  const ordered = fixedOrder ? [...entries.filter(([k]) => k !== 'environments'), ...entries.filter(([k]) => k === 'environments')] : rng.shuffle(entries);
  return `${rng.chance(0.5) ? '# the operator team’s contract 🚦\n' : ''}${writeYaml(rng, new Entries(ordered))}`;
}

export function generateContractCases(rng: Rng, repeat: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (category: string, what: string, content: string, valid: boolean, expect?: RegExp): void => {
    cases.push({ category, kind: 'contract', what, content, valid, ...(expect ? { expect } : {}) });
  };
  for (let r = 0; r < repeat; r++) {
    for (const row of contractFields(rng)) {
      for (const [values, valid] of [[row.invalid, false], [row.valid, true]] as const) {
        for (const value of values) {
          if (isHuge(value) && r > 0) continue;
          const c = makeContract(rng);
          const v = materialize(value);
          setPath(c, row.path, v);
          add(valid ? 'valid-values' : 'wrong-type', `${row.path.join('.')} = ${describe(v)}`, renderContract(rng, c), valid);
        }
      }
    }
    // Small aliases are fine: staging reusing the development policy, two agents sharing one.
    const b = (): string => String(rng.chance(0.5));
    add('yaml-aliases', 'an anchor reused by an alias', [
      'version: 1',
      'environments:',
      `  development: &dev {auto_deploy: ${b()}, auto_rollback: ${b()}, approval: ${rng.pick(['never', 'first-time'])}}`,
      '  staging: *dev',
      '  production:',
      `    auto_deploy: ${b()}`,
      '    auto_rollback: false',
      '    approval: always',
      'agents:',
      '  a: &p',
      `    max_iterations: ${rng.between(1, 9)}`,
      '  b: *p',
      'approvers: &people [alice, bob]',
      '',
    ].join('\n'), true);
  }
  cases.push(...generateYamlCases(rng, 'contract', repeat, () => {
    const c = makeContract(rng);
    return { text: renderContract(rng, c, true), cutBefore: (t) => t.lastIndexOf('always') + 'always'.length - 1 };
  }));
  return cases;
}
