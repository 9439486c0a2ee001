import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyDemoApp, demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { createRng } from '../fuzz/prng.js';
import { repoRoot, runCli, startCli, waitFor } from '../helpers/workspace.js';

afterAll(removeDemoWorkspaces);

// Issue 19's trial: random SIGKILLs of the real CLI during production deployments and production
// rollbacks of the demo service (real child processes: build, deploy, migrate, the service itself).
// After every attempt: exactly one record of it in deployments.json, a `success` record only when
// that version answers, and `status` true — it names the version that answers, or says UNKNOWN, or
// says that what answers differs from the record. Deterministic: seed 19 (PRODUCTION_KILLS_SEED).
// The suite runs 6 kills (the whole trial takes over 20 minutes on a loaded 2-core machine); the
// issue's 30 are `PRODUCTION_KILLS=30 npx vitest run test/faults/production-kills.test.ts`.

const KILLS = Number(process.env.PRODUCTION_KILLS ?? 6);
const SEED = Number(process.env.PRODUCTION_KILLS_SEED ?? 19);
const VERSIONS = ['1.0.0', '1.1.0'];

interface DeploymentRecord {
  id: string;
  kind?: string;
  task_id: string;
  environment: string;
  version: string;
  status: string;
}
interface EnvironmentStatus {
  environment: string;
  state: string;
  version: string | null;
  reason: string | null;
  differs?: boolean;
  live?: { state: string; detail: string };
}

