import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideTask } from '../../src/engine/decide-task.js';
import { decisionPayload } from '../../src/engine/decision-payload.js';
import { buildSignedPayload } from '../../src/gates/signed-approval.js';
import { chainHash } from '../../src/state/store.js';
import { makeKeys, removeKeys, startAgent, writeSignedContract, type Agent, type Keys } from '../helpers/ssh-keys.js';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { withStateDb } from '../helpers/state-db.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, writeQueue, readDecisions } from '../helpers/workspace.js';

// Issue 24, part 1: verified approvers. Real ed25519 keys made with ssh-keygen, a real ssh-agent,
// the real CLI; every forged approval the issue names is refused, or named by history --verify.

let keys: Keys;
let agent: Agent;

beforeAll(() => {
  keys = makeKeys(['ana', 'bo', 'eve']);
  agent = startAgent(keys.dir);
  agent.add(keys.key('ana'));
});

afterAll(() => {
  agent.stop();
  removeKeys(keys);
});

afterEach(removeWorkspaces);

const TASK = 'DEPLOY-PROD-001';
const decisions = readDecisions;
const statuses = (file: string): string[] => readJson(file).features.map((t: { status?: string }) => t.status);

/** A production task stopped at its gate (the subject is stored), in a workspace whose contract needs signatures there. */
function gatedWorkspace(): { ws: string; queue: string } {
  const ws = makeWorkspace();
  writeSignedContract(ws, [
    { name: 'ana', pub: keys.pub('ana') },
    { name: 'bo', pub: keys.pub('bo') },
  ]);
  const queue = writeQueue(ws, 'shop', { features: [{ id: TASK, agent_type: 'noop', environment: 'production', version: '1.2.0' }] });
  const r = runCli(['--project', 'shop'], { cwd: ws });
  expect(r.code, r.stdout + r.stderr).toBe(3);
  return { ws, queue };
}

const approve = (ws: string, extra: string[], env: Record<string, string> = agent.env) => runCli(['approve', TASK, '--project', 'shop', '--by', 'ana', ...extra], { cwd: ws, env });

