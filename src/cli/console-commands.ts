import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ autonomous-loop ${l}`).join('\n')}`;

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError(`'${value}' is not a port (0 to 65535; 0: any free port)`);
  return n;
}

/** The web console (`serve`) and the tokens people log in with (`token create|list|revoke`). */
export function addConsoleCommands(program: Command): void {
  program
    .command('serve')
    .description("the web console: projects, queues live, tasks, gates to approve, environments, decisions (people log in with 'token create' tokens)")
    .option('--port <port>', 'the port to listen on (0: any free port)', parsePort, 8080)
    .option('--host <host>', 'the address to listen on (only this machine by default)', '127.0.0.1')
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .action(async (opts) => (await import('./commands/serve.js')).serveCommand(opts))
    .addHelpText('after', examples(['serve', 'serve --port 8080 --host 0.0.0.0   # reachable from other machines: put TLS in front']));

  const token = program.command('token').description('console login tokens: one a person, kept hashed in the state store');
  token
    .command('create')
    .description('make a token for a person (shown once; give it to them)')
    .requiredOption('--for <name>', 'who the token logs in (as the contract names approvers)')
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/token.js')).tokenCreateCommand(opts))
    .addHelpText('after', examples(['token create --for ana']));
  token
    .command('list')
    .description('the tokens: id, person, made, last used, revoked (never the token)')
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/token.js')).tokenListCommand(opts))
    .addHelpText('after', examples(['token list', 'token list --json']));
  token
    .command('revoke <id>')
    .description("revoke a token (its id as 'token list' shows it); its sessions end")
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (id, opts) => (await import('./commands/token.js')).tokenRevokeCommand(id, opts))
    .addHelpText('after', examples(['token revoke 3f9a1c']));
}
