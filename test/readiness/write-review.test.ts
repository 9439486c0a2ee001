import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReadinessReport, writeReview } from '../../src/readiness/index.js';
import { fixturesDir, makeProject, review } from './helpers/temp-project.js';

describe('writeReview', () => {
  it('keeps the review as <project>-<timestamp>.md and .json under reviews/', async () => {
    const report = await review(path.join(fixturesDir, 'js-gaps'));
    const aibrain = path.join(makeProject({}), '.aibrain');
    const at = new Date('2024-05-06T07:08:09.123Z');
    const files = writeReview(report, aibrain, at);
    expect(files).toEqual({
      markdown: path.join(aibrain, 'reviews', 'p-2024-05-06T07-08-09-123Z.md'),
      json: path.join(aibrain, 'reviews', 'p-2024-05-06T07-08-09-123Z.json'),
    });
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(json.reviewed_at).toBe('2024-05-06T07:08:09.123Z');
    expect(json.findings).toEqual(report.findings);
    expect(json.counts).toEqual(report.counts);
    expect(json.score).toBe(report.score);
    expect(readFileSync(files.markdown, 'utf8')).toContain(formatReadinessReport(report));
    const later = writeReview(report, aibrain, new Date(at.getTime() + 1));
    expect(later.json).not.toBe(files.json);
    expect(existsSync(files.json)).toBe(true);
  });
});
