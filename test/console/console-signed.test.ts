import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedPayload } from '../../src/gates/signed-approval.js';
import { makeKeys, removeKeys, writeSignedContract, type Keys } from '../helpers/ssh-keys.js';
import { withStateDb } from '../helpers/state-db.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, writeQueue, readDecisions } from '../helpers/workspace.js';
import { createToken, launchBrowser, logIn, screenshotPath, startTestConsole } from './console-helpers.js';

// Issue 24: "a production approval in a verified_approvals environment needs the signature (the
// page shows the exact signing command for the subject and takes the signature)". Real ed25519 keys
// made by ssh-keygen, each person's in their own HOME; the command the page shows is run unchanged
// in bash, as the person would in a shell; the signature is pasted into the page in chromium.

let keys: Keys;

beforeAll(() => {
  keys = makeKeys(['ana', 'eve']);
  // Each person's home, with their key where the shown command looks for it (~/.ssh/id_ed25519).
  for (const who of ['ana', 'eve']) {
    mkdirSync(path.join(keys.dir, 'home', who, '.ssh'), { recursive: true });
    const key = path.join(keys.dir, 'home', who, '.ssh', 'id_ed25519');
    copyFileSync(keys.key(who), key);
    chmodSync(key, 0o600);
  }
});

afterAll(() => removeKeys(keys));
afterEach(removeWorkspaces);

const TASK = 'DEPLOY-PROD-001';

