import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/workspace.js';

const FAKE = path.join(repoRoot, 'test', 'fixtures', 'coding-clis', 'fake-cli.mjs');

/** A bin folder holding fake coding CLIs under their real names, and the env that puts it first on PATH. */
export function installFakeClis(dir: string, names: string[] = ['claude', 'codex', 'gemini', 'aider']): { bin: string; state: string; env: (scenario: string) => Record<string, string> } {
  const bin = path.join(dir, 'fake-bin');
  const state = path.join(dir, 'fake-state');
  mkdirSync(bin, { recursive: true });
  mkdirSync(state, { recursive: true });
  for (const name of names) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!${process.execPath}\nimport(${JSON.stringify(FAKE)});\n`);
    chmodSync(file, 0o755);
  }
  return { bin, state, env: (scenario) => ({ PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_STATE: state, FAKE_SCENARIO: scenario }) };
}

export interface FakeCall {
  name: string;
  call: number;
  args: string[];
  prompt: string;
  lastError: string | null;
  task: string;
}

export function fakeCalls(state: string): FakeCall[] {
  const file = path.join(state, 'calls.jsonl');
  if (!existsSync(file)) return [];
  // Read while a fake CLI appends: a line is a call once its newline is written (made, or half written, is not yet).
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.slice(0, -1).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as FakeCall);
}
