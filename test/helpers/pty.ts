import { spawn } from 'node:child_process';
import { storeEnv } from './test-store.js';
import { cliPath } from './workspace.js';

const open = new Set<{ kill(): void }>();

/** Stops every pseudo-terminal a test left open (a failed expectation, say). */
export function killPtys(): void {
  for (const p of open) p.kill();
  open.clear();
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r/g;

/** The real CLI in a pseudo-terminal (util-linux `script`), answered like a person would. */
export function startCliInPty(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const quoted = [process.execPath, cliPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm', COLUMNS: '120', LINES: '50', ...storeEnv(options.cwd, options.env), ...options.env };
  delete env.CI;
  delete env.VITEST_JSON_REPORT;
  const child = spawn('script', ['-qfec', `stty cols 120 rows 50; exec ${quoted}`, '/dev/null'], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
  child.stderr.on('data', (d: Buffer) => (raw += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const screen = (): string => raw.replace(ANSI, '');
  let mark = 0;
  const handle = { kill: () => child.kill('SIGKILL') };
  open.add(handle);
  void exited.then(() => open.delete(handle));
  return {
    screen,
    /** Every byte the terminal received, escape sequences and all. */
    raw: (): string => raw,
    exited,
    /** Waits for text to appear after what was already matched. */
    async expect(text: string | RegExp, timeoutMs = 20_000): Promise<void> {
      const start = Date.now();
      for (;;) {
        const s = screen();
        const rest = s.slice(mark);
        const idx = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        if (idx !== -1) {
          mark += idx + 1;
          return;
        }
        if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${String(text)}; screen:\n${s.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    },
    send(keys: string): void {
      child.stdin.write(keys);
    },
    kill(): void {
      child.kill('SIGKILL');
    },
  };
}
