import { Entries, MISSING, Raw, UNICODE_SAMPLES, hugeString, type FuzzCase } from './fuzz-case.js';
import type { Rng } from './prng.js';
import { describe } from './queue-cases.js';
import { isHuge, materialize, type Value } from './queue-fields.js';
import { setPath, writeYaml } from './write-yaml.js';
import { generateYamlCases } from './yaml-cases.js';

// Project files (governance/projects/<project>.yaml, src/agents/project-config.ts). The fuzz
// workspace holds a folder `proj` (and no `p`, `pr`, `pro`): the base file's `path`, written last.

export const PROJECT_DIR = 'proj';

const COMMANDS = ['test', 'build', 'deploy', 'migrate_up', 'migrate_down', 'migrate_status', 'rollback', 'stop'] as const;
const ARGV_VALID = [['x'], ['${NODE}', 'a b', '$(touch pwned)', '; rm -rf /'], ['deploy', '--version=${VERSION}'], ['🚀']];
const ARGV_BAD = ['npm test', [], [''], [1], null, ['x', '${NOPE}'], ['${version}'], ['a', '${constructor}']];
const SECONDS_BAD = [0, -1, 604_801, '10', null, new Raw('.inf'), new Raw('.nan')];

interface FieldRow {
  path: string[];
  valid: readonly Value[];
  invalid: readonly Value[];
  /** A health check value is checked against a probe: the base gets a URL first. */
  needsProbe?: boolean;
}

function projectFields(rng: Rng): FieldRow[] {
  const cmd = rng.pick(COMMANDS);
  const hc = ['defaults', 'health_check'];
  return [
    { path: ['version'], valid: [1], invalid: [2, '1', null, MISSING, 1.5] },
    { path: ['description'], valid: [MISSING, '', ...UNICODE_SAMPLES], invalid: [1, [], {}, null, true, hugeString] },
    { path: ['path'], valid: [PROJECT_DIR, `./${PROJECT_DIR}`, `${PROJECT_DIR}/`, '.', '..'], invalid: [MISSING, null, '', 1, [], 'nope-missing', `${PROJECT_DIR}\u0000`, 'pro'] },
    { path: ['git'], valid: [MISSING, {}], invalid: ['x', 1, [], null] },
    { path: ['git', 'tag_releases'], valid: [true, false], invalid: ['yes', 'true', 1, null] },
    { path: ['git', 'repo'], valid: [PROJECT_DIR, 'elsewhere'], invalid: ['', 1, null] },
    { path: ['git', 'extra'], valid: [], invalid: [1] },
    { path: ['defaults'], valid: [MISSING, {}], invalid: ['x', 1, [], null] },
    { path: ['defaults', 'env'], valid: [{}, { A: 'x' }, { _X1: '${VERSION}', Y: 'é 🚀' }], invalid: ['x', [], null, { A: 1 }, { '1A': 'x' }, { 'A-B': 'x' }, { A: null }, { A: '${NOPE}' }] },
    { path: ['defaults', 'commands', cmd], valid: ARGV_VALID, invalid: ARGV_BAD },
    { path: ['defaults', 'commands', 'unknown_command'], valid: [], invalid: [['x']] },
    { path: ['defaults', 'timeouts', cmd], valid: [0.001, 1, 604_800], invalid: SECONDS_BAD },
    { path: hc, valid: [{ url: 'http://x' }, { command: ['curl', 'x'] }], invalid: [{}, { url: 'http://x', command: ['x'] }, 'x', null] },
    { path: [...hc, 'url'], valid: ['http://127.0.0.1:${PORT}/health', 'https://example.com/é'], invalid: ['ftp://x', '', 'localhost:80', 1, null, 'http://${NOPE}/'] },
    { path: [...hc, 'expected_status'], valid: [100, 599, 204], invalid: [99, 600, 1.5, '200', null], needsProbe: true },
    { path: [...hc, 'retries'], valid: [0, 100], invalid: [-1, 101, 1.5, null], needsProbe: true },
    { path: [...hc, 'backoff_seconds'], valid: [0, 3600, 0.25], invalid: [-1, 3601, '1', null], needsProbe: true },
    { path: [...hc, 'timeout_seconds'], valid: [0.1, 604_800], invalid: [0, -1, 604_801], needsProbe: true },
    { path: [...hc, 'body_contains'], valid: ['ok', '"version":"${VERSION}"'], invalid: ['', 1, '${NOPE}'], needsProbe: true },
    { path: ['environments'], valid: [], invalid: [MISSING, null, [], 'x'] },
    { path: ['environments', 'development', 'port'], valid: [1, 65_535, 8080], invalid: [0, 65_536, 1.5, '80', -1, null, new Raw('.inf')] },
    { path: ['environments', 'development', 'commands', cmd], valid: ARGV_VALID, invalid: ARGV_BAD },
    { path: ['environments', 'development', 'env'], valid: [{ PORT_NAME: '${PORT}' }], invalid: [{ B: '${UNKNOWN_NAME}' }, { B: 80 }] },
    { path: ['environments', 'qa'], valid: [], invalid: [{}] },
    { path: ['environments', 'development', 'extra'], valid: [], invalid: [1] },
    { path: ['extra_top'], valid: [], invalid: [1] },
  ];
}