/** ssh-keygen -Y sign, as a person would run it by hand. */
function signByHand(payload: string, key: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-Y', 'sign', '-n', 'autonomous-loop', '-f', key], { input: payload, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('verified approvers', () => {
  it('the engine writes allowed_signers from the contract: each keyed approver, our namespace only', () => {
    const { ws } = gatedWorkspace();
    const text = readFileSync(path.join(ws, '.aibrain', 'allowed_signers'), 'utf8');
    expect(text).toContain(`ana namespaces="autonomous-loop" ${keys.pub('ana')}\n`);
    expect(text).toContain(`bo namespaces="autonomous-loop" ${keys.pub('bo')}\n`);
  });

  it('approve --sign: signed with the key ssh-agent holds for ana, verified, kept with the decision; the run goes on', () => {
    const { ws, queue } = gatedWorkspace();
    const r = approve(ws, ['--sign']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/approved DEPLOY-PROD-001 by ana \(subject [0-9a-f]+, signed with SHA256:/);
    const [d] = decisions(ws);
    expect(d).toMatchObject({ decision: 'approve', by: 'ana', environment: 'production', version: '1.2.0' });
    expect(d!.signature.signature).toMatch(/^-----BEGIN SSH SIGNATURE-----/);
    const signed = JSON.parse(String(d!.signature.payload).split('\n')[1]!);
    expect(signed).toMatchObject({ decision: 'approve', by: 'ana', project: 'shop', task: TASK, environment: 'production', version: '1.2.0', fingerprint: d!.fingerprint });
    expect(signed.nonce).toMatch(/^[0-9a-f]{32}$/);
    // the signature column of the row says the same
    const column = withStateDb(ws, (db) => (db.prepare('SELECT signature FROM decisions').get() as { signature: string }).signature);
    expect(JSON.parse(column)).toEqual(d!.signature);
    const run = runCli(['--project', 'shop'], { cwd: ws });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(statuses(queue)).toEqual(['complete']);
    const verify = runCli(['history', '--verify'], { cwd: ws });
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain('1 signed decision(s) verify');
  });

  it('--key PATH signs with that key file (no agent needed)', () => {
    const { ws } = gatedWorkspace();
    const r = runCli(['approve', TASK, '--project', 'shop', '--by', 'bo', '--key', keys.key('bo')], { cwd: ws, env: { SSH_AUTH_SOCK: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(decisions(ws)[0]).toMatchObject({ by: 'bo', signature: { key: expect.stringMatching(/^SHA256:/) } });
  });
});

describe('signed elsewhere (the console): decisionPayload, then the signature given back', () => {
  it('the command shown signs the exact payload; given back, the approval is recorded with it', async () => {
    const { ws } = gatedWorkspace();
    const shown = await decisionPayload(ws, 'shop', TASK, 'approve', 'ana');
    expect(shown.required).toBe(true);
    expect(shown.command).toMatch(/^printf '%s\\n' '.*' \| ssh-keygen -Y sign -n autonomous-loop -f ~\/\.ssh\/id_ed25519$/s);
    const r = spawnSync('bash', ['-c', shown.command.replace('~/.ssh/id_ed25519', keys.key('ana'))], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const result = await decideTask(ws, 'shop', TASK, 'approve', 'ana', 'from the console', { signature: { given: { payload: shown.payload, signature: r.stdout } } });
    expect(result).toMatchObject({ recorded: true, signed_with: expect.stringMatching(/^SHA256:/) });
    expect(decisions(ws)[0]).toMatchObject({ by: 'ana', reason: 'from the console', signature: { payload: shown.payload } });
  });
});

describe('forged approvals', () => {
  it('an unverified approval where verification is required: refused with one line that says how to sign; nothing recorded', () => {
    const { ws, queue } = gatedWorkspace();
    const r = approve(ws, []);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('verified_approvals: a decision in production must be signed');
    expect(r.stderr).toContain(`'autonomous-loop approve ${TASK} --project shop --by ana --sign'`);
    expect(decisions(ws)).toEqual([]);
    expect(statuses(queue)).toEqual(['awaiting_approval']);
  });

  it('--by ana typed by someone else (their agent holds eve’s key, not ana’s): refused', () => {
    const { ws } = gatedWorkspace();
    const eves = startAgent(keys.dir);
    try {
      eves.add(keys.key('eve'));
      const r = approve(ws, ['--sign'], eves.env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('cannot sign the decision as ana');
      // eve's key file given as ana's
      const k = approve(ws, ['--key', keys.key('eve')], eves.env);
      expect(k.code).toBe(2);
      expect(k.stderr).toMatch(/the signature is refused: not ana's key in the contract's approvers/);
      // no agent at all
      const none = approve(ws, ['--sign'], { SSH_AUTH_SOCK: '' });
      expect(none.code).toBe(2);
      expect(decisions(ws)).toEqual([]);
    } finally {
      eves.stop();
    }
  });

  it('a signature by a key not in allowed_signers, and one over another fingerprint: refused (the console’s path: payload and signature given)', async () => {
    const { ws } = gatedWorkspace();
    const subject = withStateDb(ws, (db) => db.prepare('SELECT fingerprint FROM gate_subjects').get() as { fingerprint: string });
    const fields = { decision: 'approve', by: 'ana', project: 'shop', task: TASK, environment: 'production', version: '1.2.0', fingerprint: subject.fingerprint };
    const right = buildSignedPayload(fields);
    await expect(decideTask(ws, 'shop', TASK, 'approve', 'ana', undefined, { signature: { given: { payload: right, signature: signByHand(right, keys.key('eve')) } } })).rejects.toThrow(/not ana's key in the contract's approvers/);
    const other = buildSignedPayload({ ...fields, fingerprint: '0123456789abcdef' });
    await expect(decideTask(ws, 'shop', TASK, 'approve', 'ana', undefined, { signature: { given: { payload: other, signature: signByHand(other, keys.key('ana')) } } })).rejects.toThrow(
      /over another decision \(signed fingerprint "0123456789abcdef", but the decision's is "[0-9a-f]+"\)/,
    );
    // ana's signature over the payload, but with the text changed after signing
    const tampered = right.replace('1.2.0', '1.2.1');
    await expect(decideTask(ws, 'shop', TASK, 'approve', 'ana', undefined, { signature: { given: { payload: tampered, signature: signByHand(right, keys.key('ana')) } } })).rejects.toThrow(/over another decision/);
    const old = buildSignedPayload({ ...fields, time: new Date(Date.now() - 2 * 3600_000).toISOString() });
    await expect(decideTask(ws, 'shop', TASK, 'approve', 'ana', undefined, { signature: { given: { payload: old, signature: signByHand(old, keys.key('ana')) } } })).rejects.toThrow(/more than 60 minutes ago: sign again/);
    expect(decisions(ws)).toEqual([]);
    // the right one holds, once: the same signature again is a replay
    const sig = signByHand(right, keys.key('ana'));
    await expect(decideTask(ws, 'shop', TASK, 'approve', 'ana', undefined, { signature: { given: { payload: right, signature: sig } } })).resolves.toMatchObject({ recorded: true, signed_with: expect.stringMatching(/^SHA256:/) });
    await expect(decideTask(ws, 'shop', TASK, 'approve', 'ana', undefined, { signature: { given: { payload: right, signature: sig } } })).rejects.toThrow(/was used by a decision already/);
  });

  it('an unsigned approval (given before the contract asked for signatures, or written in by hand) is not used by the run', () => {
    const { ws, queue } = gatedWorkspace();
    // ana approves unsigned while the contract does not need it, then the contract needs it
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }], '');
    expect(approve(ws, []).code).toBe(0);
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }]);
    const r = runCli(['--project', 'shop'], { cwd: ws });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('the approval by ana does not hold: verified_approvals needs a valid signature, and it carries no signature');
    expect(statuses(queue)).toEqual(['awaiting_approval']);
    const verify = runCli(['history', '--verify'], { cwd: ws });
    expect(verify.code).toBe(0); // the chain holds: the loop wrote it, before signatures were asked for
    expect(verify.stdout).toMatch(/note: 1 approval\(s\) in verified_approvals environments carry no signature .*: (?:state\.db|the state database \S+) decisions row 1 \(id /);
  });

  it('a decision edited in decisions.jsonl, or in state (its chain recomputed too): history --verify names it', () => {
    const { ws } = gatedWorkspace();
    expect(approve(ws, ['--sign']).code).toBe(0);
    const file = path.join(ws, '.aibrain', 'decisions.jsonl');
    const line = readFileSync(file, 'utf8');
    writeFileSync(file, line.replace('"version":"1.2.0"', '"version":"1.3.0"'));
    const edited = runCli(['history', '--verify'], { cwd: ws });
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/decisions\.jsonl line 1 \(id [^)]+\): the record no longer says what was signed \(signed version "1\.2\.0", but the decision's is "1\.3\.0"\): edited in the file/);
    writeFileSync(file, line);
    expect(runCli(['history', '--verify'], { cwd: ws }).code).toBe(0);

    // in the database: ana's approval made bo's, and the chain link recomputed so the chain holds
    withStateDb(ws, (db) => {
      const row = db.prepare('SELECT seq, id, record FROM decisions').get() as { seq: number; id: string; record: string };
      const record = row.record.replace('"by":"ana"', '"by":"bo"');
      db.prepare('UPDATE decisions SET record = ?, chain = ? WHERE seq = ?').run(record, chainHash('', row.id, record), row.seq);
    });
    const db = runCli(['history', '--verify'], { cwd: ws });
    expect(db.code).toBe(1);
    expect(db.stdout).not.toContain('does not match its chain');
    expect(db.stdout).toMatch(/(?:state\.db|the state database \S+) decisions row 1 \(id [^)]+\): the record no longer says what was signed \(signed by "ana", but the decision's is "bo"\): edited in the database/);

    // the signature taken off the record (and its column) in the database: the file line still has it
    withStateDb(ws, (d) => {
      const row = d.prepare('SELECT seq, id, record FROM decisions').get() as { seq: number; id: string; record: string };
      const { signature: _gone, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const record = JSON.stringify(rest);
      d.prepare('UPDATE decisions SET record = ?, chain = ?, signature = NULL WHERE seq = ?').run(record, chainHash('', row.id, record), row.seq);
    });
    const stripped = runCli(['history', '--verify'], { cwd: ws });
    expect(stripped.code).toBe(1);
    expect(stripped.stdout).toMatch(/decisions\.jsonl line 1 \(id [^)]+\): differs from (?:state\.db|the state database \S+)/);
  });
});

describe('an override in a verified environment', () => {
  it('unsigned: refused with how to sign; signed: recorded, and the next run lets the blocked iteration pass', { timeout: 240_000 }, () => {
    const ws = makeWorkspace();
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }]);
    const queue = writeQueue(ws, 'shop', { features: [nodeTask('MIGRATE-PROD', 'blocked.mjs', { environment: 'production', version: '1.2.0' })] });
    const run = (): ReturnType<typeof runCli> => runCli(['--project', 'shop', '--non-interactive'], { cwd: ws });
    expect(run().code).toBe(3);
    expect(runCli(['approve', 'MIGRATE-PROD', '--project', 'shop', '--by', 'ana', '--sign'], { cwd: ws, env: agent.env }).code).toBe(0);
    expect(run().code).toBe(1);
    expect(statuses(queue)).toEqual(['blocked']);
    const unsigned = runCli(['override', 'MIGRATE-PROD', '--project', 'shop', '--by', 'ana', '--reason', 'the users table is a copy'], { cwd: ws, env: agent.env });
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain("verified_approvals: a decision in production must be signed by an approver's key; sign it:");
    const signed = runCli(['override', 'MIGRATE-PROD', '--project', 'shop', '--by', 'ana', '--reason', 'the users table is a copy', '--sign'], { cwd: ws, env: agent.env });
    expect(signed.code, signed.stderr).toBe(0);
    expect(decisions(ws).at(-1)).toMatchObject({ decision: 'override', by: 'ana', signature: { key: expect.stringMatching(/^SHA256:/) } });
    // a new attempt of a production task asks again: approved (signed), it runs with the override
    expect(run().code).toBe(3);
    expect(runCli(['approve', 'MIGRATE-PROD', '--project', 'shop', '--by', 'ana', '--sign'], { cwd: ws, env: agent.env }).code).toBe(0);
    const last = run();
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(statuses(queue)).toEqual(['complete']);
    expect(runCli(['history', '--verify'], { cwd: ws }).stdout).toContain('3 signed decision(s) verify');
  });
});

