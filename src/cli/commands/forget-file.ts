import { forgetQueueFile } from '../../engine/forget-queue-file.js';
import { assertProjectName } from '../../workspace/paths.js';

/** `forget-file <host:path> --project p`: a gone machine's queue file forgotten by the database. */
export async function forgetFileCommand(file: string, opts: { project: string; root: string; json: boolean }): Promise<void> {
  const report = await forgetQueueFile(opts.root, assertProjectName(opts.project), file);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `forgot ${report.forgotten} (project ${report.project}): its conflicts end; should that machine push or run again, its file is recorded afresh\n`);
}