/** A valid project file; development is always there, so the merged checks always run. */
function makeProject(rng: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = { version: 1 };
  if (rng.chance(0.5)) p.description = rng.pick(['A small HTTP service', '']);
  if (rng.chance(0.4)) p.git = rng.chance(0.5) ? { tag_releases: rng.chance(0.5) } : { repo: PROJECT_DIR, tag_releases: false };
  if (rng.chance(0.7)) {
    const defaults: Record<string, unknown> = {};
    if (rng.chance(0.6)) defaults.env = { DEMO_DIR: '${WORKSPACE_ROOT}/.aibrain/envs/${ENVIRONMENT}' };
    if (rng.chance(0.7)) defaults.commands = { test: ['${NODE}', '--test'], deploy: ['${NODE}', 'scripts/deploy.mjs', '${VERSION}'] };
    if (rng.chance(0.4)) defaults.timeouts = { test: 120, deploy: 30 };
    if (rng.chance(0.5)) defaults.health_check = { url: 'http://127.0.0.1:${PORT}/health', expected_status: 200, retries: 2, backoff_seconds: 0.25, timeout_seconds: 2 };
    p.defaults = defaults;
  }
  const environments: Record<string, unknown> = { development: { port: 4301 } };
  if (rng.chance(0.5)) environments.staging = { port: 4302, commands: { build: ['${NODE}', 'build.mjs'] } };
  if (rng.chance(0.5)) environments.production = { port: 4303, env: { MODE: 'prod' }, timeouts: { deploy: 60 } };
  p.environments = environments;
  p.path = PROJECT_DIR;
  return p;
}

function renderProject(rng: Rng, p: Record<string, unknown>): string {
  // `path` stays last: a cut anywhere before its end leaves the file invalid.
  const entries = Object.entries(p).filter(([, v]) => v !== MISSING);
  const ordered = [...rng.shuffle(entries.filter(([k]) => k !== 'path')), ...entries.filter(([k]) => k === 'path')];
  return `${rng.chance(0.5) ? '# where the project lives, and how it ships\n' : ''}${writeYaml(rng, new Entries(ordered))}`;
}

export function generateProjectCases(rng: Rng, repeat: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const row of projectFields(rng)) {
      for (const [values, valid] of [[row.invalid, false], [row.valid, true]] as const) {
        for (const value of values) {
          if (isHuge(value) && r > 0) continue;
          const p = makeProject(rng);
          if (row.needsProbe) setPath(p, ['defaults', 'health_check', 'url'], 'http://127.0.0.1:${PORT}/health');
          if (row.needsProbe) setPath(p, ['defaults', 'health_check', 'command'], MISSING);
          const v = materialize(value);
          setPath(p, row.path, v);
          cases.push({ category: valid ? 'valid-values' : 'wrong-type', kind: 'project', what: `${row.path.join('.')} = ${describe(v)}`, content: renderProject(rng, p), valid });
        }
      }
    }
  }
  cases.push(...generateYamlCases(rng, 'project', repeat, () => ({
    text: renderProject(rng, makeProject(rng)),
    cutBefore: (t) => t.lastIndexOf(PROJECT_DIR) + PROJECT_DIR.length - 1,
  })));
  return cases;
}