describe('a production rollback request approved from another shell', () => {
  it('unsigned: refused; signed: recorded with the signature over its target', () => {
    const { ws } = gatedWorkspace();
    const id = 'ROLLBACK-production-1.1.0';
    const unsigned = runCli(['approve', id, '--project', 'shop', '--by', 'ana'], { cwd: ws, env: agent.env });
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain(`sign it: 'autonomous-loop approve ${id} --project shop --by ana --sign'`);
    const signed = runCli(['approve', id, '--project', 'shop', '--by', 'ana', '--sign'], { cwd: ws, env: agent.env });
    expect(signed.code, signed.stderr).toBe(0);
    const [d] = decisions(ws);
    expect(d).toMatchObject({ task_id: id, fingerprint: 'rollback:production:1.1.0', signature: { key: expect.stringMatching(/^SHA256:/) } });
    expect(JSON.parse(String(d!.signature.payload).split('\n')[1]!)).toMatchObject({ task: id, environment: 'production', version: '1.1.0', fingerprint: 'rollback:production:1.1.0' });
  });
});

describe('the contract', () => {
  it('verified_approvals with no keyed approver, a key that is not one line, a name that is a pattern: bad input, exit 2', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { features: [{ id: TASK, agent_type: 'noop', environment: 'production', version: '1.2.0' }] });
    writeSignedContract(ws, [{ name: 'ana' }]);
    const none = runCli(['validate', '--project', 'shop'], { cwd: ws });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('verified_approvals: [production] needs approvers with an ssh_key');
    writeSignedContract(ws, [{ name: 'a*', pub: keys.pub('ana') }]);
    const star = runCli(['validate', '--project', 'shop'], { cwd: ws });
    expect(star.code).toBe(2);
    expect(star.stderr).toContain("approvers.0.name: 'a*' cannot name a signer");
    writeSignedContract(ws, [{ name: 'ana', pub: 'not a key' }]);
    const bad = runCli(['validate', '--project', 'shop'], { cwd: ws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('approvers.0.ssh_key: expected one OpenSSH public key line');
    expect(existsSync(path.join(ws, '.aibrain', 'state.db'))).toBe(false);
  });
});

