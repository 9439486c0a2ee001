import { MISSING, Raw, SHELL_VERSIONS, UNICODE_SAMPLES, hugeList, hugeString } from './fuzz-case.js';

// For every field the queue schema knows (src/queue/schema.ts), values it must accept and values
// it must refuse. A function value is made when used (the 10 MB strings are made once).

export type Value = unknown | (() => unknown);
export interface FieldValues {
  valid: readonly Value[];
  invalid: readonly Value[];
}

const huge = (): string => hugeString();
const long = (n: number) => (): string => 'x'.repeat(n);
const WRONG_TYPES = [1, 1.5, true, false, [], {}, ['x'], { a: 1 }];
const notString = WRONG_TYPES;
const notBool = ['true', 1, 0, 'yes', [], {}, [true]];

export const TASK_FIELDS: Record<string, FieldValues> = {
  id: {
    // Valid ids are set with every reference to the old id renamed.
    valid: ['A', 'DEPLOY-PROD-001', 'a.b_c:d-e', '9', 'a..b', long(128), 'constructor', 'toString', 'hasOwnProperty'],
    invalid: [
      MISSING, null, '', ...notString, 'a/b', 'a\\b', '../x', '..', '.hidden', '-rf', 'a b', ' A', 'A ', '$(touch pwned)',
      '`id`', 'a;b', 'a|b', 'a&b', 'a>b', 'a*b', '~x', long(129), 'é', '🚀', 'A\u0000', 'A\n', '\u202eA', '__proto__', huge,
    ],
  },
  description: {
    valid: [MISSING, null, '', 'plain words', ...UNICODE_SAMPLES, long(1_000_000)],
    invalid: [...notString, long(1_000_001), huge],
  },
  title: { valid: [MISSING, null, 'x', 1, {}, [], ...UNICODE_SAMPLES], invalid: [] },
  status: {
    valid: [
      MISSING, null, 'pending', 'in_progress', 'awaiting_approval', 'complete', 'blocked', 'failed', 'skipped',
      'completed', 'done', 'Done', ' COMPLETE ', 'in progress', 'In-Progress', 'awaiting approval',
    ],
    invalid: ['', 'started', 'completee', ...notString, 'ｃｏｍｐｌｅｔｅ', 'complete\u0000', 'pending\u202e', 'constructor', huge],
  },
  agent_type: {
    valid: [MISSING, null, 'noop', 'command', 'deployment', 'migration', 'readiness', 'my-agent_2', 'constructor', long(64)],
    invalid: ['', 'a b', '-x', '_x', long(65), ...notString, 'a/b', '$(id)', 'é', 'noop\n'],
  },
  environment: {
    valid: [MISSING, null, 'development', 'staging', 'production', 'dev', 'stage', 'prod', 'DEV', ' Prod ', 'PRODUCTION', 'prod\n', '\u00a0dev\t'],
    invalid: [
      '', 'qa', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prod\u0301', '\u202eprod',
      'prod\u0000', ...notString, huge,
    ],
  },
  version: {
    valid: [MISSING, null, '1.2.3', 'v2', '1.0.0-rc.1+build.5', '2024.01.15', 'A_b', long(64)],
    invalid: [...SHELL_VERSIONS, '', ' 1.0', '1.0.', '1..2', '1.0.lock', 'é', '🚀', long(65), ...notString, huge],
  },
  run_migrations: { valid: [MISSING, null, true, false], invalid: notBool },
  migrations_path: {
    valid: [MISSING, null, 'migrations', 'db/migrations', './m', 'a/../b', 'a b/c', 'é/🚀', long(4096)],
    invalid: ['', '..', '../x', '/etc', '/', 'a/../../b', 'db\\..\\..\\x', 'a\u0000b', long(4097), ...notString],
  },
  completion_promise: {
    valid: [MISSING, null, 'DONE', '🚀 done', '<b>bold</b>', 'nul \u0000', long(10_000)],
    invalid: ['', long(10_001), ...notString, huge],
  },
  max_iterations: {
    valid: [MISSING, null, 1, 3, 10_000, new Raw('1.0'), new Raw('1e2'), new Raw('1E3'), new Raw('10.0e0')],
    invalid: [
      0, new Raw('-0'), -1, 1.5, new Raw('1e308'), new Raw('-1e308'), new Raw('9007199254740993'), 10_001,
      new Raw('1e400'), new Raw('5e-324'), '3', true, [], {}, [3],
    ],
  },
  depends_on: { valid: [MISSING, null, []], invalid: ['A', 1, true, {}, [1], [null], [['x']], ['a/b'], [''], ['__proto__']] },
  dependencies: { valid: [MISSING, null, []], invalid: ['A', 1, true, {}, [1], [null], [['x']], ['a b'], ['']] },
  requires_approval: {
    valid: [MISSING, null, true, false, 'legal review', [], ['a', 'b'], [''], ['🚀']],
    invalid: ['', 1, 0, {}, [1], [null], [true]],
  },
  command: {
    valid: [MISSING, null, ['x'], ['node', '-e', '$(touch pwned)'], ['a\nb'], ['🚀'], ['--', '; rm -rf /']],
    invalid: [[], 'echo hi', 1, true, {}, [1], [null], ['a\u0000b'], [long(100_001)]],
  },
};

export const TOP_FIELDS: Record<string, FieldValues> = {
  project: {
    valid: [MISSING, null, 'p', 'my project', '🚀', ...UNICODE_SAMPLES, long(256)],
    invalid: ['', long(257), ...notString],
  },
};

/** Numbers that only an unknown field may hold: they are kept as written. */
export const ODD_NUMBERS = [
  new Raw('1e308'), new Raw('-0'), new Raw('9007199254740993'), new Raw('1e400'), new Raw('-1e400'),
  new Raw('5e-324'), new Raw('0.1000000000000000055511151231257827'), new Raw('1E+2'), new Raw('-0.0e-0'),
];

export function materialize(value: Value): unknown {
  return typeof value === 'function' ? (value as () => unknown)() : value;
}

/** The 10 MB values: each is tried once, not once a repetition. */
export function isHuge(value: Value): boolean {
  return value === huge || value === hugeString || value === hugeList;
}
