import { existsSync } from 'node:fs';
import type { Environment } from '../../workspace/environment.js';
import { projectConfigPath, type Workspace } from '../../workspace/paths.js';
import { loadProjectConfig } from '../project-config.js';
import { checkHealth } from './check-health.js';
import { commandVariables } from './deploy-target.js';

/** What an environment's health check answered just now, beside what the record says. */
export interface LiveHealth {
  /** healthy: the check passed; failing: it answered wrong or not at all; UNKNOWN: it could not be asked. */
  state: 'healthy' | 'failing' | 'UNKNOWN';
  /** The URL or command probed, when there was one. */
  probe: string | null;
  detail: string;
  at: string;
}

const PROBE_TIMEOUT_MS = 2_000;

/**
 * One attempt of the environment's health check, with a short timeout, for the version the record
 * says runs there (a body_contains naming ${VERSION} tells another version apart). Never throws:
 * what cannot be asked (no project file, no health_check) is UNKNOWN, with why.
 */
export async function probeEnvironment(ws: Workspace, project: string, environment: Environment, recordedVersion: string | null): Promise<LiveHealth> {
  const at = new Date().toISOString();
  const unknown = (detail: string): LiveHealth => ({ state: 'UNKNOWN', probe: null, detail, at });
  if (!existsSync(projectConfigPath(ws, project))) return unknown(`no project file ${projectConfigPath(ws, project)}: nothing to ask`);
  let config;
  try {
    config = loadProjectConfig(ws, project);
  } catch (e) {
    return unknown(`the project file cannot be read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const section = config.environments[environment];
  const check = section?.healthCheck;
  if (!section || !check) return unknown(`no health_check for ${environment} in ${config.displayFile}`);
  const target = { project, environment, workspace: ws, config, section };
  try {
    const outcome = await checkHealth(
      { ...check, retries: 0, timeoutMs: Math.min(check.timeoutMs, PROBE_TIMEOUT_MS) },
      { variables: commandVariables(target, recordedVersion ?? ''), cwd: config.path, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS * 2) },
    );
    return { state: outcome.ok ? 'healthy' : 'failing', probe: outcome.probe, detail: outcome.detail, at };
  } catch (e) {
    return unknown(`the probe did not finish: ${e instanceof Error ? e.message : String(e)}`);
  }
}
