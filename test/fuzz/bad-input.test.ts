import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';
import { PROJECT, VALID_CONTRACT, checkCase, describeMessageProblem, makeFuzzWorkspace, removeFuzzWorkspaces, resetFiles, type FuzzWorkspace } from './check-case.js';
import { generateContractCases } from './contract-cases.js';
import { SHELL_VERSIONS, TEN_MB, type FuzzCase } from './fuzz-case.js';
import { createRng, fuzzSeed } from './prng.js';
import { generateProjectCases } from './project-cases.js';
import { generateQueueCases } from './queue-cases.js';
import { mapLimit, runCliAsync } from './run-cli-async.js';

// Generated bad input (issue 6): thousands of mutated queue files, contracts and project files go
// through the loaders the CLI uses; a sample of them through the real CLI. Every refusal is an
// InputError (exit 2) with one paragraph naming the file and a place in it; nothing is written.
// A failure prints the seed: FUZZ_SEED=<seed> npx vitest run test/fuzz replays it.

const seed = fuzzSeed();
const rng = createRng(seed);
const REPEAT = Number(process.env.FUZZ_REPEAT ?? 3);
const CLI_CASES = Number(process.env.FUZZ_CLI_CASES ?? 50);
const cases: FuzzCase[] = [
  ...generateQueueCases(rng, REPEAT),
  ...generateContractCases(rng, REPEAT),
  ...generateProjectCases(rng, REPEAT),
];

afterAll(() => {
  removeWorkspaces();
  removeFuzzWorkspaces();
});