describe('the terminal prompt in a verified environment', () => {
  afterEach(killPtys);

  it('y signs with the key ssh-agent holds for the approver; without it, nothing is approved and the task waits', async () => {
    const ws = makeWorkspace();
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }]);
    const queue = writeQueue(ws, 'shop', { features: [{ id: TASK, agent_type: 'noop', environment: 'production', version: '1.2.0' }] });
    const eves = startAgent(keys.dir);
    try {
      eves.add(keys.key('eve'));
      const refused = startCliInPty(['--project', 'shop', '--by', 'ana'], { cwd: ws, env: eves.env });
      await refused.expect('PRODUCTION DEPLOYMENT APPROVAL REQUIRED');
      await refused.expect('(y/N)');
      refused.send('y\r');
      expect(await refused.exited).toBe(3);
      expect(refused.screen()).toContain('not approved: DEPLOY-PROD-001: cannot sign the decision as ana');
      expect(decisions(ws)).toEqual([]);
      expect(statuses(queue)).toEqual(['awaiting_approval']);
    } finally {
      eves.stop();
    }
    const pty = startCliInPty(['--project', 'shop', '--by', 'ana'], { cwd: ws, env: agent.env });
    await pty.expect('(y/N)');
    pty.send('y\r');
    expect(await pty.exited).toBe(0);
    expect(statuses(queue)).toEqual(['complete']);
    const [d] = decisions(ws);
    expect(d).toMatchObject({ decision: 'approve', by: 'ana', signature: { key: expect.stringMatching(/^SHA256:/) } });
    expect(runCli(['history', '--verify'], { cwd: ws }).code).toBe(0);
  });
});
