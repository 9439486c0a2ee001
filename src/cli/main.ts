#!/usr/bin/env node
import { LoopError } from '../errors.js';
import { buildProgram } from './program.js';

// The only place errors become exit codes. process.exitCode, never process.exit(): logs and the
// state store flush on the way out.
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof LoopError) {
    process.stderr.write(`autonomous-loop: ${error.message}\n`);
    return error.exitCode;
  }
  const commanderCode = (error as { code?: string; exitCode?: number }).code;
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    // commander has printed its message already
    const code = (error as { exitCode?: number }).exitCode ?? 2;
    return code === 0 ? 0 : 2;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`autonomous-loop: this is a bug, please report it with what you ran:\n${stack}\n`);
  return 70;
}

await main(process.argv);
