import { ExitCode, LoopError } from '../../errors.js';
import { migrateSchema, schemaStatus } from '../../state/schema-status.js';
import { resolveWorkspace } from '../../workspace/paths.js';

/** `db status`: which store, its schema migrations applied and pending. */
export async function dbStatusCommand(opts: { root?: string; json?: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root ?? process.cwd());
  const status = await schemaStatus(ws.stateDb);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  } else {
    const lines = [`store: ${status.store} ${status.location}`];
    for (const m of status.applied) lines.push(`  applied  ${m.name}`);
    for (const m of status.pending) lines.push(`  pending  ${m.name}`);
    if (status.unknown.length > 0) lines.push(`  newer than this autonomous-loop: migration ${status.unknown.join(', ')}`);
    if (status.pending.length > 0) lines.push(`run 'autonomous-loop db migrate' (or any command that opens the store) to apply them`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (status.unknown.length > 0) process.exitCode = ExitCode.storageFailed;
}

/** `db migrate`: applies the pending schema migrations under the store's lock. */
export async function dbMigrateCommand(opts: { root?: string; json?: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root ?? process.cwd());
  const status = await schemaStatus(ws.stateDb);
  if (status.unknown.length > 0) throw new LoopError(`${status.location}: its schema is newer than this autonomous-loop knows (migration ${status.unknown.join(', ')}); upgrade autonomous-loop`, ExitCode.storageFailed);
  const applied = await migrateSchema(ws.stateDb);
  if (opts.json) process.stdout.write(`${JSON.stringify({ store: status.store, location: status.location, applied })}\n`);
  else process.stdout.write(applied.length > 0 ? `${status.location}: applied ${applied.join(', ')}\n` : `${status.location}: up to date\n`);
}
