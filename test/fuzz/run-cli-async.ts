import { spawn } from 'node:child_process';
import { cliPath, type CliResult } from '../helpers/workspace.js';

/** The real CLI in a child process, like runCli, but without blocking: several run at once. */
export function runCliAsync(args: string[], options: { cwd: string; timeoutMs?: number }): Promise<CliResult & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Runs `work` over `items`, at most `limit` at a time, in item order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, slot: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async (_, slot) => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T, slot);
      }
    }),
  );
  return results;
}
