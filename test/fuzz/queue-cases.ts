import { Entries, MISSING, Raw, SHELL_VERSIONS, UNICODE_SAMPLES, hugeString, writeJson, type FuzzCase } from './fuzz-case.js';
import type { Rng } from './prng.js';
import { ODD_NUMBERS, TASK_FIELDS, TOP_FIELDS, isHuge, materialize, type Value } from './queue-fields.js';

type Task = Record<string, unknown>;
interface Base {
  key: 'features' | 'tasks';
  tasks: Task[];
  /** Top-level entries other than the tasks array. */
  top: [string, unknown][];
}

/** A random valid queue: 1-6 tasks, dependencies only on tasks that exist, some unknown fields. */
function makeBase(rng: Rng): Base {
  const n = rng.between(1, 6);
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${rng.pick(['TASK', 'DEPLOY-DEV', 'F', 'fix'])}-${String(i + 1).padStart(3, '0')}`;
    const t: Task = { id };
    if (rng.chance(0.8)) t.description = rng.pick(['Deploy the API', 'Fix the login bug', 'Run migrations', '']);
    if (rng.chance(0.5)) t.status = rng.pick(['pending', 'complete', 'completed', 'failed', 'in_progress']);
    if (rng.chance(0.7)) t.agent_type = rng.pick(['noop', 'command', 'deployment', 'migration']);
    if (rng.chance(0.4)) t.environment = rng.pick(['dev', 'staging', 'production', 'prod']);
    if (rng.chance(0.3)) t.version = rng.pick(['1.0.0', '2.3', 'v4']);
    if (rng.chance(0.2)) t.run_migrations = rng.chance(0.5);
    if (rng.chance(0.2)) t.migrations_path = 'db/migrations';
    if (rng.chance(0.3)) t.completion_promise = `${id} DONE`;
    if (rng.chance(0.3)) t.max_iterations = rng.between(1, 10);
    if (i > 0 && rng.chance(0.6)) {
      const earlier = tasks.map((x) => x.id as string);
      t[rng.chance(0.8) ? 'depends_on' : 'dependencies'] = rng.shuffle(earlier).slice(0, rng.between(1, Math.min(3, i)));
    }
    if (rng.chance(0.2)) t.requires_approval = rng.pick([true, false, ['security review']]);
    if (rng.chance(0.3)) t.command = ['node', '-e', 'console.log(1)'];
    if (rng.chance(0.3)) t.estimate = 1.5;
    if (rng.chance(0.2)) t.meta = { owner: 'ops', tags: ['a'], nested: { deeper: [1, null, 'x'] } };
    tasks.push(t);
  }
  const top: [string, unknown][] = [];
  if (rng.chance(0.6)) top.push(['project', 'p']);
  if (rng.chance(0.3)) top.push(['$schema', '../schema/work-queue.schema.json']);
  if (rng.chance(0.3)) top.push(['version', '2.3']);
  return { key: rng.chance(0.85) ? 'features' : 'tasks', tasks: rng.shuffle(tasks), top };
}

function render(rng: Rng, base: Base, extraTop: [string, unknown][] = []): string {
  const entries: [string, unknown][] = [...base.top, ...extraTop];
  entries.splice(rng.int(entries.length + 1), 0, [base.key, base.tasks]);
  const indent = rng.pick(['', '  ', '    ', '\t']);
  return `${writeJson(new Entries(entries), indent)}${rng.pick(['\n', '', '\n\n', ' \r\n'])}`;
}

function setField(task: Task, field: string, value: unknown): void {
  if (value === MISSING) delete task[field];
  else task[field] = value;
}

/** A valid id is set with every reference to the old one renamed, so the queue stays valid. */
function renameTask(tasks: Task[], task: Task, id: string): void {
  const old = task.id;
  task.id = id;
  for (const t of tasks) {
    for (const key of ['depends_on', 'dependencies']) {
      const list = t[key];
      if (Array.isArray(list)) t[key] = list.map((d) => (d === old ? id : d));
    }
  }
}

export function generateQueueCases(rng: Rng, repeat: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (category: string, what: string, content: string | Buffer, valid: boolean): void => {
    cases.push({ category, kind: 'queue', what, content, valid });
  };
  const fieldCase = (category: string, field: string, value: Value, valid: boolean): void => {
    const base = makeBase(rng);
    const task = rng.pick(base.tasks);
    const v = materialize(value);
    if (field === 'id' && valid) renameTask(base.tasks, task, v as string);
    else setField(task, field, v);
    add(category, `${field} = ${describe(v)}`, render(rng, base), valid);
  };

  // Every known field, with each wrong value and each right one.
  for (const [field, values] of Object.entries(TASK_FIELDS)) {
    for (const v of values.invalid) for (let r = 0; r < (isHuge(v) ? 1 : repeat); r++) fieldCase('wrong-type', field, v, false);
    for (const v of values.valid) for (let r = 0; r < Math.ceil(repeat / 2); r++) fieldCase('valid-values', field, v, true);
  }
  for (const [field, values] of Object.entries(TOP_FIELDS)) {
    for (const v of values.invalid) add('wrong-type', `top ${field} = ${describe(v)}`, render(rng, makeBase(rng), [[field, materialize(v)]]), false);
    for (const v of values.valid) add('valid-values', `top ${field} = ${describe(v)}`, render(rng, makeBase(rng), [[field, materialize(v)]]), true);
  }

  // Numbers: odd spellings kept in unknown fields; refused as an iteration budget.
  for (const n of ODD_NUMBERS) {
    for (let r = 0; r < repeat; r++) {
      const base = makeBase(rng);
      rng.pick(base.tasks).estimate = n;
      add('huge-numbers', `unknown field = ${n.text}`, render(rng, base, rng.chance(0.5) ? [['budget', n]] : []), true);
    }
  }
  for (const n of ['1e308', '-0', '9007199254740993', '-1e308', '1e400', '0.5', '-0.0'] as const) {
    for (let r = 0; r < repeat; r++) fieldCase('huge-numbers', 'max_iterations', new Raw(n), false);
  }

  // Nesting: the loader refuses more than 256 levels before JSON.parse runs.
  const nest = (depth: number): Raw => new Raw(rng.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  for (let r = 0; r < repeat; r++) {
    for (const [depth, valid] of [[10_000, false], [260, false], [200, true]] as const) {
      const base = makeBase(rng);
      rng.pick(base.tasks).deep = nest(depth);
      add('deep-nesting', `unknown field nested ${depth} levels`, render(rng, base), valid);
    }
    const inString = makeBase(rng);
    rng.pick(inString.tasks).description = '['.repeat(10_000);
    add('deep-nesting', 'brackets inside a string', render(rng, inString), true);
    add('deep-nesting', 'the whole file nested 10000 levels', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, false);
    add('deep-nesting', 'top-level key nested 300 levels', render(rng, makeBase(rng), [['deep', nest(300)]]), false);
  }

  // Unicode: free text takes any of it; ids, environments and versions take none.
  for (const sample of UNICODE_SAMPLES) {
    for (let r = 0; r < repeat; r++) {
      const base = makeBase(rng);
      const task = rng.pick(base.tasks);
      const field = rng.pick(['description', 'title', 'completion_promise', 'notes']);
      task[field] = sample;
      if (rng.chance(0.3)) task[sample] = 'a key in unicode';
      add('unicode', `${field} = ${describe(sample)}`, render(rng, base, rng.chance(0.3) ? [['project', sample]] : []), true);
      const bad = makeBase(rng);
      const badField = rng.pick(['id', 'environment', 'version', 'agent_type', 'depends_on']);
      const badTask = rng.pick(bad.tasks);
      badTask[badField] = badField === 'depends_on' ? [sample] : badField === 'id' ? `A${sample}` : sample;
      add('unicode', `${badField} = ${describe(sample)}`, render(rng, bad), false);
    }
  }

  // NUL: raw NUL bytes are not JSON; an escaped one is text, refused where text becomes argv or a path.
  for (let r = 0; r < repeat; r++) {
    const base = makeBase(rng);
    rng.pick(base.tasks).description = new Raw('"before\u0000after"');
    add('nul-bytes', 'raw NUL inside a string', render(rng, base), false);
    const text = render(rng, makeBase(rng));
    const comma = text.indexOf(',');
    add('nul-bytes', 'raw NUL between values', comma > 0 ? `${text.slice(0, comma + 1)}\u0000${text.slice(comma + 1)}` : `\u0000${text}`, false);
    add('nul-bytes', 'raw NUL after the object', `${text.trimEnd()}\u0000`, false);
    for (const field of ['description', 'completion_promise', 'notes']) {
      const ok = makeBase(rng);
      rng.pick(ok.tasks)[field] = 'a\u0000b';
      add('nul-bytes', `escaped NUL in ${field}`, render(rng, ok), true);
    }
    for (const [field, value] of [['id', 'A\u0000'], ['version', '1.0\u0000'], ['command', ['x\u0000']], ['migrations_path', 'm\u0000/x'], ['environment', 'dev\u0000']] as const) {
      const bad = makeBase(rng);
      rng.pick(bad.tasks)[field] = value;
      add('nul-bytes', `escaped NUL in ${field}`, render(rng, bad), false);
    }
  }

  // 10 MB strings, once each.
  for (const [field, valid] of [['description', false], ['id', false], ['version', false], ['environment', false], ['completion_promise', false], ['status', false], ['notes', true]] as const) {
    const base = makeBase(rng);
    rng.pick(base.tasks)[field] = hugeString();
    add('huge-strings', `${field} = 10 MB`, render(rng, base), valid);
  }
  const hugeKey = makeBase(rng);
  rng.pick(hugeKey.tasks)[hugeString()] = 1;
  add('huge-strings', 'a 10 MB unknown key', render(rng, hugeKey), true);
  add('huge-strings', 'command argument of 10 MB', render(rng, withField(makeBase(rng), 'command', ['node', hugeString()])), false);
  add('huge-strings', 'project of 10 MB', render(rng, makeBase(rng), [['project', hugeString()]]), false);

  cases.push(...generateStructureCases(rng, repeat));
  return cases;
}

function withField(base: Base, field: string, value: unknown): Base {
  base.tasks[0]![field] = value;
  return base;
}

/** Dependencies, ids, versions, truncation, BOMs, garbage, duplicate keys, top-level shapes, bytes. */
function generateStructureCases(rng: Rng, repeat: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (category: string, what: string, content: string | Buffer, valid: boolean): void => {
    cases.push({ category, kind: 'queue', what, content, valid });
  };
  const chain = (n: number, prefix = 'C'): Task[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, agent_type: 'noop', ...(i > 0 ? { depends_on: [`${prefix}${i - 1}`] } : {}) }));

  for (let r = 0; r < repeat; r++) {
    const self = makeBase(rng);
    const t = rng.pick(self.tasks);
    t[rng.pick(['depends_on', 'dependencies'])] = [t.id];
    add('dependencies', 'a task depends on itself', render(rng, self), false);
    const len = rng.between(2, 6);
    const cycle = chain(len);
    cycle[0]!.depends_on = [`C${len - 1}`];
    add('dependencies', `a cycle of ${len}`, render(rng, { key: 'features', tasks: rng.shuffle([...cycle, ...makeBase(rng).tasks]), top: [] }), false);
    const unknown = makeBase(rng);
    rng.pick(unknown.tasks).depends_on = [rng.pick(['NOPE', 'TASK-0001', 'task-001', 'F-999'])];
    add('dependencies', 'an unknown dependency', render(rng, unknown), false);
    const twice = makeBase(rng);
    const last = twice.tasks[twice.tasks.length - 1]!;
    const other = twice.tasks.find((x) => x !== last);
    if (other) {
      last.depends_on = [other.id, other.id];
      last.dependencies = [other.id];
      add('dependencies', 'the same dependency twice, under both names', render(rng, twice), true);
    }
    const dupe = makeBase(rng);
    dupe.tasks.push({ ...rng.pick(dupe.tasks), description: 'copy' });
    add('duplicate-ids', 'two tasks with one id', render(rng, dupe), false);
    const cased = makeBase(rng);
    cased.tasks.push({ id: 'case-x' }, { id: 'CASE-X' });
    add('duplicate-ids', 'ids that differ in case only', render(rng, cased), true);
    for (const version of SHELL_VERSIONS) {
      const base = makeBase(rng);
      const task = rng.pick(base.tasks);
      Object.assign(task, { agent_type: rng.pick(['deployment', 'command', 'migration']), environment: 'dev', version });
      add('shell-versions', `version = ${describe(version)}`, render(rng, base), false);
    }
    const text = render(rng, makeBase(rng));
    add('truncated', 'cut short', text.slice(0, rng.int(text.lastIndexOf('}'))), false);
    add('bom', 'a leading BOM', `\ufeff${text}`, true);
    add('bom', 'two BOMs', `\ufeff\ufeff${text}`, false);
    add('bom', 'a BOM after whitespace', ` \ufeff${text}`, false);
    add('bom', 'UTF-16 with its BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), false);
    const garbage = rng.pick(['x', ',', '}', ']', '{}', '[]', 'garbage', '// comment', '/* c */', '\u001a', 'null', '"', '\u00a0']);
    add('trailing-garbage', `followed by ${describe(garbage)}`, `${text.trimEnd()}${rng.pick(['', '\n'])}${garbage}`, false);
    add('trailing-garbage', 'followed by whitespace', `${text}${rng.pick([' ', '\n\n', '\t\r\n'])}`, true);
  }
  for (const n of [2000, 20_000]) {
    add('dependencies', `a chain of ${n}`, render(rng, { key: 'features', tasks: chain(n), top: [] }), true);
    const closed = chain(n);
    closed[0]!.depends_on = [`C${n - 1}`];
    add('dependencies', `a cycle of ${n}`, render(rng, { key: 'features', tasks: closed, top: [] }), false);
    add('dependencies', `${n} unknown dependencies`, render(rng, { key: 'features', tasks: chain(n).map((t, i) => ({ ...t, depends_on: [`C${i}X`] })), top: [] }), false);
  }
  cases.push(...generateShapeCases(rng, repeat));
  return cases;
}

/** Duplicate keys, top-level shapes, prototype keys, control characters, bytes that are not UTF-8, JSON extensions. */
function generateShapeCases(rng: Rng, repeat: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (category: string, what: string, content: string | Buffer, valid: boolean): void => {
    cases.push({ category, kind: 'queue', what, content, valid });
  };
  const one = (task: unknown, top: [string, unknown][] = []): string =>
    writeJson(new Entries([...top, ['features', [task]]]), rng.pick(['', '  ']));
  for (let r = 0; r < repeat; r++) {
    // JSON.parse keeps the last of duplicate keys; so does the write-back.
    add('duplicate-keys', 'status twice', one(new Entries([['id', 'A'], ['status', 'complete'], ['status', 'pending']])), true);
    add('duplicate-keys', 'id twice', one(new Entries([['id', 'A'], ['description', 'x'], ['id', 'B']])), true);
    add('duplicate-keys', 'id twice, the last one bad', one(new Entries([['id', 'A'], ['id', 'a/b']])), false);
    add('duplicate-keys', 'status twice, the last one bad', one(new Entries([['id', 'A'], ['status', 'pending'], ['status', 'nope']])), false);
    add('duplicate-keys', 'features twice', writeJson(new Entries([['features', [{ id: 'A', status: 'pending' }]], ['features', [{ id: 'A' }, { id: 'B' }]]]), ''), true);
    add('duplicate-keys', 'features twice, the last one not an array', writeJson(new Entries([['features', [{ id: 'A' }]], ['features', 7]]), ''), false);

    for (const top of ['[]', '1', '"x"', 'null', 'true', '', '   \n', '[{"id":"A"}]', '{}', '{"project":"p"}']) add('top-level', `the file is ${describe(top)}`, top, false);
    add('top-level', 'both features and tasks', writeJson({ features: [{ id: 'A' }], tasks: [{ id: 'B' }] }, '  '), false);
    add('top-level', 'features null, tasks given', writeJson({ features: null, tasks: [{ id: 'B' }] }, '  '), true);
    add('top-level', 'no tasks at all', writeJson({ features: [] }, '  '), true);
    for (const notArray of ['A', 1, true, { A: { id: 'A' } }]) add('top-level', `features = ${describe(notArray)}`, writeJson({ features: notArray }, ''), false);
    for (const notTask of [1, 'A', null, [], [{ id: 'A' }], true]) add('top-level', `a task that is ${describe(notTask)}`, writeJson({ features: [{ id: 'B' }, notTask] }, ''), false);

    add('prototype-keys', '__proto__ in a task', one(new Entries([['id', 'A'], ['__proto__', { id: 'B', status: 'nope' }]])), true);
    add('prototype-keys', '__proto__ at the top', writeJson(new Entries([['__proto__', { features: 1 }], ['features', [{ id: 'A' }]]]), ''), true);
    add('prototype-keys', 'constructor and toString as ids', writeJson({ features: [{ id: 'constructor' }, { id: 'toString', depends_on: ['constructor'] }] }, ''), true);
    for (const env of ['constructor', '__proto__', 'hasOwnProperty']) add('prototype-keys', `environment = ${env}`, one({ id: 'A', agent_type: 'noop', environment: env }), false);

    for (const c of ['\t', '\n', '\r', '\u001b', '\u0007', '\u007f']) {
      const raw = one({ id: 'A', description: new Raw(`"a${c}b"`) });
      add('control-chars', `raw ${describe(c)} inside a string`, raw, c === '\u007f');
      add('control-chars', `escaped ${describe(c)} in a description`, one({ id: 'A', description: `a${c}b` }), true);
      add('control-chars', `escaped ${describe(c)} in an id`, one({ id: `A${c}` }), false);
    }

    const before = Buffer.from('{"features": [{"id": "A", "description": "');
    const after = Buffer.from('"}]}\n');
    for (const bytes of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xfe]]) {
      add('invalid-utf8', `bytes ${bytes.map((b) => b.toString(16)).join(' ')}`, Buffer.concat([before, Buffer.from(bytes), after]), false);
    }
    add('invalid-utf8', 'a valid U+FFFD', Buffer.concat([before, Buffer.from([0xef, 0xbf, 0xbd]), after]), true);

    for (const ext of ['{"features": [{"id": "A"},]}', '{"features": [{"id": "A"}], }', "{'features': []}", '{features: []}', '{"features": [{"id": "A", "max_iterations": NaN}]}',
      '{"features": [{"id": "A", "max_iterations": Infinity}]}', '{"features": [{"id": "A", "max_iterations": 0x10}]}', '{"features": [{"id": "A", "max_iterations": 01}]}',
      '{"features": [{"id": "A", "max_iterations": +1}]}', '{"features": [] /* c */}', '// c\n{"features": []}', '{"features": [{"id": "A", "x": .5}]}', '{"features": [{"id": "A", "x": 1.}]}',
      '{"features": [{"id": "A", "x": "\\x41"}]}', '{"features": [{"id": "A", "x": "\\ud800"}]}', '{"features": [{"id": "A", "x": "\\u12"}]}', '{"features": [{"id": "A", "x": undefined}]}']) {
      add('json-extensions', ext, ext, ext.includes('"\\ud800"'));
    }
  }
  return cases;
}

export function describe(value: unknown): string {
  if (value === MISSING) return '(missing)';
  if (value instanceof Raw) return `raw ${value.text.length > 40 ? `${value.text.slice(0, 40)}… (${value.text.length} chars)` : value.text}`;
  if (typeof value === 'string' && value.length > 40) return `${JSON.stringify(value.slice(0, 40))}… (${value.length} chars)`;
  if (value instanceof Entries) return 'an object';
  return JSON.stringify(value) ?? String(value);
}
