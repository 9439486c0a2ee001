import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { formatReadinessReport } from './format-readiness-report.js';
import type { ReadinessReport } from './types.js';

/** Reviews kept per project; older ones are removed when a new one is written. */
export const KEPT_REVIEWS = 20;

/**
 * Keeps the review in `<aibrainDir>/reviews/<project>-<timestamp>.md` and `.json`, removes all
 * but the last `keep` reviews of the project, and returns both paths. The timestamp is UTC to
 * the millisecond, so reviews sort by time and do not collide.
 */
export function writeReview(report: ReadinessReport, aibrainDir: string, now: Date = new Date(), keep: number = KEPT_REVIEWS): { markdown: string; json: string } {
  const dir = path.join(aibrainDir, 'reviews');
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/:/g, '-').replace('.', '-');
  const prefix = `${report.project.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
  const base = path.join(dir, `${prefix}${stamp}`);
  const markdown = `${base}.md`;
  const json = `${base}.json`;
  writeFileAtomic(json, `${JSON.stringify({ reviewed_at: now.toISOString(), ...report }, null, 2)}\n`);
  writeFileAtomic(markdown, `${formatReadinessReport(report)}\n_Reviewed at ${now.toISOString()}._\n`);
  pruneReviews(dir, prefix, keep);
  return { markdown, json };
}

/** Removes the project's reviews (both files) past the newest `keep`. */
function pruneReviews(dir: string, prefix: string, keep: number): void {
  const stamp = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.(?:md|json)$/;
  const stamps = [
    ...new Set(
      readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && stamp.test(f.slice(prefix.length)))
        .map((f) => f.slice(0, f.lastIndexOf('.'))),
    ),
  ].sort();
  for (const old of stamps.slice(0, Math.max(0, stamps.length - keep))) {
    rmSync(path.join(dir, `${old}.md`), { force: true });
    rmSync(path.join(dir, `${old}.json`), { force: true });
  }
}