function summarize(list: readonly FuzzCase[]): string {
  const counts = new Map<string, number>();
  for (const c of list) counts.set(`${c.kind}/${c.category}`, (counts.get(`${c.kind}/${c.category}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}=${n}`).join(' ');
}

const fileHash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe(`generated bad input (seed ${seed})`, () => {
  it('is refused by the loaders with one clear InputError, or loaded and written back intact', () => {
    const ws = makeFuzzWorkspace();
    const started = performance.now();
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const problem = checkCase(ws, c);
      if (problem) failures.push(`#${i} ${c.kind}/${c.category} (${c.valid ? 'valid' : 'invalid'}) ${c.what}: ${problem}`);
    }
    const valid = cases.filter((c) => c.valid).length;
    process.stdout.write(
      `fuzz seed ${seed}: ${cases.length} cases (${cases.length - valid} invalid, ${valid} valid) in ${Math.round(performance.now() - started)} ms: ${summarize(cases)}\n`,
    );
    expect(failures.slice(0, 25), `seed ${seed}: ${failures.length} of ${cases.length} cases failed (replay: FUZZ_SEED=${seed})`).toEqual([]);
    expect(cases.length).toBeGreaterThan(2000);
  }, 300_000); // 8 s on a quiet machine, 42 s under load: more than 2,000 cases

  it('is refused by the real CLI with exit 2, one message and no file touched (a sample of every category)', async () => {
    // `plan` starts fastest; `validate` and the run (`--project`) load more of the engine.
    const commands = [['validate', '--project', PROJECT], ['--project', PROJECT], ['plan', '--project', PROJECT], ['plan', '--project', PROJECT]];
    const sample = pickSample(cases.filter((c) => !c.valid), CLI_CASES).map((c) => ({
      c,
      args: c.kind === 'project' ? ['readiness', '--project', PROJECT] : rng.pick(commands),
    }));
    const slots: FuzzWorkspace[] = [makeFuzzWorkspace(), makeFuzzWorkspace(), makeFuzzWorkspace()];
    const failures: string[] = [];
    await mapLimit(sample, slots.length, async ({ c, args }, slot) => {
      const ws = slots[slot]!;
      resetFiles(ws);
      writeFileSync(ws.files[c.kind], c.content);
      const before = Object.values(ws.files).map(fileHash);
      const r = await runCliAsync(args, { cwd: ws.root, timeoutMs: 30_000 });
      const where = `${c.kind}/${c.category} ${c.what} (${args.join(' ')})`;
      const message = r.stderr.replace(/^autonomous-loop: /, '').replace(/\n$/, '');
      const problem =
        r.timedOut ? 'did not finish in 30 s'
        : r.code !== 2 ? `exit ${r.code}: ${r.stderr.slice(0, 300)}`
        : !r.stderr.startsWith('autonomous-loop: ') || r.stderr.split('autonomous-loop:').length !== 2 ? `not one message: ${r.stderr.slice(0, 300)}`
        : r.stdout !== '' ? `printed to stdout: ${r.stdout.slice(0, 200)}`
        : Object.values(ws.files).map(fileHash).join() !== before.join() ? 'a file changed'
        : existsSync(path.join(ws.root, '.aibrain')) ? '.aibrain/ was created'
        : describeMessageProblem(message, [path.relative(ws.root, ws.files[c.kind]), ws.files[c.kind]], c.expect);
      if (problem) failures.push(`${where}: ${problem}`);
    });
    process.stdout.write(`fuzz seed ${seed}: ${sample.length} CLI cases: ${summarize(sample.map((s) => s.c))}\n`);
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(sample.length).toBe(CLI_CASES);
  }, 300_000);

  it('never lets a version or task text reach a shell', () => {
    const ws = makeWorkspace();
    const marker = (n: number | string): string => path.join(ws, `pwned-${n}`);
    const shellTexts = (n: number): string[] => [
      `$(touch ${marker(`${n}a`)})`,
      `\`touch ${marker(`${n}b`)}\``,
      `; touch ${marker(`${n}c`)}`,
      `&& touch ${marker(`${n}d`)} || touch ${marker(`${n}e`)}`,
      `| tee ${marker(`${n}f`)}`,
      `> ${marker(`${n}g`)}`,
      `\n touch ${marker(`${n}h`)}`,
    ];
    const recorder = path.join(ws, 'record.mjs');
    writeFileSync(
      recorder,
      [
        "import { readFileSync, writeFileSync } from 'node:fs';",
        'const input = readFileSync(0, "utf8");',
        'writeFileSync(process.env.AUTONOMOUS_LOOP_TASK_ID + ".json", JSON.stringify({ argv: process.argv.slice(2), input }));',
        'console.log("<promise>" + process.env.AUTONOMOUS_LOOP_PROMISE + "</promise>");',
      ].join('\n'),
    );
    const contractDir = path.join(ws, 'governance', 'contracts');
    mkdirSync(contractDir, { recursive: true });
    writeFileSync(
      path.join(contractDir, 'operator-team.yaml'),
      VALID_CONTRACT.replace(
        '  noop: {max_iterations: 1}',
        `  shelly: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(recorder)}], prompt: argument, max_iterations: 1}`,
      ),
    );
    const args = shellTexts(1);
    const description = shellTexts(2).join(' ');
    const tasks = [
      { id: 'OWN-COMMAND', agent_type: 'command', description, title: shellTexts(3).join(''), version: '1.0.0', command: [process.execPath, recorder, ...args], max_iterations: 1 },
      { id: 'CONTRACT-COMMAND', agent_type: 'shelly', description, notes: shellTexts(4), completion_promise: `done $(touch ${marker('promise')})` },
    ];
    const queueText = `${JSON.stringify({ project: PROJECT, features: tasks }, null, 2)}\n`;
    const queueFile = path.join(ws, 'tasks', `work_queue_${PROJECT}.json`);
    writeFileSync(queueFile, queueText);
    const run = runCli(['--project', PROJECT, '--non-interactive'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const own = JSON.parse(readFileSync(path.join(ws, 'OWN-COMMAND.json'), 'utf8')) as { argv: string[]; input: string };
    expect(own).toEqual({ argv: args, input: description });
    const viaContract = JSON.parse(readFileSync(path.join(ws, 'CONTRACT-COMMAND.json'), 'utf8')) as { argv: string[]; input: string };
    expect(viaContract.argv).toEqual([description]);

    // Versions a shell would act on are refused when the queue is loaded: nothing runs, nothing is written.
    const bad = makeWorkspace();
    const versions = [...SHELL_VERSIONS.map((v) => v.replaceAll('pwned', path.join(bad, 'pwned'))), `$(touch ${path.join(bad, 'pwned-v')})`, `\`touch ${path.join(bad, 'pwned-w')}\``];
    const badTasks = versions.map((version, i) => ({ id: `DEPLOY-${i}`, agent_type: i % 2 ? 'command' : 'deployment', environment: 'dev', version, command: [process.execPath, recorder] }));
    const badText = `${JSON.stringify({ features: badTasks }, null, 2)}\n`;
    const badFile = path.join(bad, 'tasks', `work_queue_${PROJECT}.json`);
    writeFileSync(badFile, badText);
    for (const cli of [['--project', PROJECT], ['validate', '--project', PROJECT]]) {
      const r = runCli(cli, { cwd: bad });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.match(/\.version: /g)).toHaveLength(versions.length);
      expect(r.stderr).not.toMatch(/this is a bug|^\s*at /m);
    }
    expect(readFileSync(badFile, 'utf8')).toBe(badText);
    expect(existsSync(path.join(bad, '.aibrain'))).toBe(false);
    for (const dir of [ws, bad]) expect(readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });
});

/** Invalid cases from every kind and category in turn, at most `limit`, at most two of 10 MB. */
function pickSample(invalid: readonly FuzzCase[], limit: number): FuzzCase[] {
  const groups = new Map<string, FuzzCase[]>();
  for (const c of invalid) {
    const key = `${c.kind}/${c.category}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const pools = [...groups.values()].map((g) => rng.shuffle(g));
  const sample: FuzzCase[] = [];
  let huge = 0;
  while (sample.length < limit && pools.some((p) => p.length > 0)) {
    for (const pool of pools) {
      const c = pool.pop();
      if (!c || sample.length >= limit) continue;
      if (c.content.length >= TEN_MB && huge++ >= 2) continue;
      sample.push(c);
    }
  }
  return sample;
}
