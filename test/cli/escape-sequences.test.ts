import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { neutraliseControls } from '../../src/log/terminal-text.js';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

// Issue 19: escape sequences printed by an agent reach no terminal raw — not the live view, not
// just before the R/O/A prompt, not `status`, `logs`, `history`, nor piped or --json output.

afterEach(() => {
  killPtys();
  removeWorkspaces();
});

// Ten payloads, none of which the CLI ever writes itself.
const PAYLOADS: [string, string][] = [
  ['screen clear', '\x1b[2J'],
  ['OSC 52 clipboard write', '\x1b]52;c;ZWNobyBwd25lZA==\x07'],
  ['OSC 8 link', '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\'],
  ['OSC 0 window title', '\x1b]0;owned\x07'],
  ['cursor position', '\x1b[10;10H'],
  ['full reset (RIS)', '\x1bc'],
  ['C1 CSI clear', '\u009b2J'],
  ['DCS string', '\x1bPq#0;2;0;0;0\x1b\\'],
  ['alternate screen', '\x1b[?1049h'],
  ['device status report (answers into the input)', '\x1b[6n'],
];
// What must not be in any output: each payload's opening, raw.
const RAW = PAYLOADS.map(([name, p]): [string, string] => [name, p.slice(0, p.startsWith('\u009b') ? 3 : 4)]);
const rawFound = (text: string): string[] => RAW.filter(([, r]) => text.includes(r)).map(([name]) => name);

const AGENT = `
const payloads = ${JSON.stringify(PAYLOADS.map(([, p]) => p))};
for (const p of payloads) console.log('agent says ' + p + ' then more');
console.log('\\x1b[31mred is fine\\x1b[0m');
console.log('<verdict>BLOCKED: ' + payloads.join(' ') + '</verdict>');
`;

describe('neutraliseControls', () => {
  it('keeps SGR colour and line ends, shows every other control as text', () => {
    expect(neutraliseControls('\x1b[1;31mred\x1b[0m\r\n\tok')).toBe('\x1b[1;31mred\x1b[0m\r\n\tok');
    for (const [name, p] of PAYLOADS) expect(rawFound(neutraliseControls(`x${p}y`)), name).toEqual([]);
    expect(neutraliseControls('a\rb\x07\x1b')).toBe('a\\u000db\\u0007\\u001b');
    expect(neutraliseControls('\u202eevil')).toBe('\\u202eevil');
  });
});

describe('escape sequences from agents', () => {
  it('reach no terminal raw: live view, R/O/A prompt, status, logs, history, pipes, --json', async () => {
    const ws = makeWorkspace();
    writeFileSync(path.join(ws, 'agent.cjs'), AGENT);
    writeQueue(ws, 'p', { features: [{ id: 'ESC', description: 'prints escapes', agent_type: 'command', command: [process.execPath, path.join(ws, 'agent.cjs')], max_iterations: 1 }] });
    const pty = startCliInPty(['--project', 'p', '--by', 'ana'], { cwd: ws });
    await pty.expect('(R)evert / (O)verride / (A)bort?', 90_000);
    pty.send('a\r');
    await pty.exited;
    const screens: [string, string][] = [['run in a terminal', pty.raw()]];
    expect(pty.screen()).toContain('agent says');
    for (const args of [['status', '--project', 'p'], ['logs', 'ESC', '--project', 'p'], ['history', '--project', 'p']]) {
      const view = startCliInPty(args, { cwd: ws });
      await view.exited;
      screens.push([`${args[0]} in a terminal`, view.raw()]);
    }
    for (const args of [['status', '--project', 'p'], ['status', '--project', 'p', '--json'], ['logs', 'ESC', '--project', 'p'], ['history', '--project', 'p'], ['history', '--project', 'p', '--json']]) {
      const r = runCli(args, { cwd: ws });
      screens.push([`${args.join(' ')} piped`, r.stdout + r.stderr]);
      if (args.includes('--json')) expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
    expect(screens.find(([w]) => w === 'logs in a terminal')![1]).toContain('agent says');
    const found = screens.flatMap(([where, text]) => rawFound(text).map((name) => `${name} in ${where}`));
    console.log(`escape payloads: ${PAYLOADS.length} payloads, ${screens.length} outputs captured; ${found.length} reached raw`);
    expect(found).toEqual([]);
    expect(pty.raw()).toContain('\x1b[31mred is fine\x1b[0m');
  }, 240_000);
});
