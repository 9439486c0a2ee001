import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../workspace/environment.js';

/** The version of the last successful deployment of `project` to `environment`, from .aibrain/deployments.json. */
export function readLastDeployedVersion(aibrainDir: string, project: string, environment: Environment): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path.join(aibrainDir, 'deployments.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const records = (data as { deployments?: unknown } | null)?.deployments;
  if (!Array.isArray(records)) return undefined;
  let best: { version: string; at: string } | undefined;
  for (const r of records as Array<Record<string, unknown>>) {
    if (r.project !== project || r.environment !== environment || r.status !== 'success' || typeof r.version !== 'string') continue;
    const at = typeof r.completed_at === 'string' ? r.completed_at : typeof r.started_at === 'string' ? r.started_at : '';
    if (!best || at >= best.at) best = { version: r.version, at };
  }
  return best?.version;
}
