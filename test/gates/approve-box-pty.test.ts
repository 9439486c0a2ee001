import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(() => {
  killPtys();
  removeWorkspaces();
});

const decisions = (ws: string): Record<string, unknown>[] =>
  existsSync(path.join(ws, '.aibrain', 'decisions.jsonl'))
    ? readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    : [];

describe('approve from another shell', () => {
  it('prints the box the run shows at the gate and asks to confirm; no: nothing recorded; yes: approved', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { project: 'shop', features: [{ id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'production', version: '1.2.0', requires_approval: true }] });
    expect(runCli(['--project', 'shop', '--non-interactive'], { cwd: ws }).code).toBe(3);

    const no = startCliInPty(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws });
    await no.expect('PRODUCTION DEPLOYMENT APPROVAL REQUIRED');
    for (const text of ['Environment:  PRODUCTION', 'Version:      1.2.0', 'production always needs a person', 'the task requires approval']) expect(no.screen()).toContain(text);
    await no.expect('Approve DEPLOY-PROD-001 as shown, as ana? (y/N)');
    no.send('n\r');
    expect(await no.exited).toBe(4);
    expect(no.screen()).toContain('nothing recorded: DEPLOY-PROD-001 not approved');
    expect(decisions(ws)).toEqual([]);

    const yes = startCliInPty(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws });
    await yes.expect('(y/N)');
    yes.send('y\r');
    expect(await yes.exited).toBe(0);
    expect(decisions(ws).map((d) => [d.decision, d.by])).toEqual([['approve', 'ana']]);
  });

  it('--yes skips the box and the question (scripts)', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { project: 'shop', features: [{ id: 'G', agent_type: 'noop', environment: 'production', version: '1.2.0' }] });
    expect(runCli(['--project', 'shop', '--non-interactive'], { cwd: ws }).code).toBe(3);
    const pty = startCliInPty(['approve', 'G', '--project', 'shop', '--by', 'ana', '--yes'], { cwd: ws });
    expect(await pty.exited).toBe(0);
    expect(pty.screen()).not.toContain('APPROVAL REQUIRED');
    expect(decisions(ws).map((d) => d.decision)).toEqual(['approve']);
  });
});
