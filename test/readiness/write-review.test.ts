import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('keeps the last N reviews of the project and leaves other projects and other files alone', async () => {
    const report = await review(path.join(fixturesDir, 'good-service'));
    const aibrain = path.join(makeProject({}), '.aibrain');
    const start = Date.parse('2024-05-06T07:08:09.000Z');
    writeReview({ ...report, project: 'p-other' }, aibrain, new Date(start - 1000), 3);
    for (let i = 0; i < 5; i++) writeReview(report, aibrain, new Date(start + i * 1000), 3);
    writeFileSync(path.join(aibrain, 'reviews', 'notes.txt'), 'mine');
    writeReview(report, aibrain, new Date(start + 5000), 3);
    const left = readdirSync(path.join(aibrain, 'reviews')).sort();
    expect(left).toEqual([
      'notes.txt',
      'p-2024-05-06T07-08-12-000Z.json', 'p-2024-05-06T07-08-12-000Z.md',
      'p-2024-05-06T07-08-13-000Z.json', 'p-2024-05-06T07-08-13-000Z.md',
      'p-2024-05-06T07-08-14-000Z.json', 'p-2024-05-06T07-08-14-000Z.md',
      'p-other-2024-05-06T07-08-08-000Z.json', 'p-other-2024-05-06T07-08-08-000Z.md',
    ]);
  });
});
