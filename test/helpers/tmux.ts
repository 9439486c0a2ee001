import { execFileSync, spawnSync } from 'node:child_process';
import { storeEnv } from './test-store.js';
import { alive, cliPath } from './workspace.js';

const sessions = new Set<string>();
let count = 0;
// A tmux server of the test process's own: the machine's other tmux users are never touched.
const socket = ['-L', `al-test-${process.pid}`];
/** tmux on the tests' own socket (a second shell: `tmux(['new-window', ...])`). */
export const tmux = (args: string[]): string => execFileSync('tmux', [...socket, ...args], { encoding: 'utf8' });

/** Every process under `pid` (its children, theirs, …), read from ps. */
function descendants(pid: number): number[] {
  const rows = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of rows) if (ppid === parent && child !== undefined) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

/**
 * Ends every tmux session a test started (a failed expectation, say), and waits until the CLI
 * under each has ended: a run that saves its queue file as it goes (on SIGHUP) must not be
 * writing into the workspace the test removes next.
 */
export function killTmuxSessions(): void {
  const pids: number[] = [];
  for (const s of sessions) {
    const panes = spawnSync('tmux', [...socket, 'list-panes', '-t', s, '-F', '#{pane_pid}'], { encoding: 'utf8' }).stdout ?? '';
    for (const pane of panes.split('\n').filter(Boolean).map(Number)) pids.push(pane, ...descendants(pane));
    spawnSync('tmux', [...socket, 'kill-session', '-t', s]);
  }
  sessions.clear();
  const deadline = Date.now() + 10_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(alive) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 50);
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

/**
 * The real CLI in a real terminal (tmux, 160×50), read as a person reads it: what the screen
 * shows now (capture-pane), never the byte stream. Keys are sent only after the screen shows what
 * they answer.
 */
export function startCliInTmux(args: string[], options: { cwd: string; env?: Record<string, string>; width?: number }) {
  const name = `al-test-${process.pid}-${++count}`;
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const env = Object.entries({ TERM: 'xterm-256color', ...storeEnv(options.cwd, options.env), ...options.env }).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
  const command = `cd ${quote(options.cwd)} && env -u CI -u VITEST_JSON_REPORT ${env} ${[process.execPath, cliPath, ...args].map(quote).join(' ')}; echo EXIT=$?; sleep 120`;
  execFileSync('tmux', [...socket, 'new-session', '-d', '-s', name, '-x', String(options.width ?? 160), '-y', '50', command]);
  sessions.add(name);
  const screen = (): string => {
    const r = spawnSync('tmux', [...socket, 'capture-pane', '-t', name, '-p', '-S', '-500'], { encoding: 'utf8' });
    return r.stdout.replace(/\n+$/, '');
  };
  const wait = async (test: () => boolean, what: string, timeoutMs = 30_000): Promise<void> => {
    const start = Date.now();
    while (!test()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; the screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    screen,
    /** Waits until the screen shows `text` (a string or a pattern). */
    expect: (text: string | RegExp, timeoutMs?: number) => wait(() => (typeof text === 'string' ? screen().includes(text) : text.test(screen())), String(text), timeoutMs),
    /** tmux key names: 'o', 'Enter', 'C-c', or literal text. */
    send: (...keys: string[]) => void execFileSync('tmux', [...socket, 'send-keys', '-t', name, ...keys]),
    type: (text: string) => void execFileSync('tmux', [...socket, 'send-keys', '-t', name, '-l', text]),
    /** The exit code, once the command has ended. */
    exited: async (timeoutMs = 60_000): Promise<number> => {
      await wait(() => /EXIT=\d+/.test(screen()), 'the command to exit', timeoutMs);
      return Number(/EXIT=(\d+)/.exec(screen())?.[1]);
    },
  };
}