describe('random SIGKILLs during production deployments and rollbacks', () => {
  it(`${KILLS} kills: one record per attempt, every success record answering, status true after each`, async () => {
    const ws = makeTempWorkspace('al-prod-kills-');
    const root = ws.root;
    const ports = await demoPorts();
    // the project's tests stand in as `node -e 0`: the trial is about the deploy, not the app's tests
    // a copy of the demo app: the approval binds the commit, and this repository's HEAD is not the trial's to move
    writeDemoProject(ws, 'demo', ports, (yaml) => yaml.replace(/test: \["\$\{NODE\}", "--test", "test\/"\]/, 'test: ["${NODE}", "-e", "0"]'), copyDemoApp(ws));
    const contract = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace('skip_staging_for: []', 'skip_staging_for: [demo]');
    mkdirSync(path.join(ws.governanceDir, 'contracts'), { recursive: true });
    writeFileSync(path.join(ws.governanceDir, 'contracts', 'operator-team.yaml'), contract);
    const cli = (args: string[], timeoutMs = 180_000) => runCli([...args, '--project', 'demo', '--root', root], { cwd: root, timeoutMs });
    const records = (): DeploymentRecord[] => {
      try {
        return (JSON.parse(readFileSync(ws.deploymentsFile, 'utf8')) as { deployments: DeploymentRecord[] }).deployments;
      } catch {
        return [];
      }
    };
    const production = (): EnvironmentStatus | undefined => {
      const out = cli(['status', '--json']);
      return (JSON.parse(out.stdout) as { environments: EnvironmentStatus[] }).environments.find((e) => e.environment === 'production');
    };
    const answering = async (): Promise<string | null> => {
      const r = await getJson(`http://127.0.0.1:${ports.production}/health`).catch(() => undefined);
      return r && r.status === 200 && typeof r.body === 'object' ? String((r.body as { version?: string }).version) : null;
    };

    const rng = createRng(SEED);
    const rows: string[] = [];
    const problems: string[] = [];
    let killedMidway = 0;
    let restores = 0;
    let state: EnvironmentStatus | undefined;
    // How long an attempt runs once started, learnt from each one that ended before its kill: the
    // kill lands within it, on a fast machine as on a loaded one (the seed picks where).
    const span = { deploy: 6000, rollback: 2500 };
    for (let k = 0; k < KILLS; k++) {
      if (state?.state === 'UNKNOWN' && /rollback/.test(state.reason ?? '')) {
        // a rollback cut off leaves production to a person, who restores it (not one of the attempts)
        const to = /to ([\d.]+)/.exec(state.reason ?? '')?.[1] ?? VERSIONS[0]!;
        expect(cli(['approve', `ROLLBACK-production-${to}`, '--by', 'ops']).code).toBe(0);
        const restored = cli(['rollback', '--env', 'production', '--to', to]);
        expect(restored.code, restored.stdout + restored.stderr).toBe(0);
        restores++;
      }
      const before = records();
      const good = [...new Set(before.filter((r) => r.environment === 'production' && r.status === 'success').map((r) => r.version))];
      const now = await answering();
      const rollback = good.some((v) => v !== now) && rng.chance(0.5);
      const delay = rng.int(rollback ? span.rollback : span.deploy);
      let attempt: string;
      let mine: (r: DeploymentRecord) => boolean;
      let child: ReturnType<typeof startCli>;
      let version: string;
      if (rollback) {
        version = good.find((v) => v !== now) ?? good[0]!;
        attempt = `rollback to ${version}`;
        mine = (r) => r.kind === 'rollback';
        expect(cli(['approve', `ROLLBACK-production-${version}`, '--by', 'ops']).code).toBe(0);
        child = startCli(['rollback', '--env', 'production', '--to', version, '--project', 'demo', '--root', root], { cwd: root });
        await waitFor(() => child.output().includes('approved by ops') || child.exitCode !== null, 60_000, 'the rollback to start');
      } else {
        version = VERSIONS.find((v) => v !== now) ?? VERSIONS[0]!;
        const id = `DEPLOY-PROD-${k + 1}`;
        attempt = `deploy ${version} (${id})`;
        mine = (r) => r.task_id === id;
        writeFileSync(
          path.join(root, 'tasks', 'work_queue_demo.json'),
          JSON.stringify({ project: 'demo', features: [{ id, agent_type: 'deployment', environment: 'production', version, run_migrations: true, migrations_path: 'migrations' }] }),
        );
        const gate = cli([]);
        expect(gate.code, gate.stdout + gate.stderr).toBe(3);
        expect(cli(['approve', id, '--by', 'ops']).code).toBe(0);
        child = startCli(['--project', 'demo', '--root', root], { cwd: root });
        await waitFor(() => child.output().includes(`deploying demo ${version} to production`) || child.exitCode !== null, 120_000, 'the deployment to start');
      }
      const started = Date.now();
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const code = await child.exited;
      clearTimeout(timer);
      const killed = code === null;
      if (!killed) span[rollback ? 'rollback' : 'deploy'] = Math.max(200, Date.now() - started);
      const last = child.output().trim().split('\n').at(-1)?.trim().slice(0, 70) ?? '';
      if (killed) killedMidway++;
      // the children the kill left behind (a deploy script) finish on their own; then the loop resumes
      await quiet(root);
      let resumed = '';
      if (!rollback) {
        const again = cli([]);
        resumed = ` resume exit ${again.code}`;
        await quiet(root);
      }
      const status = production();
      state = status;
      const after = records();
      const added = after.slice(before.length).filter(mine);
      const answer = await answering();
      const wrong: string[] = [];
      if (after.length !== before.length + 1 || added.length !== 1) wrong.push(`${after.length - before.length} record(s) added, ${added.length} of this attempt`);
      const record = added[0];
      if (record?.status === 'success' && record.version !== answer) wrong.push(`record says success ${record.version}, ${answer ?? 'nothing'} answers`);
      if (!status) wrong.push('status shows no production');
      else if (status.live === undefined) wrong.push('status did not ask the service');
      else if (status.state === 'healthy' && status.version !== answer && status.differs !== true) wrong.push(`status says ${status.version} healthy, ${answer ?? 'nothing'} answers, not flagged`);
      const row = `${k + 1}. ${attempt}: kill at ${delay} ms ${killed ? `mid-way (last said: ${last})` : `(already ended, exit ${code})`}${resumed}; record ${record ? `${record.kind ?? 'deployment'} ${record.version} ${record.status}` : 'none'}; status ${status?.state} ${status?.version ?? ''}${status?.differs ? ' (differs)' : ''}, answers ${answer ?? 'nothing'}${wrong.length ? ` — WRONG: ${wrong.join('; ')}` : ''}`;
      rows.push(row);
      if (wrong.length) problems.push(row);
    }
    const counts = records().reduce<Record<string, number>>((m, r) => ({ ...m, [`${r.kind ?? 'deployment'} ${r.status}`]: (m[`${r.kind ?? 'deployment'} ${r.status}`] ?? 0) + 1 }), {});
    console.log(`production kills: ${KILLS} attempts (seed ${SEED}): ${rows.filter((r) => / deploy /.test(r)).length} deployments, ${rows.filter((r) => / rollback /.test(r)).length} rollbacks; ${killedMidway} killed mid-way, ${KILLS - problems.length} true; ${restores} cut-off rollback(s) restored by a person between attempts\nrecords: ${JSON.stringify(counts)}\n${rows.join('\n')}`);
    expect(problems).toEqual([]);
    expect(killedMidway).toBeGreaterThanOrEqual(Math.floor(KILLS / 2));
  }, 3_600_000);
});

/** Waits until no process started for this workspace is left but the services (they live on by design). */
async function quiet(root: string): Promise<void> {
  const mine = (): number[] =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
      .filter((p) => {
        try {
          const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
          return !cmdline.includes('server.mjs') && readFileSync(`/proc/${p}/environ`, 'utf8').includes(root);
        } catch {
          return false;
        }
      })
      .map(Number);
  await waitFor(() => mine().length === 0, 60_000, `the processes of ${root} to end`);
}
