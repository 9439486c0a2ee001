import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { formatReadinessReport } from './format-readiness-report.js';
import type { ReadinessReport } from './types.js';

/**
 * Keeps the review in `<aibrainDir>/reviews/<project>-<timestamp>.md` and `.json`; returns both
 * paths. The timestamp is UTC to the millisecond, so reviews sort by time and do not collide.
 */
export function writeReview(report: ReadinessReport, aibrainDir: string, now: Date = new Date()): { markdown: string; json: string } {
  const dir = path.join(aibrainDir, 'reviews');
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/:/g, '-').replace('.', '-');
  const base = path.join(dir, `${report.project.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}`);
  const markdown = `${base}.md`;
  const json = `${base}.json`;
  writeFileAtomic(json, `${JSON.stringify({ reviewed_at: now.toISOString(), ...report }, null, 2)}\n`);
  writeFileAtomic(markdown, `${formatReadinessReport(report)}\n_Reviewed at ${now.toISOString()}._\n`);
  return { markdown, json };
}
