import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsole, type RunningConsole } from '../../src/console/serve-console.js';
import { repoRoot, runCli } from '../helpers/workspace.js';

/** Debian's chromium (.ci/run installs it), driven by playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** The shipped contract with these approvers (and whatever else `edit` changes). */
export function writeContract(root: string, approvers: string[], edit: (yaml: string) => string = (y) => y): void {
  const shipped = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  mkdirSync(path.join(root, 'governance', 'contracts'), { recursive: true });
  writeFileSync(path.join(root, 'governance', 'contracts', 'operator-team.yaml'), edit(shipped.replace(/^approvers: \[\]$/m, `approvers: [${approvers.join(', ')}]`)));
}

/** `token create --for person` through the real CLI: the token it printed once. */
export function createToken(root: string, person: string): string {
  const r = runCli(['token', 'create', '--for', person, '--json'], { cwd: root });
  if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

export async function startTestConsole(root: string): Promise<RunningConsole> {
  return startConsole({ root, host: '127.0.0.1', port: 0 });
}

export async function logIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForURL(`${base}/`), page.click('form.login button[type=submit]')]);
}

/** Where screenshots go (looked at by a person while building; kept out of the repository). */
export function screenshotPath(name: string): string {
  const dir = process.env.CONSOLE_SCREENSHOTS ?? path.join(repoRoot, 'dist', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
