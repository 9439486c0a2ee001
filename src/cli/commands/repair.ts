import { repairRecords } from '../../records/repair-records.js';
import { resolveWorkspace } from '../../workspace/paths.js';

/** `repair`: the records brought back in line with state.db (or state.db rebuilt from them). */
export async function repairCommand(opts: { root: string; json?: boolean }): Promise<void> {
  const done = await repairRecords(resolveWorkspace(opts.root));
  if (opts.json) process.stdout.write(`${JSON.stringify({ repaired: done })}\n`);
  else for (const line of done) process.stdout.write(`${line}\n`);
}
