#!/usr/bin/env node
import { LoopError } from '../errors.js';
import { buildProgram } from './program.js';
import { readVersion, suggest } from './resolve-target.js';
import { guardTerminalOutput } from './terminal-guard.js';

// The only place errors become exit codes. process.exitCode, never process.exit(): logs and the
// state store flush on the way out.
async function main(argv: string[]): Promise<void> {
  // Every byte written from here on passes the one output sanitiser (log/terminal-text.ts).
  guardTerminalOutput();
  const words = argv.slice(2);
  const json = words.includes('--json');
  if (words.length === 1 && (words[0] === '-v' || words[0] === 'version')) {
    process.stdout.write(`${readVersion()}\n`);
    return;
  }
  const program = buildProgram();
  if (words[0] === '__complete') {
    (await import('./commands/completion.js')).completeWords(program, words.slice(1));
    return;
  }
  if (json) program.configureOutput({ writeErr: () => true, outputError: () => undefined });
  // A reader that stops reading (`| head`) is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  if (words.length === 0) {
    // Nothing said: what it is and how to start, on stderr, and exit 2 (the project is missing).
    program.configureOutput({ writeOut: (s) => process.stderr.write(s) }).outputHelp();
    process.stderr.write(`\nautonomous-loop: which project? try 'autonomous-loop --project <project>' (or 'autonomous-loop init --project <name>' to start)\n`);
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, { json, command: commandOf(program, words), commands: program.commands.map((c) => c.name()) });
  }
}

export function reportError(error: unknown, how: { json: boolean; command?: string; commands?: string[] } = { json: false }): number {
  const help = `autonomous-loop ${how.command ? `${how.command} ` : ''}--help`;
  if (error instanceof LoopError) {
    const message = error.message;
    if (how.json) return printJsonError(error.name, message, error.exitCode);
    // The message says what to do (the command to try, the file to fix): one block, no stack.
    process.stderr.write(`autonomous-loop: ${message}\n`);
    return error.exitCode;
  }
  const { code, exitCode, message } = error as { code?: string; exitCode?: number; message?: string };
  if (typeof code === 'string' && code.startsWith('commander.')) {
    const status = exitCode === 0 ? 0 : 2;
    if (status === 0) return 0; // --help, --version
    let text = (message ?? '').replace(/^error: /, '');
    const extra = /^too many arguments for 'run'/.test(text) ? /'run'\. Expected 0 arguments but got \d+\./.exec(text) : null;
    if (extra) text = unknownCommandMessage(process.argv.slice(2), how.commands ?? []);
    if (how.json) return printJsonError(code, text, status);
    process.stderr.write(`autonomous-loop: ${text.trimEnd()}\nsee '${extra ? 'autonomous-loop --help' : help}'\n`);
    return status;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (how.json) return printJsonError('bug', stack, 70);
  process.stderr.write(`autonomous-loop: this is a bug, please report it with what you ran:\n${stack}\n`);
  return 70;
}

// The default command takes no words: a word there is a command mistyped.
function unknownCommandMessage(words: string[], commands: string[]): string {
  const word = words.find((w) => !w.startsWith('-') && !commands.includes(w)) ?? words[0] ?? '';
  const near = suggest(word, commands.filter((c) => !c.startsWith('__')));
  return `unknown command '${word}'${near ? ` (did you mean '${near}'?)` : ''}`;
}

function printJsonError(code: string, message: string, exitCode: number): number {
  process.stdout.write(`${JSON.stringify({ error: { code, exit_code: exitCode, message } })}\n`);
  return exitCode;
}

function commandOf(program: { commands: readonly { name(): string }[] }, words: string[]): string | undefined {
  const names = new Set(program.commands.map((c) => c.name()));
  return words.find((w) => names.has(w));
}

await main(process.argv);
