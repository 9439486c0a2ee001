import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBin } from '../helpers/postgres-cluster.js';
import { freePort } from '../helpers/ports.js';
import { cliPath, repoRoot, waitFor } from '../helpers/workspace.js';

// Doc test: the README's "Several machines" section, every line of its sh block run in order in one
// bash shell (cd and export carry over, as they would for a person), with a tmux server and a home
// folder of the test's own. What the test changes: the port (5433 -> a free one), and as root
// initdb/pg_ctl run as the postgres user (PostgreSQL refuses root; the README says so).

function readmeBlocks(heading: string, lang: string): string[] {
  const text = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `README has a "${heading}" section`).toBeGreaterThan(0);
  const level = heading.split(' ')[0] ?? '##';
  const next = text.slice(start + heading.length + 2).search(new RegExp(`\\n#{1,${level.length}} `));
  const section = next < 0 ? text.slice(start) : text.slice(start, start + heading.length + 2 + next);
  return [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

/** One bash process: each line is written to it, then a marker with the line's exit code. */
function shell(cwd: string, env: Record<string, string>) {
  const bash: ChildProcessWithoutNullStreams = spawn('bash', ['--norc', '--noprofile'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  bash.stdout.on('data', (d: Buffer) => (out += d.toString()));
  bash.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let n = 0;
  return {
    async run(line: string, timeoutMs = 60_000): Promise<{ code: number; output: string }> {
      const marker = `__LINE_${++n}_EXIT=`;
      const from = out.length;
      bash.stdin.write(`${line}\necho "${marker}$?"\n`);
      await waitFor(() => out.slice(from).includes(marker), timeoutMs, `the line "${line}" to finish`);
      const text = out.slice(from);
      const at = text.indexOf(marker);
      return { code: Number(/^(\d+)/.exec(text.slice(at + marker.length))?.[1] ?? -1), output: text.slice(0, at) };
    },
    close(): void {
      bash.stdin.end();
      bash.kill('SIGKILL');
    },
  };
}

const folders: string[] = [];
let stopAll: (() => void) | undefined;
afterEach(() => {
  stopAll?.();
  stopAll = undefined;
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

describe("the README's Several machines section, run as written (doc test)", () => {
  it('PostgreSQL, two runners in two tmux panes with different labels, approve from a third shell: every line runs, both runners end 0', async () => {
    const [queue] = readmeBlocks('### Several machines', 'json');
    const [block] = readmeBlocks('### Several machines', 'sh');
    const lines = (block ?? '').split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(12);

    const home = mkdtempSync(path.join(os.tmpdir(), 'al-machines-'));
    folders.push(home);
    const bin = path.join(home, '.bin');
    mkdirSync(bin);
    mkdirSync(path.join(home, 'tmux'), { mode: 0o700 });
    writeFileSync(path.join(home, '.tmux.conf'), 'set -g remain-on-exit on\n'); // dead panes stay, to read how each runner ended
    writeFileSync(path.join(home, 'work_queue_shop.json'), queue ?? '');
    writeFileSync(path.join(bin, 'autonomous-loop'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`, { mode: 0o755 });
    const pgBin = path.dirname(findBin('initdb'));
    if (process.getuid?.() === 0) {
      chmodSync(home, 0o777);
      writeFileSync(path.join(bin, 'initdb'), `#!/bin/sh\nprev=\nfor a in "$@"; do [ "$prev" = "-D" ] && mkdir -p "$a" && chown postgres "$a"; prev=$a; done\nexec runuser -u postgres -- '${pgBin}/initdb' "$@"\n`, { mode: 0o755 });
      writeFileSync(path.join(bin, 'pg_ctl'), `#!/bin/sh\nexec runuser -u postgres -- '${pgBin}/pg_ctl' "$@"\n`, { mode: 0o755 });
    }
    const env: Record<string, string> = { ...(process.env as Record<string, string>), HOME: home, TMUX_TMPDIR: path.join(home, 'tmux'), PATH: `${bin}${path.delimiter}${pgBin}${path.delimiter}${process.env.PATH ?? ''}`, TERM: 'xterm-256color' };
    for (const k of ['CI', 'VITEST_JSON_REPORT', 'TMUX', 'AUTONOMOUS_LOOP_DATABASE_URL']) delete env[k];
    const tmux = (args: string[]) => spawnSync('tmux', args, { env, encoding: 'utf8' });
    const port = String(await freePort());
    const sh = shell(home, env);
    stopAll = () => {
      sh.close();
      tmux(['kill-server']);
      spawnSync(path.join(bin, 'pg_ctl'), ['-D', path.join(home, 'loop-pg'), '-m', 'immediate', '-w', 'stop'], { env });
    };
    const url = `postgres://loop@127.0.0.1:${port}/postgres`;
    const cli = (args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { cwd: path.join(home, 'a'), env: { ...env, AUTONOMOUS_LOOP_DATABASE_URL: url }, encoding: 'utf8' });
    const panes: string[] = ['', ''];
    const readPanes = (): void => {
      for (const i of [0, 1]) {
        const r = tmux(['capture-pane', '-p', '-t', `loop.${i}`, '-S', '-300']);
        if (r.status === 0 && r.stdout.trim()) panes[i] = r.stdout;
      }
    };
    const paneEnds = (): string[] => tmux(['list-panes', '-t', 'loop', '-F', '#{pane_dead} #{pane_dead_status}#{pane_dead_signal}']).stdout.split('\n').filter((l) => l !== ''); // not trim(): an unread status leaves "1 " and its space counts

    let statusLines = 0;
    for (const raw of lines) {
      const line = raw.replaceAll('5433', port);
      const words = line.trim().split(/\s+/);
      if (words[0] === 'autonomous-loop' && words[1] === 'status' && statusLines++ === 0) {
        // The third shell looks once the runners got where the README says: SHIP awaits approval.
        await waitFor(() => {
          readPanes();
          const r = cli(['status', '--project', 'shop', '--json']);
          const json = r.status === 0 ? (JSON.parse(r.stdout) as { tasks: { id: string; status: string }[]; runners: unknown[] }) : undefined;
          return json?.tasks.find((t) => t.id === 'SHIP')?.status === 'awaiting_approval' && json.runners.length === 2 && panes[1]!.includes('Approve SHIP?');
        }, 90_000, 'SHIP to await approval on runner B').catch((e: Error) => {
          throw new Error(`${e.message}\nstatus: ${cli(['status', '--project', 'shop']).stdout}\npane A:\n${panes[0]}\npane B:\n${panes[1]}`);
        });
      } else if (words[0] === 'autonomous-loop' && words[1] === 'status') {
        // After the approval: both runners end (their panes stay, dead).
        await waitFor(() => {
          readPanes();
          // Each pane dead (its terminal closed) and its run's last line on screen. tmux may leave a
          // pane's exit status unread when both runners end at the same moment (one SIGCHLD for two
          // children; tmux/tmux#4841): the run's own last line says its exit code either way.
          return paneEnds().every((p) => p.split(' ')[0] === '1') && panes.every((text) => /\(exit \d+\)/.test(text));
        }, 90_000, 'both runners to end').catch((e: Error) => {
          throw new Error(`${e.message}\npanes: ${paneEnds().join(' | ')}\nstatus: ${cli(['status', '--project', 'shop']).stdout}\npane A:\n${panes[0]}\npane B:\n${panes[1]}`);
        });
        readPanes();
      }
      const r = await sh.run(line, 120_000);
      expect({ line: raw, code: r.code, out: r.code === 0 ? '' : r.output }).toEqual({ line: raw, code: 0, out: '' });
      if (words[1] === 'status' && statusLines === 1) {
        expect(r.output).toMatch(/BUILD\s+complete/);
        expect(r.output).toMatch(/SHIP\s+awaiting_approval/);
        expect(r.output).toMatch(/labels build/);
        expect(r.output).toMatch(/labels prod/);
      }
      if (words[1] === 'status' && statusLines === 2) {
        expect(r.output).toMatch(/BUILD\s+complete/);
        expect(r.output).toMatch(/SHIP\s+complete/);
        expect(r.output).not.toMatch(/● /); // no runner alive
      }
      if (words[1] === 'approve') expect(r.output).toContain('approved SHIP by ana');
    }
    expect(statusLines).toBe(2);
    // Exit 0 by the run's last line, and by tmux wherever it read the status.
    for (const [i, end] of paneEnds().entries()) {
      expect(['1 ', '1', '1 0'].includes(end), `pane ${i}: ${end}\n${panes[i]}`).toBe(true);
      expect(panes[i], `pane ${i}`).toMatch(/: 2 complete \(exit 0\)/);
    }
    expect(panes[0]).toMatch(/BUILD complete/);
    expect(panes[1]).toMatch(/approved by ana from another shell/);
    expect(panes[1]).toMatch(/SHIP complete/);
    // An idle runner polls for hours: nothing may pile up while it waits (it leaked an abort listener a poll).
    for (const p of panes) expect(p).not.toMatch(/Warning/);
  }, 300_000);
});
