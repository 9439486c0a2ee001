import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoPorts, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { readJson, repoRoot, startCli, waitFor } from '../helpers/workspace.js';
import { createToken, launchBrowser, logIn, screenshotPath, startTestConsole, writeContract } from './console-helpers.js';

afterEach(removeDemoWorkspaces);

// The README's demo, approved from a browser: the run waits at production (--wait), the page
// shows the cascade live, ana approves on the gate page, the run goes on at once.
describe('the console with the demo cascade', () => {
  it('shows staging and production live, approves production from the page; the run goes on within 1 s; the decision names the person', async () => {
    const ws = makeTempWorkspace('al-console-');
    writeDemoProject(ws, 'demo', await demoPorts());
    copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo.json'), path.join(ws.tasksDir, 'work_queue_demo.json'));
    writeContract(ws.root, ['ana']);
    const token = createToken(ws.root, 'ana');
    const console_ = await startTestConsole(ws.root);
    const browser = await launchBrowser();
    let run: ReturnType<typeof startCli> | undefined;
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await logIn(page, console_.url, token);
      await page.goto(`${console_.url}/projects/demo`);
      await page.locator('.live', { hasText: 'live' }).waitFor();
      // Every status the open page shows, as the events change it (no reload).
      // (A string: the tests are typechecked without the DOM's types.)
      await page.evaluate(`(() => {
        const seen = (window.seen = []);
        new MutationObserver(() => {
          document.querySelectorAll('[data-task]').forEach((row) => seen.push(row.getAttribute('data-task') + '=' + row.querySelector('.status')?.textContent));
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      run = startCli(['--project', 'demo', '--yes', '--non-interactive', '--wait', '--json'], { cwd: ws.root });
      const prodStatus = page.locator('[data-task="DEPLOY-PROD-001"] .status');
      await prodStatus.filter({ hasText: 'awaiting_approval' }).waitFor({ timeout: 120_000 });
      const seen = (await page.evaluate('window.seen')) as string[];
      expect(seen).toContain('DEPLOY-STAGING-001=in_progress');
      expect(seen).toContain('DEPLOY-STAGING-001=complete');
      await page.screenshot({ path: screenshotPath('demo-queue-waiting'), fullPage: true });

      await page.goto(`${console_.url}/projects/demo/tasks/DEPLOY-PROD-001/gate`);
      const box = await page.locator('pre.box').innerText();
      expect(box).toContain('PRODUCTION DEPLOYMENT APPROVAL REQUIRED');
      expect(box).toMatch(/staging passed 1\.1\.0 at .* \(DEPLOY-STAGING-001/);
      expect(box).toContain('Pre-flight:');
      await page.screenshot({ path: screenshotPath('demo-gate'), fullPage: true });
      await page.fill('form.decide-approve input[name=comment]', 'checked the dashboards');
      await waitFor(() => run!.output().includes('"run:waiting"'), 30_000, 'the run to wait for a person');
      const before = run.output().length;
      const clicked = Date.now();
      await page.click('form.decide-approve button[type=submit]');
      await page.locator('#result').waitFor({ timeout: 30_000 });
      const answeredMs = Date.now() - clicked;
      expect(await page.locator('#result').innerText()).toMatch(/^approved DEPLOY-PROD-001 by ana \(subject [0-9a-f]{12,}/);
      await page.screenshot({ path: screenshotPath('demo-approved'), fullPage: true });
      expect(await run.exited).toBe(0);
      await page.goto(`${console_.url}/projects/demo`);
      // Every wave finished: each is one line, the queue's counts say it.
      expect(await page.locator('[data-wave="all"] [data-count="complete"]').innerText()).toBe('3');

      const decisions = readFileSync(ws.decisionsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const approval = decisions.at(-1) as { timestamp: string };
      expect(approval).toMatchObject({ task_id: 'DEPLOY-PROD-001', decision: 'approve', by: 'ana', reason: 'checked the dashboards', environment: 'production' });
      // The run goes on within a second of the approval: its next event (the queue it re-read, then the task's start), by the run's own clock.
      const events = run.output().slice(before).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { time: string; event: string; taskId?: string });
      const started = events.find((e) => e.event === 'task:start' && e.taskId === 'DEPLOY-PROD-001');
      expect(started).toBeDefined();
      const wentOnMs = Date.parse(events[0]?.time ?? '') - Date.parse(approval.timestamp);
      const startedMs = Date.parse(started?.time ?? '') - Date.parse(approval.timestamp);
      expect(wentOnMs).toBeLessThan(1000);
      const records = readJson(ws.deploymentsFile).deployments as Record<string, unknown>[];
      expect(records.at(-1)).toMatchObject({ environment: 'production', status: 'success', approved_by: 'ana' });
      await page.goto(`${console_.url}/projects/demo/environments`);
      expect(await page.locator('.env-production').innerText()).toContain('1.1.0');
      await page.screenshot({ path: screenshotPath('demo-environments'), fullPage: true });
      process.stdout.write(`console: click → page answered ${answeredMs} ms; approval recorded → the run's next event ${wentOnMs} ms, → task:start ${startedMs} ms\n`);
    } finally {
      run?.kill('SIGINT');
      await run?.exited;
      await browser.close();
      await console_.close();
    }
  }, 240_000);
});
