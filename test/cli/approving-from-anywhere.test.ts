import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, makeWorkspace, removeWorkspaces, repoRoot } from '../helpers/workspace.js';

afterAll(removeWorkspaces);

/** The lines of the first sh block of a README section (`## heading`, up to the next `## `): signing; the console's blocks have their own test. */
function sectionBlock(heading: string): string[] {
  const text = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  const section = text.slice(start, end < 0 ? undefined : end);
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((l) => l.trim() !== '');
}

describe("the README's 'Approving from anywhere', run as written (doc test)", () => {
  it('every line runs in order in one shell, in a fresh folder, with the exit code it states (real ssh-keygen and ssh-agent)', { timeout: 240_000 }, () => {
    const ws = makeWorkspace();
    const bin = path.join(ws, '.bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'autonomous-loop'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"\n`);
    chmodSync(path.join(bin, 'autonomous-loop'), 0o755);
    const lines = sectionBlock('## Approving from anywhere');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    // One shell, as a person would type them: the agent started by one line signs for the next.
    const script = [
      "trap 'ssh-agent -k >/dev/null 2>&1' EXIT", // the agent the block starts is stopped whatever happens
      ...lines.flatMap((line, i) => {
        const expected = Number(/#.*\(exit (\d+)\)/.exec(line)?.[1] ?? 0);
        return [line, `rc=$?; echo "@@ ${i} $rc"; [ $rc -eq ${expected} ] || exit 99`];
      }),
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: ws, env: { ...process.env, CI: '1', PATH: `${bin}:${process.env.PATH ?? ''}`, SSH_AUTH_SOCK: '', SSH_AGENT_PID: '' }, encoding: 'utf8', timeout: 200_000 });
    const ran = [...r.stdout.matchAll(/^@@ (\d+) (\d+)$/gm)].map((m) => [lines[Number(m[1])], Number(m[2])]);
    expect({ code: r.status, last: ran.at(-1), stderr: r.status === 0 ? '' : r.stderr + r.stdout }).toEqual({ code: 0, last: [lines.at(-1), 0], stderr: '' });
    expect(ran).toHaveLength(lines.length);
    // what the lines say happened, happened
    expect(r.stdout).toMatch(/approved DEPLOY-PROD-001 by ana \(subject [0-9a-f]+, signed with SHA256:/);
    expect(r.stderr).toContain("verified_approvals: a decision in production must be signed by an approver's key; sign it: 'autonomous-loop approve DEPLOY-PROD-001 --project shop --by ana --sign'");
    expect(r.stdout).toContain("1 signed decision(s) verify with the approvers' keys");
    expect(readFileSync(path.join(ws, '.aibrain', 'allowed_signers'), 'utf8')).toMatch(/^ana namespaces="autonomous-loop" ssh-ed25519 /m);
  });
});
