import { repairRecords } from '../../records/repair-records.js';
import { resolveWorkspace } from '../../workspace/paths.js';

/** `repair`: the records brought back in line with state.db (or state.db rebuilt from them). */
export async function repairCommand(opts: { root: string }): Promise<void> {
  for (const line of repairRecords(resolveWorkspace(opts.root))) process.stdout.write(`${line}\n`);
}
