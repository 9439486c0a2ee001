// npm run bench:console: the web console over a queue of 10,000 tasks — how long the project page
// takes to load (server time + transfer, and in a real browser to the load event), and how long a
// status change in the store takes to reach an open page over Server-Sent Events.
// A benchmark, not a test: figures, no verdicts. Prints JSON lines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startConsole } from '../src/console/serve-console.js';
import { createConsoleToken } from '../src/gates/console-tokens.js';
import { openStore } from '../src/state/open-store.js';
import { generateQueue } from './generate-queue.js';

const size = Number(process.argv[2] ?? 10_000);
const rounds = 5;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const root = mkdtempSync(path.join(os.tmpdir(), 'al-console-bench-'));
try {
  mkdirSync(path.join(root, 'tasks'), { recursive: true });
  const queue = generateQueue(size, 'layered');
  queue.project = 'bench';
  // Half of it done, in the file and the store alike (as a run leaves them).
  queue.features.forEach((f, i) => {
    if (i < size / 2) f.status = 'complete';
  });
  writeFileSync(path.join(root, 'tasks', 'work_queue_bench.json'), JSON.stringify(queue, null, 2));
  const store = await openStore(path.join(root, '.aibrain', 'state.db'), { databaseUrl: undefined });
  await store.transaction(async (tx) => {
    for (let i = 0; i < size; i++) await tx.saveTask('bench', { task_id: `T${i}`, status: i < size / 2 ? 'complete' : 'pending', file_status: i < size / 2 ? 'complete' : 'pending', iterations: i < size / 2 ? 1 : 0, base_iteration: 0, last_error: null, reason: null });
  });
  const { token } = await createConsoleToken(store, 'ana');
  const console_ = await startConsole({ root, host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const page = await browser.newPage();
    await page.goto(`${console_.url}/login`);
    await page.fill('input[name=token]', token);
    await Promise.all([page.waitForURL(`${console_.url}/`), page.click('form.login button[type=submit]')]);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

    const server: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const r = await fetch(`${console_.url}/projects/bench`, { headers: { cookie } });
      bytes = (await r.text()).length;
      server.push(performance.now() - t0);
    }
    const browserLoad: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await page.goto(`${console_.url}/projects/bench`, { waitUntil: 'load' });
      browserLoad.push(performance.now() - t0);
    }
    console.log(JSON.stringify({ bench: 'project page', tasks: size, html_bytes: bytes, http_ms_median: Math.round(median(server)), browser_load_ms_median: Math.round(median(browserLoad)) }));

    await page.locator('.live', { hasText: 'live' }).waitFor();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `T${size / 2 + i}`; // in the first wave not finished: its rows are on the page
      const shown = page.locator(`[data-task="${id}"] .status`).filter({ hasText: 'in_progress' }).waitFor({ timeout: 10_000 });
      const t0 = performance.now();
      await store.saveTask('bench', { task_id: id, status: 'in_progress', file_status: 'pending', iterations: 1, base_iteration: 0, last_error: null, reason: null });
      await shown;
      delays.push(performance.now() - t0);
    }
    console.log(JSON.stringify({ bench: 'status change to an open page', tasks: size, changes: delays.length, ms_median: Math.round(median(delays)), ms_max: Math.round(Math.max(...delays)) }));
  } finally {
    await browser.close();
    await console_.close();
    await store.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