/** Runs the command the page shows, in bash, in `who`'s home: what ssh-keygen printed (the armored signature). */
function runAs(who: string, command: string): string {
  const r = spawnSync('bash', ['-c', command], { env: { HOME: path.join(keys.dir, 'home', who), PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^-----BEGIN SSH SIGNATURE-----\n[\s\S]+-----END SSH SIGNATURE-----\n$/);
  return r.stdout;
}

function signByHand(who: string, payload: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-Y', 'sign', '-n', 'autonomous-loop', '-f', keys.key(who)], { input: payload, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const decisions = readDecisions;

/** Opens the gate page: the signing command and the payload it carries back. */
async function openGate(page: Page, base: string): Promise<{ command: string; payload: string }> {
  await page.goto(`${base}/projects/shop/tasks/${TASK}/gate`);
  const command = await page.locator('form.decide-approve pre.sign-command').innerText();
  const payload = await page.locator('form.decide-approve input[name=payload]').inputValue();
  return { command, payload };
}

/** Pastes the signature and submits the approval: the status of the answer and its page's text. */
async function submit(page: Page, signature: string, comment: string): Promise<{ status: number; text: string }> {
  await page.fill('form.decide-approve textarea[name=signature]', signature);
  await page.fill('form.decide-approve input[name=comment]', comment);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/tasks/${TASK}/decide`) && r.request().method() === 'POST'),
    page.click('form.decide-approve button[type=submit]'),
  ]);
  await page.waitForLoadState();
  return { status: response.status(), text: await page.locator('main').innerText() };
}

describe('the console in a verified_approvals environment: the page shows the signing command and takes the signature', () => {
  it('ana signs the payload shown with ssh-keygen, pastes it: recorded with the signature, naming her; eve’s key, or a signature over another payload: refused (403)', { timeout: 180_000 }, async () => {
    const ws = makeWorkspace();
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }]);
    const queue = writeQueue(ws, 'shop', { features: [{ id: TASK, agent_type: 'noop', environment: 'production', version: '1.2.0' }] });
    const stopped = runCli(['--project', 'shop'], { cwd: ws });
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(3); // waits at the production gate
    const token = createToken(ws, 'ana');
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      await logIn(page, console_.url, token);

      // The page shows the exact command for this subject: the payload it signs is the hidden field's.
      const first = await openGate(page, console_.url);
      await page.screenshot({ path: screenshotPath('gate-sign'), fullPage: true });
      const subject = withStateDb(ws, (db) => db.prepare('SELECT fingerprint FROM gate_subjects').get() as { fingerprint: string });
      expect(first.command).toMatch(/^printf '%s\\n' '.*' \| ssh-keygen -Y sign -n autonomous-loop -f ~\/\.ssh\/id_ed25519$/s);
      expect(first.command).toContain(first.payload.trim().split('\n')[1]);
      expect(JSON.parse(first.payload.trim().split('\n')[1] ?? '')).toMatchObject({ decision: 'approve', by: 'ana', project: 'shop', task: TASK, environment: 'production', version: '1.2.0', fingerprint: subject.fingerprint });
      expect(await page.locator('pre.sign-payload').textContent()).toBe(first.payload);

      // Eve runs the shown command with her key and pastes it into ana's session: not ana's key.
      const byEve = await submit(page, runAs('eve', first.command), 'eve tries');
      await page.screenshot({ path: screenshotPath('gate-sign-refused'), fullPage: true });
      expect(byEve.status).toBe(403);
      expect(await page.locator('#message').innerText()).toMatch(/^DEPLOY-PROD-001: the signature is refused: not ana's key in the contract's approvers \(allowed_signers\)/);

      // Ana's own signature, but over another payload (an earlier page's: another nonce and time): refused.
      const earlier = runAs('ana', first.command);
      const second = await openGate(page, console_.url);
      expect(second.payload).not.toBe(first.payload);
      const overOther = await submit(page, earlier, 'an old signature');
      expect(overOther.status).toBe(403);
      expect(await page.locator('#message').innerText()).toMatch(/the signature is refused: not ana's key .* or not over this payload/);

      // The hidden field changed to a payload over another fingerprint, which ana signed: refused.
      await openGate(page, console_.url);
      const other = buildSignedPayload({ decision: 'approve', by: 'ana', project: 'shop', task: TASK, environment: 'production', version: '1.2.0', fingerprint: '0123456789abcdef' });
      await page.locator('form.decide-approve input[name=payload]').evaluate((el, v) => ((el as unknown as { value: string }).value = v), other);
      const otherSubject = await submit(page, signByHand('ana', other), 'another subject');
      expect(otherSubject.status).toBe(403);
      expect(await page.locator('#message').innerText()).toContain('it is over another decision (signed fingerprint "0123456789abcdef"');

      // No signature at all (a hand-made POST: the page's textarea is required): refused, nothing recorded.
      const csrf = await page.locator('form.logout input[name=_csrf]').inputValue();
      const unsigned = await page.request.post(`${console_.url}/projects/shop/tasks/${TASK}/decide`, { form: { _csrf: csrf, decision: 'approve', payload: first.payload }, headers: { origin: console_.url } });
      expect(unsigned.status()).toBe(400);
      expect(await unsigned.text()).toContain('no signature: run the command the gate page shows');
      expect(decisions(ws)).toEqual([]);
      expect(readJson(queue).features[0].status).toBe('awaiting_approval');

      // Ana runs the command the page shows, as written, and pastes what it printed: approved, signed, named.
      const shown = await openGate(page, console_.url);
      const signature = runAs('ana', shown.command);
      const ok = await submit(page, signature, 'signed from the console');
      await page.screenshot({ path: screenshotPath('gate-signed-approved'), fullPage: true });
      expect(ok.status).toBe(303); // to the task page, which says what was decided
      expect(await page.locator('#result').innerText()).toMatch(/^approved DEPLOY-PROD-001 by ana \(subject [0-9a-f]{12,}/);
      const recorded = decisions(ws);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ task_id: TASK, decision: 'approve', by: 'ana', reason: 'signed from the console', environment: 'production', signature: { payload: shown.payload, signature } });
      // Every recorded signature verifies; the run uses the signed approval and deploys.
      const verify = runCli(['history', '--verify', '--project', 'shop'], { cwd: ws });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      const run = runCli(['--project', 'shop'], { cwd: ws });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(readJson(queue).features[0].status).toBe('complete');
    } finally {
      await browser.close();
      await console_.close();
    }
  });

  it('a production rollback request from the environments page: refused to a non-approver; approved by ana with her signature over ROLLBACK-production-1.0.0; eve’s key refused', { timeout: 180_000 }, async () => {
    const ws = makeWorkspace();
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }]);
    writeQueue(ws, 'shop', { features: [{ id: TASK, agent_type: 'noop', environment: 'production', version: '1.2.0' }] });
    const anaToken = createToken(ws, 'ana');
    const bobToken = createToken(ws, 'bob');
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    const request = async (page: Page): Promise<string> => {
      await page.goto(`${console_.url}/projects/shop/environments`);
      await page.selectOption('form.rollback-request select[name=env]', 'production');
      await page.fill('form.rollback-request input[name=to]', '1.0.0');
      await Promise.all([page.waitForURL(/\/rollback\?/), page.click('form.rollback-request button[type=submit]')]);
      return page.locator('h1').innerText();
    };
    try {
      const bob = await (await browser.newContext()).newPage();
      await logIn(bob, console_.url, bobToken);
      expect(await request(bob)).toBe('Roll back production to 1.0.0');
      expect(await bob.locator('form.decide-rollback').count()).toBe(0);
      expect(await bob.locator('.refused').innerText()).toContain("may not roll back production");
      const bobCsrf = await bob.locator('form.logout input[name=_csrf]').inputValue();
      const forged = await bob.request.post(`${console_.url}/projects/shop/rollback`, { form: { _csrf: bobCsrf, env: 'production', to: '1.0.0', comment: 'mine' }, headers: { origin: console_.url } });
      expect(forged.status()).toBe(403);

      const page = await (await browser.newContext()).newPage();
      await logIn(page, console_.url, anaToken);
      await request(page);
      const command = await page.locator('form.decide-rollback pre.sign-command').innerText();
      const payload = await page.locator('form.decide-rollback input[name=payload]').inputValue();
      expect(JSON.parse(payload.trim().split('\n')[1] ?? '')).toMatchObject({ decision: 'approve', by: 'ana', task: 'ROLLBACK-production-1.0.0', environment: 'production', version: '1.0.0', fingerprint: 'rollback:production:1.0.0' });
      const send = async (signature: string): Promise<number> => {
        await page.fill('form.decide-rollback textarea[name=signature]', signature);
        await page.fill('form.decide-rollback input[name=comment]', '1.2.0 loses orders');
        const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/projects/shop/rollback') && r.request().method() === 'POST'), page.click('form.decide-rollback button[type=submit]')]);
        await page.waitForLoadState();
        return response.status();
      };
      expect(await send(runAs('eve', command))).toBe(403);
      expect(await page.locator('#message').innerText()).toContain("the signature is refused: not ana's key");
      expect(decisions(ws)).toEqual([]);
      await request(page);
      const shown = await page.locator('form.decide-rollback pre.sign-command').innerText();
      const signature = runAs('ana', shown);
      expect(await send(signature)).toBe(200);
      await page.screenshot({ path: screenshotPath('rollback-requested'), fullPage: true });
      expect(await page.locator('#result').innerText()).toMatch(/^approved ROLLBACK-production-1\.0\.0 by ana: the rollback of production to 1\.0\.0 may run: 'autonomous-loop rollback .* --env production --to 1\.0\.0' runs it \(once\)/);
      expect(decisions(ws)).toEqual([expect.objectContaining({ task_id: 'ROLLBACK-production-1.0.0', decision: 'approve', by: 'ana', os_user: 'console:ana', reason: '1.2.0 loses orders', environment: 'production', signature: expect.objectContaining({ signature }) })]);
      const verify = runCli(['history', '--verify', '--project', 'shop'], { cwd: ws });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    } finally {
      await browser.close();
      await console_.close();
    }
  });

  it('an override of a task blocked in production: the page shows the command for the override’s payload; ana’s pasted signature is recorded with it', { timeout: 240_000 }, async () => {
    const ws = makeWorkspace();
    writeSignedContract(ws, [{ name: 'ana', pub: keys.pub('ana') }]);
    const queue = writeQueue(ws, 'shop', { features: [nodeTask('MIGRATE-PROD', 'blocked.mjs', { environment: 'production', version: '1.2.0' })] });
    const run = (): ReturnType<typeof runCli> => runCli(['--project', 'shop', '--non-interactive'], { cwd: ws });
    expect(run().code).toBe(3);
    expect(runCli(['approve', 'MIGRATE-PROD', '--project', 'shop', '--by', 'ana', '--key', keys.key('ana')], { cwd: ws }).code).toBe(0);
    expect(run().code).toBe(1);
    expect(readJson(queue).features[0].status).toBe('blocked');
    const token = createToken(ws, 'ana');
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await logIn(page, console_.url, token);
      await page.goto(`${console_.url}/projects/shop/tasks/MIGRATE-PROD/gate`);
      const command = await page.locator('form.decide-override pre.sign-command').innerText();
      const payload = await page.locator('form.decide-override input[name=payload]').inputValue();
      expect(JSON.parse(payload.trim().split('\n')[1] ?? '')).toMatchObject({ decision: 'override', by: 'ana', task: 'MIGRATE-PROD', fingerprint: expect.stringMatching(/^override:/) });
      const signature = runAs('ana', command);
      await page.fill('form.decide-override textarea[name=signature]', signature);
      await page.fill('form.decide-override input[name=reason]', 'the users table is a copy');
      await Promise.all([page.waitForURL(/\/tasks\/MIGRATE-PROD$/), page.click('form.decide-override button[type=submit]')]);
      expect(await page.locator('#result').innerText()).toMatch(/^overridden MIGRATE-PROD by ana/);
      expect(decisions(ws).at(-1)).toMatchObject({ decision: 'override', by: 'ana', reason: 'the users table is a copy', signature: { payload, signature } });
    } finally {
      await browser.close();
      await console_.close();
    }
  });
});
