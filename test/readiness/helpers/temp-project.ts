import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { reviewReadiness, type ReadinessReport, type ReviewInput } from '../../../src/readiness/index.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures', import.meta.url));

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder in a temp dir with the given files (path -> text); removed after the test. */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

export async function review(
  projectPath: string,
  options: Partial<Omit<ReviewInput, 'project' | 'projectPath'>> = {},
): Promise<ReadinessReport> {
  return reviewReadiness({ project: 'p', projectPath, environment: options.environment ?? 'production', ...options });
}

/** The findings of one rule, as `SEVERITY title` lines. */
export function findingsOf(report: ReadinessReport, rule: string): string[] {
  return report.findings.filter((f) => f.rule === rule).map((f) => `${f.severity} ${f.title}`);
}

export function checkOf(report: ReadinessReport, rule: string): ReadinessReport['checks'][number] {
  const check = report.checks.find((c) => c.rule === rule);
  if (!check) throw new Error(`no check ${rule}`);
  return check;
}
